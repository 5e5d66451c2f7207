"""One request is one transaction, committed before the response is sent: a commit that fails
is a failed request, and a bug is a 500 without internals (and with the security headers)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from comity.persistence.models.accounts import Account
from comity.web.dependencies import SessionDep
from tests.integration.web.conftest import User, bearer


def test_a_commit_that_fails_is_a_failed_request_not_a_success(
    app: FastAPI, make_user: Callable[..., User], make_token: Callable[..., tuple[int, str]]
) -> None:
    taken = make_user("taken")
    _, secret = make_token(taken)

    @app.post("/api/test-duplicate")
    def duplicate(session: SessionDep) -> dict[str, bool]:
        # Not flushed: the unique constraint only fails when the dependency commits.
        session.add(
            Account(
                username=taken.username,
                display_name="Copy",
                party="TUR",
                password_hash="x",
                disabled=False,
                must_change_password=False,
                created_at=datetime.now(UTC),
            )
        )
        return {"ok": True}

    with TestClient(app) as client:
        response = client.post("/api/test-duplicate", headers=bearer(secret))
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"


def test_a_bug_is_a_500_without_internals_and_with_the_security_headers(app: FastAPI) -> None:
    @app.get("/api/test-bug")
    def bug() -> None:
        raise RuntimeError("internal detail that must not leak")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/test-bug")
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal",
        "detail": {"message": "something went wrong on the server"},
    }
    assert "internal detail" not in response.text
    assert response.headers["x-frame-options"] == "DENY"
