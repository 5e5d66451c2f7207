"""Changing one's password through the pages, and the one-time password that leads there."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.services import accounts
from tests.integration.web_pages.conftest import Site
from tests.integration.web_pages.site import csrf_of

NEW_PASSWORD = "a long new password of mine"


@pytest.fixture
def newcomer(site: Site) -> Iterator[tuple[TestClient, str]]:
    """A client that signed in with a one-time password, and that password."""
    name = f"newcomer-{uuid.uuid4().hex[:8]}"
    with Session(site.database.engine) as session, session.begin():
        made = accounts.add_user(
            session, Actor.local_operator(), name, display_name="New Comer", party="AZE"
        )
    one_time = made.one_time_password
    assert one_time is not None
    with TestClient(site.app) as client:
        page = client.get("/sign-in")
        response = client.post(
            "/sign-in",
            data={"username": name, "password": one_time, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"].startswith("/account/password?next=")
        yield client, one_time


def _change(client: TestClient, **fields: str) -> tuple[int, str]:
    page = client.get("/account/password")
    response = client.post(
        "/account/password",
        data={"csrf_token": csrf_of(page.text), "next": "/agreements", **fields},
        follow_redirects=False,
    )
    return response.status_code, response.text


def test_a_one_time_password_leads_to_the_password_page(
    newcomer: tuple[TestClient, str],
) -> None:
    client, _one_time = newcomer
    page = client.get("/account/password")
    assert "You signed in with a one-time password." in page.text


def test_password_mistakes_are_named_next_to_their_fields(
    newcomer: tuple[TestClient, str],
) -> None:
    client, one_time = newcomer
    status, html = _change(client, current_password="", new_password="short")
    assert status == 422
    assert 'id="current_password-error"' in html
    assert re.search(r'id="new_password-error">[^<]*12', html)
    status, html = _change(
        client, current_password=one_time, new_password=NEW_PASSWORD, repeat_password="other"
    )
    assert status == 422
    assert "The two new passwords differ." in html
    status, html = _change(
        client,
        current_password="wrong" + one_time,
        new_password=NEW_PASSWORD,
        repeat_password=NEW_PASSWORD,
    )
    assert status == 422
    assert 'id="current_password-error"' in html


def test_a_new_password_is_set_and_the_person_goes_on(newcomer: tuple[TestClient, str]) -> None:
    client, one_time = newcomer
    status, _html = _change(
        client, current_password=one_time, new_password=NEW_PASSWORD, repeat_password=NEW_PASSWORD
    )
    assert status == 303
    assert "You signed in with a one-time password." not in client.get("/account/password").text
