"""Security properties of the app over HTTP: CSRF, session fixation, sign-in throttling,
token revocation, cookie attributes and the headers on every response."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI, Form, Request
from fastapi.testclient import TestClient

from comity.web.security import CONTENT_SECURITY_POLICY, CSRF_COOKIE, SESSION_COOKIE
from tests.conftest import Database
from tests.integration.web.conftest import (
    PASSWORD,
    Clock,
    User,
    audit_actions,
    audit_size,
    bearer,
    sign_in,
)

NEW_USER = {"username": "csrf-target", "display_name": "Target", "party": "AZE"}


def _user_exists(client: TestClient, token: str, username: str) -> bool:
    return client.get(f"/api/users/{username}", headers=bearer(token)).status_code == 200


# --- CSRF ---------------------------------------------------------------------------------


def test_a_cookie_request_without_a_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, make_user: Callable[..., User], web_database: Database
) -> None:
    admin = make_user("admin", party="OPERATOR", roles=["administrator"])
    sign_in(client, admin)
    before = audit_size(web_database)
    response = client.post("/api/users", json={**NEW_USER, "username": "nocsrf"})
    assert response.status_code == 403
    assert response.json()["error"] == "csrf.missing"
    # Only the refusal itself is written (tests/integration/web/test_csrf_audit.py).
    assert audit_actions(web_database, before) == ["web.denied"]
    assert client.get("/api/users/nocsrf").status_code == 404


def test_a_wrong_csrf_token_is_refused(client: TestClient, make_user: Callable[..., User]) -> None:
    admin = make_user("admin", party="OPERATOR", roles=["administrator"])
    sign_in(client, admin)
    response = client.post(
        "/api/users",
        json={**NEW_USER, "username": "wrongcsrf"},
        headers={"X-CSRF-Token": "0" * 64},
    )
    assert response.status_code == 403
    assert response.json()["error"] == "csrf.mismatch"
    assert client.get("/api/users/wrongcsrf").status_code == 404


def test_the_csrf_token_of_another_session_is_refused(
    app: FastAPI, make_user: Callable[..., User]
) -> None:
    admin = make_user("admin", party="OPERATOR", roles=["administrator"])
    with TestClient(app) as mine, TestClient(app) as theirs:
        sign_in(mine, admin)
        their_token = sign_in(theirs, admin)
        response = mine.post(
            "/api/users",
            json={**NEW_USER, "username": "othercsrf"},
            headers={"X-CSRF-Token": their_token},
        )
    assert response.status_code == 403
    assert response.json()["error"] == "csrf.mismatch"


def test_the_session_csrf_token_lets_a_cookie_request_through(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    admin = make_user("admin", party="OPERATOR", roles=["administrator"])
    token = sign_in(client, admin)
    username = f"withcsrf-{admin.username}"
    response = client.post(
        "/api/users", json={**NEW_USER, "username": username}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 201, response.text
    assert client.get(f"/api/users/{username}").status_code == 200


def test_a_bearer_token_request_needs_no_csrf_token(
    client: TestClient, make_user: Callable[..., User], make_token: Callable[..., tuple[int, str]]
) -> None:
    admin = make_user("admin", party="OPERATOR", roles=["administrator"])
    _, secret = make_token(admin)
    username = f"bearer-{admin.username}"
    response = client.post(
        "/api/users", json={**NEW_USER, "username": username}, headers=bearer(secret)
    )
    assert response.status_code == 201, response.text


def test_a_form_posted_before_sign_in_needs_the_double_submit_token(app: FastAPI) -> None:
    from comity.web.security import csrf_token

    @app.get("/test-form")
    def form_page(request: Request) -> dict[str, str]:
        return {"csrf_token": csrf_token(request)}

    @app.post("/test-form")
    def form_post(name: str = Form()) -> dict[str, str]:
        return {"name": name}

    with TestClient(app) as client:
        page = client.get("/test-form")
        assert CSRF_COOKIE in page.cookies
        token = page.json()["csrf_token"]
        missing = client.post("/test-form", data={"name": "x"})
        wrong = client.post("/test-form", data={"name": "x", "csrf_token": "nope"})
        right = client.post("/test-form", data={"name": "x", "csrf_token": token})
    # Outside /api the pages render the refusal as HTML; the status is the same.
    assert missing.status_code == wrong.status_code == 403
    assert right.status_code == 200
    with TestClient(app) as stranger:
        # The token without the cookie it is bound to is worthless.
        forged = stranger.post("/test-form", data={"name": "x", "csrf_token": token})
    assert forged.status_code == 403


# --- sessions -----------------------------------------------------------------------------


def test_a_session_id_planted_before_sign_in_never_becomes_a_signed_in_session(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user("fixation")
    planted = "cs_attacker-chosen-value"
    client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    sign_in(client, user)
    issued = client.cookies.get(SESSION_COOKIE)
    assert issued
    assert issued != planted
    with TestClient(client.app) as attacker:
        attacker.cookies.set(SESSION_COOKIE, planted)
        assert attacker.get("/api/session").status_code == 401


def test_signing_in_again_rotates_the_session_and_ends_the_old_one(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user("rotate")
    sign_in(client, user)
    first = client.cookies.get(SESSION_COOKIE)
    sign_in(client, user)
    second = client.cookies.get(SESSION_COOKIE)
    assert first
    assert second
    assert first != second
    with TestClient(client.app) as other:
        other.cookies.set(SESSION_COOKIE, first)
        assert other.get("/api/session").status_code == 401
        other.cookies.set(SESSION_COOKIE, second)
        assert other.get("/api/session").status_code == 200


def test_signing_out_ends_the_session_on_the_server(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user("signout")
    token = sign_in(client, user)
    secret = client.cookies.get(SESSION_COOKIE)
    assert client.delete("/api/session", headers={"X-CSRF-Token": token}).status_code == 204
    with TestClient(client.app) as replay:
        replay.cookies.set(SESSION_COOKIE, secret or "")
        response = replay.get("/api/session")
    assert response.status_code == 401
    assert response.json()["error"] == "auth.required"


def test_a_session_expires_after_its_lifetime(
    client: TestClient, make_user: Callable[..., User], clock: Clock
) -> None:
    user = make_user("expiry")
    sign_in(client, user)
    clock.advance(hours=11, minutes=59)
    assert client.get("/api/session").status_code == 200
    clock.advance(minutes=2)
    assert client.get("/api/session").status_code == 401


def test_the_session_cookie_is_httponly_and_samesite_lax_and_secure_only_over_tls(
    app: FastAPI, make_user: Callable[..., User]
) -> None:
    user = make_user("cookie")
    credentials = {"username": user.username, "password": user.password}
    with TestClient(app) as plain:
        over_http = plain.post("/api/session", json=credentials).headers["set-cookie"].lower()
    with TestClient(app, base_url="https://testserver") as tls:
        over_tls = tls.post("/api/session", json=credentials)
    assert "httponly" in over_http
    assert "samesite=lax" in over_http
    assert "secure" not in over_http
    assert "secure" in over_tls.headers["set-cookie"].lower()
    assert over_tls.headers["strict-transport-security"].startswith("max-age=")


# --- throttling ---------------------------------------------------------------------------


def test_repeated_failures_lock_the_account_name_even_for_the_right_password(
    client: TestClient, make_user: Callable[..., User], clock: Clock
) -> None:
    user = make_user("throttled")
    for _ in range(5):
        wrong = client.post("/api/session", json={"username": user.username, "password": "no"})
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "auth.invalid_credentials"
    right = {"username": user.username, "password": user.password}
    locked = client.post("/api/session", json=right)
    assert locked.status_code == 429
    assert locked.json()["error"] == "auth.throttled"
    assert 0 < int(locked.headers["retry-after"]) <= 900
    clock.advance(minutes=15, seconds=1)
    assert client.post("/api/session", json=right).status_code == 200


def test_failures_from_one_address_lock_that_address_across_names(
    make_app: Callable[..., FastAPI], make_user: Callable[..., User]
) -> None:
    user = make_user("victim")
    app = make_app(throttle_address_limit=3)
    with TestClient(app, client=("192.0.2.7", 4000)) as attacker:
        for n in range(3):
            attacker.post("/api/session", json={"username": f"guess-{n}", "password": "x"})
        refused = attacker.post(
            "/api/session", json={"username": user.username, "password": user.password}
        )
    with TestClient(app, client=("192.0.2.8", 4000)) as neighbour:
        allowed = neighbour.post(
            "/api/session", json={"username": user.username, "password": user.password}
        )
    assert refused.status_code == 429
    assert allowed.status_code == 200


def test_the_throttle_is_shared_by_every_app_process_on_the_database(
    make_app: Callable[..., FastAPI], make_user: Callable[..., User]
) -> None:
    user = make_user("shared")
    first, second = make_app(), make_app()
    with TestClient(first) as one, TestClient(second) as two:
        for n in range(5):
            (one if n % 2 else two).post(
                "/api/session", json={"username": user.username, "password": "wrong"}
            )
        response = two.post(
            "/api/session", json={"username": user.username, "password": user.password}
        )
    assert response.status_code == 429


def test_unknown_names_and_wrong_passwords_are_refused_alike(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user("alike")
    unknown = client.post("/api/session", json={"username": "nobody-here", "password": "x"})
    wrong = client.post("/api/session", json={"username": user.username, "password": "x"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


# --- tokens -------------------------------------------------------------------------------


def test_a_revoked_token_stops_working(
    client: TestClient, make_user: Callable[..., User], make_token: Callable[..., tuple[int, str]]
) -> None:
    user = make_user("revoker")
    token_id, secret = make_token(user)
    assert client.get("/api/agreements", headers=bearer(secret)).status_code == 200
    revoked = client.post(f"/api/tokens/{token_id}/revoke", headers=bearer(secret))
    assert revoked.status_code == 200
    after = client.get("/api/agreements", headers=bearer(secret))
    assert after.status_code == 401
    assert after.json()["error"] == "auth.required"


def test_a_read_token_cannot_change_anything(
    client: TestClient,
    make_user: Callable[..., User],
    make_token: Callable[..., tuple[int, str]],
    web_database: Database,
) -> None:
    user = make_user("reader")
    _, secret = make_token(user, scopes=["read"])
    before = audit_size(web_database)
    response = client.post(
        "/api/agreements/tr-az-defence-industry-2017/events",
        json={"kind": "amendment", "date": "2026-11-01"},
        headers=bearer(secret),
    )
    assert response.status_code == 403
    assert response.json()["error"] == "token.scope"
    # The refusal is recorded, the change is not.
    assert audit_actions(web_database, before) == ["token.denied"]


def test_disabling_an_account_ends_its_sessions_and_tokens(
    app: FastAPI,
    make_user: Callable[..., User],
    make_token: Callable[..., tuple[int, str]],
) -> None:
    admin = make_user("admin", party="OPERATOR", roles=["administrator"])
    user = make_user("leaver")
    _, user_secret = make_token(user)
    _, admin_secret = make_token(admin)
    with TestClient(app) as browser, TestClient(app) as script:
        sign_in(browser, user)
        assert browser.get("/api/session").status_code == 200
        disabled = script.post(f"/api/users/{user.username}/disable", headers=bearer(admin_secret))
        assert disabled.status_code == 200
        assert disabled.json()["disabled"] is True
        assert browser.get("/api/session").status_code == 401
        assert script.get("/api/agreements", headers=bearer(user_secret)).status_code == 401
        again = script.post("/api/session", json={"username": user.username, "password": PASSWORD})
        assert again.status_code == 401


# --- headers ------------------------------------------------------------------------------

EXPECTED_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/api/openapi.json", {}, 200),
        ("GET", "/static/comity.css", {}, 200),
        ("GET", "/static/no-such-file.css", {}, 404),
        ("GET", "/no/such/page", {"headers": {"accept": "application/json"}}, 404),
        ("GET", "/api/no/such/endpoint", {}, 404),
        ("GET", "/api/agreements", {}, 401),
        ("PUT", "/api/agreements", {}, 405),
        ("POST", "/api/session", {"content": b"x", "headers": {"content-type": "text/plain"}}, 415),
        ("POST", "/api/session", {"json": {"username": ""}}, 422),
        ("POST", "/api/session", {"json": {"username": "nobody", "password": "x"}}, 401),
        (
            "POST",
            "/api/session",
            {"content": b"{" * 2_000_000, "headers": {"content-type": "application/json"}},
            413,
        ),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, method: str, path: str, kwargs: dict[str, object], status: int
) -> None:
    response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, name
