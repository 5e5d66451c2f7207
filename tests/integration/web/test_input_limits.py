"""Input at the edges of what can be stored or computed gets a 422 with a stable code on both
engines — never a 500, never stored: text no database can hold (NUL, a lone surrogate), dates
whose period arithmetic would pass year 9999, agreement files nested too deep or with terms too
long to compute."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from comity.persistence.db import write_session
from comity.persistence.models.lifecycle import AgreementEvent
from tests.conftest import Database
from tests.integration.web.conftest import (
    EXAMPLE_FILE,
    EXAMPLE_ID,
    User,
    audit_size,
    bearer,
)

#: A stable error code: the family (``invalid_input``) or a dotted specific one.
STABLE_CODE = re.compile(r"[a-z_]+(\.[a-z_]+)*")
EVENTS = f"/api/agreements/{EXAMPLE_ID}/events"
_copies = itertools.count()


def _json(body: str) -> dict[str, Any]:
    """A request whose body is `body` as written (``\\ud800`` stays a JSON escape)."""
    return {"content": body.encode("ascii"), "headers": {"content-type": "application/json"}}


UNSTORABLE = [
    pytest.param(
        "POST",
        EVENTS,
        _json(
            '{"kind": "non_renewal_notice", "party": "AZE", "received": "2026-11-20",'
            ' "evidence": "\\ud800"}'
        ),
        "agreement tr-az-defence-industry-2017: event: evidence",
        id="lone surrogate in an event's evidence",
    ),
    pytest.param(
        "POST",
        EVENTS,
        _json(
            '{"kind": "non_renewal_notice", "party": "AZE", "received": "2026-11-20",'
            ' "evidence": "note\\u0000verbale"}'
        ),
        "agreement tr-az-defence-industry-2017: event: evidence",
        id="NUL in an event's evidence",
    ),
    pytest.param(
        "POST",
        "/api/users",
        _json('{"username": "someone", "display_name": "Some\\u0000One", "party": "TUR"}'),
        "body.display_name",
        id="NUL in a display name",
    ),
    pytest.param(
        "POST",
        "/api/users",
        _json('{"username": "someone", "display_name": "\\udfff", "party": "TUR"}'),
        "body.display_name",
        id="lone surrogate in a display name",
    ),
    pytest.param(
        "POST",
        "/api/agreements",
        _json('{"text": "id = \\"x\\"\\u0000", "source": "nul.toml"}'),
        "body.text",
        id="NUL in an agreement file",
    ),
    pytest.param(
        "POST",
        "/api/agreements",
        _json('{"text": "id = \\"x\\"", "source": "\\ud83d.toml"}'),
        "body.source",
        id="lone surrogate in a file name",
    ),
]


@pytest.mark.parametrize(("method", "path", "request_kwargs", "location"), UNSTORABLE)
def test_text_no_database_can_store_is_a_422_naming_the_field_and_nothing_is_stored(
    client: TestClient,
    entitled: Callable[[str], dict[str, str]],
    web_database: Database,
    method: str,
    path: str,
    request_kwargs: dict[str, Any],
    location: str,
) -> None:
    headers = {**request_kwargs["headers"], **entitled(path)}
    size, events = audit_size(web_database), _recorded_events(web_database)
    response = client.request(method, path, content=request_kwargs["content"], headers=headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "text.unstorable"
    assert body["detail"]["location"] == location
    assert "character" in body["detail"]["reason"]
    assert audit_size(web_database) == size
    assert _recorded_events(web_database) == events


def test_text_a_sign_in_cannot_store_is_refused_before_it_counts_as_a_guess(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user("surrogate")
    response = client.post(
        "/api/session",
        **_json(f'{{"username": "{user.username}", "password": "\\ud800 long enough"}}'),
    )
    assert response.status_code == 422
    assert response.json()["error"] == "text.unstorable"
    assert response.json()["detail"]["location"] == "body.password"


def _recorded_events(database: Database) -> int:
    with write_session(database.engine) as session, session.begin():
        return session.scalar(select(func.count()).select_from(AgreementEvent)) or 0


# --- beyond what the lifecycle engine can compute ----------------------------------------------


@pytest.fixture
def officer(
    make_user: Callable[..., User], make_token: Callable[..., tuple[int, str]]
) -> dict[str, str]:
    return bearer(make_token(make_user("officer"))[1])


@pytest.fixture
def renewing_copy(client: TestClient, officer: dict[str, str], web_database: Database) -> str:
    """A copy of the example under an id of its own: renewed every year, with no notice, so
    its periods run on for ever."""
    new_id = f"renewing-{web_database.backend}-{next(_copies)}"
    text = EXAMPLE_FILE.read_text("utf-8").replace(f'id = "{EXAMPLE_ID}"', f'id = "{new_id}"')
    response = client.post("/api/agreements", json={"text": text}, headers=officer)
    assert response.status_code == 201, response.text
    return new_id


def _is_stable_422(response: Any) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"error", "detail"}
    assert STABLE_CODE.fullmatch(body["error"]), body
    assert body["detail"]["message"]


@pytest.mark.parametrize("day", ["9999-12-31", "9999-06-30"])
def test_a_date_whose_periods_pass_year_9999_is_a_422(
    client: TestClient, officer: dict[str, str], renewing_copy: str, day: str
) -> None:
    _is_stable_422(client.get(f"/api/agreements?on={day}", headers=officer))
    _is_stable_422(client.get(f"/api/agreements/{renewing_copy}/state?on={day}", headers=officer))


def test_a_deeply_nested_agreement_file_is_a_422(
    client: TestClient, officer: dict[str, str], web_database: Database
) -> None:
    size = audit_size(web_database)
    nested = "x = " + "[" * 10_000 + "]" * 10_000
    _is_stable_422(client.post("/api/agreements", json={"text": nested}, headers=officer))
    inline = "x = " + "{a = " * 5_000 + "1" + "}" * 5_000
    _is_stable_422(client.post("/api/agreements", json={"text": inline}, headers=officer))
    assert audit_size(web_database) == size


def test_an_initial_term_too_long_to_compute_is_a_422(
    client: TestClient, officer: dict[str, str], web_database: Database
) -> None:
    new_id = f"endless-{web_database.backend}-{next(_copies)}"
    text = (
        EXAMPLE_FILE.read_text("utf-8")
        .replace(f'id = "{EXAMPLE_ID}"', f'id = "{new_id}"')
        .replace('initial = "P5Y"', 'initial = "P999999999Y"')
    )
    size = audit_size(web_database)
    response = client.post("/api/agreements", json={"text": text}, headers=officer)
    _is_stable_422(response)
    assert audit_size(web_database) == size
