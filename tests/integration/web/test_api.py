"""The JSON API over the agreement and account services: what a client sees, and that bad
input gets a clear 4xx in the error shape and changes nothing."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Database
from tests.integration.web.conftest import (
    EXAMPLE_FILE,
    EXAMPLE_ID,
    User,
    audit_actions,
    audit_size,
    bearer,
    sign_in,
)

_copies = itertools.count()
NOTICE = {
    "kind": "non_renewal_notice",
    "party": "AZE",
    "received": "2026-11-20",
    "evidence": "note verbale",
}


def _headers(make_user: Callable[..., User], make_token: Callable[..., Any], **kw: Any) -> Any:
    return bearer(make_token(make_user(**kw))[1])


@pytest.fixture
def officer(
    make_user: Callable[..., User], make_token: Callable[..., tuple[int, str]]
) -> dict[str, str]:
    return bearer(make_token(make_user("officer"))[1])


@pytest.fixture
def admin(
    make_user: Callable[..., User], make_token: Callable[..., tuple[int, str]]
) -> dict[str, str]:
    return bearer(make_token(make_user("admin", party="OPERATOR", roles=["administrator"]))[1])


def _own_copy(client: TestClient, headers: dict[str, str], web_database: Database) -> str:
    """Import a copy of the example under a new id, so a test's events are its own."""
    new_id = f"copy-{web_database.backend}-{next(_copies)}"
    text = EXAMPLE_FILE.read_text("utf-8").replace(f'id = "{EXAMPLE_ID}"', f'id = "{new_id}"')
    response = client.post(
        "/api/agreements", json={"text": text, "source": "copy.toml"}, headers=headers
    )
    assert response.status_code == 201, response.text
    return new_id


