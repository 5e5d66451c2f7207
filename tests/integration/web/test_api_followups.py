"""The API's agreement reads (events with where they come from, deadlines with their kind, one
agreement without evaluating all) and the scope of the treaty-officer role over HTTP."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient

from comity.domain.lifecycle.state import DEADLINE_KINDS
from comity.persistence.db import write_session
from comity.services import accounts, lifecycle
from tests.conftest import Database
from tests.integration.web.conftest import (
    EXAMPLE_FILE,
    EXAMPLE_ID,
    OPERATOR,
    User,
    audit_actions,
    audit_size,
    bearer,
)

NOTICE = {
    "kind": "non_renewal_notice",
    "party": "AZE",
    "received": "2026-11-20",
    "evidence": "note verbale",
}
_copies = itertools.count()


def _import_copy(client: TestClient, headers: dict[str, str], web_database: Database) -> str:
    new_id = f"scoped-{web_database.backend}-{next(_copies)}"
    text = EXAMPLE_FILE.read_text("utf-8").replace(f'id = "{EXAMPLE_ID}"', f'id = "{new_id}"')
    response = client.post("/api/agreements", json={"text": text}, headers=headers)
    assert response.status_code == 201, response.text
    return new_id


@pytest.fixture
def officer(
    make_user: Callable[..., User], make_token: Callable[..., tuple[int, str]]
) -> dict[str, str]:
    return bearer(make_token(make_user("officer"))[1])


def _scoped_officer(
    web_database: Database,
    make_user: Callable[..., User],
    make_token: Callable[..., tuple[int, str]],
    scope: str,
) -> tuple[User, dict[str, str]]:
    user = make_user("scoped", roles=())
    with write_session(web_database.engine) as session, session.begin():
        accounts.grant_role(
            session,
            OPERATOR,
            user.username,
            role="treaty_officer",
            valid_from=date(2000, 1, 1),
            scope=scope,
        )
    return user, bearer(make_token(user)[1])


def test_the_events_say_where_each_comes_from_and_who_recorded_it(
    client: TestClient, officer: dict[str, str], web_database: Database
) -> None:
    agreement = _import_copy(client, officer, web_database)
    recorded = client.post(f"/api/agreements/{agreement}/events", json=NOTICE, headers=officer)
    assert recorded.status_code == 201, recorded.text
    events = client.get(f"/api/agreements/{agreement}/events", headers=officer).json()
    *from_file, last = events
    assert from_file
    assert {event["source"] for event in from_file} == {"file"}
    assert all(event["recorded_by"] is None and event["id"] is None for event in from_file)
    assert last["source"] == "recorded"
    assert last["kind"] == "non_renewal_notice"
    assert last["received"] == "2026-11-20"
    assert last["id"] == recorded.json()["id"]
    assert last["recorded_by"] == recorded.json()["recorded_by"]
    assert last["recorded_at"].startswith("2026-11-29T09:00:00")


def test_every_deadline_carries_the_engines_kind(
    client: TestClient, officer: dict[str, str]
) -> None:
    deadlines = client.get("/api/deadlines?within=400", headers=officer).json()
    ours = [d for d in deadlines if d["agreement"] == EXAMPLE_ID]
    assert ours
    assert ours[0]["kind"] == "non_renewal_notice"
    assert {d["kind"] for d in deadlines} <= DEADLINE_KINDS


def test_one_agreement_is_read_without_evaluating_every_agreement(
    client: TestClient, officer: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = next(
        item
        for item in client.get("/api/agreements", headers=officer).json()
        if item["id"] == EXAMPLE_ID
    )

    def no_listing(*args: object, **kwargs: object) -> None:
        raise AssertionError("reading one agreement evaluated them all")

    monkeypatch.setattr(lifecycle, "list_agreements", no_listing)
    one = client.get(f"/api/agreements/{EXAMPLE_ID}", headers=officer)
    assert one.status_code == 200, one.text
    body = one.json()
    assert {key: body[key] for key in listed} == listed
    assert client.get("/api/agreements/no-such", headers=officer).status_code == 404


def test_an_officer_scoped_to_an_agreement_records_on_it_and_is_refused_on_another(
    client: TestClient,
    officer: dict[str, str],
    make_user: Callable[..., User],
    make_token: Callable[..., tuple[int, str]],
    web_database: Database,
) -> None:
    mine = _import_copy(client, officer, web_database)
    other = _import_copy(client, officer, web_database)
    _, scoped = _scoped_officer(web_database, make_user, make_token, mine)
    allowed = client.post(f"/api/agreements/{mine}/events", json=NOTICE, headers=scoped)
    assert allowed.status_code == 201, allowed.text
    before = audit_size(web_database)
    refused = client.post(f"/api/agreements/{other}/events", json=NOTICE, headers=scoped)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "access_denied"
    assert audit_actions(web_database, before) == ["agreement.denied"]
    events = client.get(f"/api/agreements/{other}/events", headers=scoped).json()
    assert [e for e in events if e["source"] == "recorded"] == []
