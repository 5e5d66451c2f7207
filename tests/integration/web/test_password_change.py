"""Changing one's password, through the API and the page: guesses at the current password are
throttled like sign-ins (per account, counted in the database), and a change ends every other
session of the account while the one that made it stays signed in."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from comity.web.security import CSRF_HEADER
from tests.conftest import Database
from tests.integration.web.conftest import Clock, User, audit_actions, audit_size, sign_in

NEW_PASSWORD = "an entirely new passphrase"
#: The sign-in throttle's default: five failures within 15 minutes lock for 15 minutes.
LIMIT = 5


def _change(client: TestClient, csrf: str, current: str, new: str = NEW_PASSWORD) -> Response:
    return client.post(
        "/api/me/password",
        json={"current_password": current, "new_password": new},
        headers={CSRF_HEADER: csrf},
    )


def test_wrong_current_passwords_lock_the_change_even_for_the_right_one(
    client: TestClient, make_user: Callable[..., User], clock: Clock, web_database: Database
) -> None:
    user = make_user("guessed")
    csrf = sign_in(client, user)
    for n in range(LIMIT):
        wrong = client.post(
            "/api/me/password",
            json={"current_password": f"guess number {n}", "new_password": NEW_PASSWORD},
            headers={CSRF_HEADER: csrf},
        )
        assert wrong.status_code == 422, wrong.text
        assert wrong.json()["error"] == "account.wrong_password"
        assert wrong.json()["detail"]["location"] == "current_password"
    before = audit_size(web_database)
    locked = client.post(
        "/api/me/password",
        json={"current_password": user.password, "new_password": NEW_PASSWORD},
        headers={CSRF_HEADER: csrf},
    )
    assert locked.status_code == 429
    assert locked.json()["error"] == "auth.throttled"
    assert 0 < int(locked.headers["retry-after"]) <= 900
    assert audit_actions(web_database, before) == []
    clock.advance(minutes=15, seconds=1)
    opened = client.post(
        "/api/me/password",
        json={"current_password": user.password, "new_password": NEW_PASSWORD},
        headers={CSRF_HEADER: csrf},
    )
    assert opened.status_code == 204, opened.text


def test_the_lock_is_audited_and_shared_by_every_app_process_on_the_database(
    make_app: Callable[..., FastAPI], make_user: Callable[..., User], web_database: Database
) -> None:
    user = make_user("shared-guesses")
    before = audit_size(web_database)
    with TestClient(make_app()) as one, TestClient(make_app()) as two:
        csrf = sign_in(one, user)
        # The same session, sent to two app instances in turn.
        two.cookies = one.cookies
        for n in range(LIMIT):
            app_client = one if n % 2 else two
            response = app_client.post(
                "/api/me/password",
                json={"current_password": f"guess {n}", "new_password": NEW_PASSWORD},
                headers={CSRF_HEADER: csrf},
            )
            assert response.status_code == 422
        locked = one.post(
            "/api/me/password",
            json={"current_password": user.password, "new_password": NEW_PASSWORD},
            headers={CSRF_HEADER: csrf},
        )
    assert locked.status_code == 429
    assert audit_actions(web_database, before) == ["account.sign_in", "account.password_lock"]


def test_a_guess_on_one_account_does_not_lock_another(
    make_user: Callable[..., User], app: FastAPI
) -> None:
    guesser, bystander = make_user("guesser"), make_user("bystander")
    with TestClient(app) as one, TestClient(app) as two:
        csrf_one = sign_in(one, guesser)
        csrf_two = sign_in(two, bystander)
        for n in range(LIMIT):
            _change(one, csrf_one, f"guess {n}")
        assert _change(one, csrf_one, guesser.password).status_code == 429
        changed = _change(two, csrf_two, bystander.password)
    assert changed.status_code == 204


def test_changing_the_password_ends_every_other_session_but_not_this_one(
    app: FastAPI, make_user: Callable[..., User]
) -> None:
    user = make_user("many-sessions")
    with TestClient(app) as laptop, TestClient(app) as phone, TestClient(app) as stolen:
        csrf = sign_in(laptop, user)
        sign_in(phone, user)
        sign_in(stolen, user)
        assert stolen.get("/api/agreements").status_code == 200
        changed = _change(laptop, csrf, user.password)
        assert changed.status_code == 204
        assert laptop.get("/api/agreements").status_code == 200
        for other in (phone, stolen):
            refused = other.get("/api/agreements")
            assert refused.status_code == 401
            assert refused.json()["error"] == "auth.required"
        # The new password signs in again; the old one does not.
        assert (
            phone.post(
                "/api/session", json={"username": user.username, "password": NEW_PASSWORD}
            ).status_code
            == 200
        )
        assert (
            stolen.post(
                "/api/session", json={"username": user.username, "password": user.password}
            ).status_code
            == 401
        )


# --- the page ---------------------------------------------------------------------------------

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def _page_change(client: TestClient, current: str) -> Response:
    form = client.get("/account/password")
    found = _CSRF_FIELD.search(form.text)
    assert found is not None
    return client.post(
        "/account/password",
        data={
            "csrf_token": found.group(1),
            "current_password": current,
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
            "next": "/agreements",
        },
        follow_redirects=False,
    )


def test_the_password_page_is_throttled_like_the_api(
    client: TestClient, make_user: Callable[..., User], clock: Clock
) -> None:
    user = make_user("page-guessed")
    sign_in(client, user)
    for n in range(LIMIT):
        wrong = _page_change(client, f"guess number {n}")
        assert wrong.status_code == 422
        assert 'id="current_password-error"' in wrong.text
    locked = _page_change(client, user.password)
    assert locked.status_code == 429
    wait = int(locked.headers["retry-after"])
    assert 0 < wait <= 900
    assert f"Too many wrong passwords. Wait {wait} seconds" in locked.text
    clock.advance(minutes=15, seconds=1)
    changed = _page_change(client, user.password)
    assert changed.status_code == 303
    assert changed.headers["location"] == "/agreements"


def test_the_password_page_ends_the_other_sessions_too(
    app: FastAPI, make_user: Callable[..., User]
) -> None:
    user = make_user("page-sessions")
    with TestClient(app) as mine, TestClient(app) as other:
        sign_in(mine, user)
        sign_in(other, user)
        assert _page_change(mine, user.password).status_code == 303
        assert mine.get("/", follow_redirects=False).status_code == 200
        gone = other.get("/", follow_redirects=False)
    assert gone.status_code == 303
    assert gone.headers["location"].startswith("/sign-in?next=")