def _is_error(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail"}
    assert isinstance(body["detail"]["message"], str)
    assert body["detail"]["message"]
    if code is not None:
        assert body["error"] == code


# --- agreements ---------------------------------------------------------------------------


def test_the_agreement_list_shows_each_agreement_with_its_status_today(
    client: TestClient, officer: dict[str, str]
) -> None:
    response = client.get("/api/agreements", headers=officer)
    assert response.status_code == 200
    listed = {item["id"]: item for item in response.json()}
    example = listed[EXAMPLE_ID]
    assert example["as_of"] == "2026-11-29"
    assert example["parties"] == ["TUR", "AZE"]
    assert example["status"]


def test_an_agreement_shows_its_definition_and_its_state_on_the_day_asked(
    client: TestClient, officer: dict[str, str]
) -> None:
    today = client.get(f"/api/agreements/{EXAMPLE_ID}", headers=officer).json()
    before = client.get(f"/api/agreements/{EXAMPLE_ID}?on=2017-11-01", headers=officer).json()
    assert today["definition"]["id"] == EXAMPLE_ID
    assert today["state"]["as_of"] == "2026-11-29"
    assert before["state"]["as_of"] == "2017-11-01"
    assert before["state"]["status"] != today["state"]["status"]


def test_the_state_endpoint_answers_for_any_date(
    client: TestClient, officer: dict[str, str]
) -> None:
    response = client.get(f"/api/agreements/{EXAMPLE_ID}/state?on=2030-01-01", headers=officer)
    assert response.status_code == 200
    assert response.json()["as_of"] == "2030-01-01"


def test_deadlines_within_the_window_are_listed_earliest_first(
    client: TestClient, officer: dict[str, str]
) -> None:
    none_soon = client.get("/api/deadlines?within=7", headers=officer).json()
    later = client.get("/api/deadlines?within=90", headers=officer).json()
    assert [d for d in none_soon if d["agreement"] == EXAMPLE_ID] == []
    ours = [d for d in later if d["agreement"] == EXAMPLE_ID]
    assert ours
    assert ours[0]["date"] == "2027-01-05"
    assert [d["date"] for d in later] == sorted(d["date"] for d in later)


def test_recording_an_event_changes_the_derived_state(
    client: TestClient, officer: dict[str, str], web_database: Database
) -> None:
    agreement = _own_copy(client, officer, web_database)
    before = client.get(f"/api/agreements/{agreement}/state", headers=officer).json()
    events_before = client.get(f"/api/agreements/{agreement}/events", headers=officer).json()
    recorded = client.post(f"/api/agreements/{agreement}/events", json=NOTICE, headers=officer)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["event"]["kind"] == "non_renewal_notice"
    after = client.get(f"/api/agreements/{agreement}/state", headers=officer).json()
    events_after = client.get(f"/api/agreements/{agreement}/events", headers=officer).json()
    assert before["termination"] is None
    assert after["termination"] is not None
    assert len(events_after) == len(events_before) + 1


def test_the_same_event_twice_is_a_conflict_and_is_not_recorded_again(
    client: TestClient, officer: dict[str, str], web_database: Database
) -> None:
    agreement = _own_copy(client, officer, web_database)
    client.post(f"/api/agreements/{agreement}/events", json=NOTICE, headers=officer)
    size = audit_size(web_database)
    again = client.post(f"/api/agreements/{agreement}/events", json=NOTICE, headers=officer)
    _is_error(again, 409, "agreement.event_exists")
    assert audit_size(web_database) == size


def test_importing_the_same_file_again_changes_nothing(
    client: TestClient, officer: dict[str, str]
) -> None:
    text = EXAMPLE_FILE.read_text("utf-8")
    response = client.post("/api/agreements", json={"text": text}, headers=officer)
    assert response.status_code == 200
    assert response.json()["status"] == "unchanged"


def test_a_role_without_authority_is_refused_and_the_refusal_is_audited(
    client: TestClient,
    make_user: Callable[..., User],
    make_token: Callable[..., tuple[int, str]],
    web_database: Database,
) -> None:
    member = bearer(make_token(make_user("member", roles=["member"]))[1])
    size = audit_size(web_database)
    response = client.post(f"/api/agreements/{EXAMPLE_ID}/events", json=NOTICE, headers=member)
    _is_error(response, 403, "access_denied")
    assert audit_actions(web_database, size) == ["agreement.denied"]
    events = client.get(f"/api/agreements/{EXAMPLE_ID}/events", headers=member).json()
    assert NOTICE["received"] not in str(events)


def test_an_administrator_has_no_business_authority(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = client.post(f"/api/agreements/{EXAMPLE_ID}/events", json=NOTICE, headers=admin)
    _is_error(response, 403, "access_denied")


def test_the_calendar_feed_works_with_a_calendar_token_in_the_link(
    client: TestClient,
    make_user: Callable[..., User],
    make_token: Callable[..., tuple[int, str]],
) -> None:
    _, secret = make_token(make_user("calendar"), scopes=["calendar"])
    feed = client.get(f"/api/agreements/{EXAMPLE_ID}/calendar.ics?token={secret}")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in feed.content
    assert b"20270105" in feed.content
    # A calendar token opens the feed only, not the API.
    _is_error(client.get("/api/agreements", headers=bearer(secret)), 403, "token.scope")
    _is_error(client.get(f"/api/agreements/{EXAMPLE_ID}/calendar.ics"), 401, "auth.required")
    _is_error(
        client.get(f"/api/agreements/{EXAMPLE_ID}/calendar.ics?token=cmt_wrong"),
        401,
        "auth.required",
    )


# --- accounts -----------------------------------------------------------------------------


def test_an_administrator_creates_an_account_with_a_one_time_password_that_must_be_changed(
    app: Any, admin: dict[str, str], web_database: Database
) -> None:
    username = f"newcomer-{web_database.backend}"
    with TestClient(app) as client:
        created = client.post(
            "/api/users",
            json={"username": username, "display_name": "New Comer", "party": "AZE"},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        one_time = created.json()["one_time_password"]
        granted = client.post(
            f"/api/users/{username}/roles",
            json={"role": "secretary", "valid_from": "2026-01-01"},
            headers=admin,
        )
        assert granted.status_code == 201
        user = User(username, one_time, "AZE")
        csrf = sign_in(client, user)
        me = client.get("/api/session").json()
        assert me["must_change_password"] is True
        assert me["roles"] == ["secretary"]
        _is_error(client.get("/api/agreements"), 403, "auth.password_change_required")
        changed = client.post(
            "/api/me/password",
            json={"current_password": one_time, "new_password": "my own secret phrase"},
            headers={"X-CSRF-Token": csrf},
        )
        assert changed.status_code == 204
        assert client.get("/api/session").json()["must_change_password"] is False
        assert client.get("/api/agreements").status_code == 200
    # Neither the password nor its hash went into the audit log.
    assert one_time.encode() not in _all_leaves(web_database)


def _all_leaves(database: Database) -> bytes:
    from sqlalchemy import select

    from comity.persistence.db import write_session
    from comity.persistence.models.audit import AuditLeaf

    with write_session(database.engine) as session, session.begin():
        return b"".join(session.scalars(select(AuditLeaf.leaf)))


def test_roles_are_dated_and_a_revoked_role_no_longer_counts(
    client: TestClient,
    admin: dict[str, str],
    make_user: Callable[..., User],
    make_token: Callable[..., tuple[int, str]],
) -> None:
    user = make_user("dated", roles=[])
    _, secret = make_token(user)
    granted = client.post(
        f"/api/users/{user.username}/roles",
        json={"role": "treaty_officer", "valid_from": "2026-12-01"},
        headers=admin,
    ).json()
    # Not yet: the role starts on 1 December.
    _is_error(
        client.post(f"/api/agreements/{EXAMPLE_ID}/events", json=NOTICE, headers=bearer(secret)),
        403,
    )
    roles = client.get(f"/api/users/{user.username}/roles", headers=admin).json()
    assert [(r["role"], r["valid_from"]) for r in roles] == [("treaty_officer", "2026-12-01")]
    revoked = client.post(f"/api/roles/{granted['id']}/revoke", headers=admin)
    assert revoked.status_code == 200
    _is_error(client.post(f"/api/roles/{granted['id']}/revoke", headers=admin), 409)


def test_only_administrators_manage_accounts(client: TestClient, officer: dict[str, str]) -> None:
    _is_error(client.get("/api/users", headers=officer), 403, "access_denied")
    _is_error(
        client.post(
            "/api/users",
            json={"username": "sneaky", "display_name": "S", "party": "TUR"},
            headers=officer,
        ),
        403,
    )


# --- bad input ----------------------------------------------------------------------------

BAD_REQUESTS = [
    pytest.param("POST", "/api/users", {"json": {}}, 422, id="empty body"),
    pytest.param(
        "POST",
        "/api/users",
        {"json": {"username": " ", "display_name": "", "party": ""}},
        422,
        id="empty fields",
    ),
    pytest.param(
        "POST",
        "/api/users",
        {"json": {"username": "x!", "display_name": "X", "party": "TURKEY"}},
        422,
        id="invalid name and party",
    ),
    pytest.param(
        "POST",
        "/api/users",
        {"json": {"username": "ok-name", "display_name": "X", "party": "TUR", "extra": 1}},
        422,
        id="unknown field",
    ),
    pytest.param(
        "POST",
        "/api/users/nobody-at-all/roles",
        {"json": {"role": "secretary", "valid_from": "2026-02-30"}},
        422,
        id="impossible date",
    ),
    pytest.param(
        "POST",
        "/api/users/nobody-at-all/roles",
        {"json": {"role": "secretary", "valid_from": "2026-01-01"}},
        404,
        id="unknown user",
    ),
    pytest.param("GET", f"/api/agreements/{EXAMPLE_ID}/state?on=2026-13-01", {}, 422, id="month"),
    pytest.param("GET", "/api/deadlines?within=-1", {}, 422, id="negative window"),
    pytest.param("GET", "/api/deadlines?within=lots", {}, 422, id="not a number"),
    pytest.param("GET", "/api/agreements/no-such-agreement", {}, 404, id="unknown agreement"),
    pytest.param("GET", "/api/agreements/bad%20id!", {}, 422, id="malformed id"),
    pytest.param("POST", "/api/roles/999999/revoke", {}, 404, id="unknown role"),
    pytest.param("POST", "/api/roles/99999999999999/revoke", {}, 422, id="huge id"),
    pytest.param("POST", "/api/tokens/999999/revoke", {}, 404, id="unknown token"),
    pytest.param(
        "POST",
        f"/api/agreements/{EXAMPLE_ID}/events",
        {"json": {"kind": "notice of something"}},
        422,
        id="unknown event kind",
    ),
    pytest.param(
        "POST",
        f"/api/agreements/{EXAMPLE_ID}/events",
        {"json": {"kind": "signature", "party": "TUR", "date": "2017-02-31"}},
        422,
        id="impossible event date",
    ),
    pytest.param(
        "POST",
        f"/api/agreements/{EXAMPLE_ID}/events",
        {"json": ["not", "an", "object"]},
        422,
        id="event not an object",
    ),
    pytest.param(
        "POST", "/api/agreements/no-such/events", {"json": NOTICE}, 404, id="event unknown id"
    ),
    pytest.param(
        "POST", "/api/agreements", {"json": {"text": "this is = not [toml"}}, 422, id="bad toml"
    ),
    pytest.param(
        "POST",
        "/api/agreements",
        {"content": b'{"text": ', "headers": {"content-type": "application/json"}},
        422,
        id="malformed json",
    ),
    pytest.param(
        "POST",
        "/api/agreements",
        {"content": b"text=x", "headers": {"content-type": "application/x-www-form-urlencoded"}},
        415,
        id="form to the api",
    ),
    pytest.param(
        "POST",
        "/api/agreements",
        {"content": b"<xml/>", "headers": {"content-type": "application/xml"}},
        415,
        id="xml",
    ),
    pytest.param(
        "POST",
        "/api/agreements",
        {"json": {"text": "x" * 1_100_000}},
        413,
        id="oversized body",
    ),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), BAD_REQUESTS)
def test_bad_input_gets_a_clear_client_error_and_changes_nothing(
    client: TestClient,
    entitled: Callable[[str], dict[str, str]],
    web_database: Database,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
) -> None:
    kwargs = dict(kwargs)  # parameters are shared by both engines' runs: do not mutate
    headers = {**kwargs.pop("headers", {}), **entitled(path)}
    size = audit_size(web_database)
    response = client.request(method, path, headers=headers, **kwargs)
    _is_error(response, status)
    assert audit_size(web_database) == size
