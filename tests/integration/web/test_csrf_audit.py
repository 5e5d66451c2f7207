"""A CSRF refusal is a denial, so it is audited: one ``web.denied`` leaf, written in a
transaction of its own, naming the session's person (or ``anonymous`` without a session) and
the request path, never the submitted token."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import FastAPI, Form
from fastapi.testclient import TestClient

from comity.web.security import CSRF_HEADER, SESSION_COOKIE
from tests.conftest import Database
from tests.integration.web.conftest import (
    User,
    audit_actions,
    audit_leaves,
    audit_size,
    sign_in,
)

WRONG_TOKEN = "f00d" * 16


def test_a_post_with_a_wrong_csrf_token_is_refused_and_audited_once_as_the_sessions_person(
    client: TestClient, make_user: Callable[..., User], web_database: Database
) -> None:
    admin = make_user("admin", party="OPERATOR", roles=["administrator"])
    sign_in(client, admin)
    before = audit_size(web_database)
    response = client.post(
        "/api/users",
        json={"username": "csrf-audited", "display_name": "X", "party": "AZE"},
        headers={CSRF_HEADER: WRONG_TOKEN},
    )
    assert response.status_code == 403
    assert response.json()["error"] == "csrf.mismatch"
    assert audit_actions(web_database, before) == ["web.denied"]
    [leaf] = audit_leaves(web_database, before)
    assert leaf["actor"] == {"party": "OPERATOR", "person": admin.username}
    assert leaf["record"] == {"type": "path", "id": "/api/users"}
    assert WRONG_TOKEN not in json.dumps(leaf)
    # The refused change did not happen.
    assert client.get("/api/users/csrf-audited").status_code == 404


def test_a_refused_form_post_without_a_session_is_audited_as_anonymous(
    app: FastAPI, web_database: Database
) -> None:
    @app.post("/test-csrf-form")
    def form_post(name: str = Form()) -> dict[str, str]:
        return {"name": name}

    before = audit_size(web_database)
    with TestClient(app) as client:
        response = client.post(
            "/test-csrf-form?next=/x", data={"name": "x", "csrf_token": WRONG_TOKEN}
        )
    assert response.status_code == 403
    [leaf] = audit_leaves(web_database, before)
    assert leaf["action"] == "web.denied"
    assert leaf["actor"] == {"party": "UNKNOWN", "person": "anonymous"}
    # The path alone: neither the query string nor the token.
    assert leaf["record"] == {"type": "path", "id": "/test-csrf-form"}
    assert WRONG_TOKEN not in json.dumps(leaf)


def test_an_ended_session_is_audited_as_anonymous(
    client: TestClient, make_user: Callable[..., User], web_database: Database
) -> None:
    member = make_user("member", roles=["member"])
    token = sign_in(client, member)
    ended = client.cookies.get(SESSION_COOKIE)
    assert ended
    assert client.delete("/api/session", headers={CSRF_HEADER: token}).status_code == 204
    client.cookies.set(SESSION_COOKIE, ended)
    before = audit_size(web_database)
    response = client.post("/api/me/password", json={}, headers={CSRF_HEADER: WRONG_TOKEN})
    assert response.status_code == 403
    [leaf] = audit_leaves(web_database, before)
    assert leaf["actor"] == {"party": "UNKNOWN", "person": "anonymous"}
