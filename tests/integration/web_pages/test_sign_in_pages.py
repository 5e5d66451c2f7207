"""Signing in and out through the pages: errors next to fields, redirects, no open redirect."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient

from comity.web.pages import i18n
from tests.integration.web_pages.html_checks import read
from tests.integration.web_pages.site import AGREEMENT_ID, OFFICER, PASSWORD, csrf_of


def test_a_page_for_signed_in_people_sends_others_to_sign_in_and_back(
    anonymous: TestClient,
) -> None:
    wanted = f"/agreements/{AGREEMENT_ID}?on=2026-01-01"
    response = anonymous.get(wanted, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=" + quote(wanted, safe="")
    page = anonymous.get(response.headers["location"])
    signed_in = anonymous.post(
        "/sign-in",
        data={
            "username": OFFICER.username,
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": wanted,
        },
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == wanted


def test_an_htmx_request_when_signed_out_is_redirected_by_htmx(anonymous: TestClient) -> None:
    response = anonymous.get(
        f"/agreements/{AGREEMENT_ID}", headers={"HX-Request": "true"}, follow_redirects=False
    )
    assert response.headers["hx-redirect"].startswith("/sign-in?next=")


def test_empty_fields_are_named_next_to_each_field(anonymous: TestClient) -> None:
    page = anonymous.get("/sign-in")
    response = anonymous.post(
        "/sign-in", data={"username": " ", "password": "", "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 422
    facts = read(response.text)
    username = next(a for a in facts.all("input") if a.get("id") == "username")
    assert username["aria-describedby"] == "username-error"
    assert username["aria-invalid"] == "true"
    assert "username-error" in facts.ids()
    assert "password-error" in facts.ids()
    assert "Enter your sign-in name." in response.text


def test_a_wrong_password_is_refused_in_the_readers_language(anonymous: TestClient) -> None:
    anonymous.cookies.set(i18n.COOKIE_NAME, "tr")
    page = anonymous.get("/sign-in")
    response = anonymous.post(
        "/sign-in",
        data={
            "username": OFFICER.username,
            "password": "not the password at all",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert response.status_code == 401
    assert "Kullanıcı adı veya parola yanlış" in response.text
    assert 'role="alert"' in response.text
    assert anonymous.cookies.get("comity_session") is None


def test_sign_in_without_the_csrf_token_is_refused(anonymous: TestClient) -> None:
    anonymous.get("/sign-in")
    response = anonymous.post("/sign-in", data={"username": OFFICER.username, "password": PASSWORD})
    assert response.status_code == 403
    assert anonymous.cookies.get("comity_session") is None


def test_sign_in_never_redirects_off_the_site(anonymous: TestClient) -> None:
    page = anonymous.get("/sign-in")
    response = anonymous.post(
        "/sign-in",
        data={
            "username": OFFICER.username,
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_signing_out_ends_the_session(officer: TestClient) -> None:
    page = officer.get("/")
    assert page.status_code == 200
    response = officer.post(
        "/sign-out", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert officer.get("/", follow_redirects=False).status_code == 303


def test_a_signed_in_person_visiting_sign_in_goes_to_the_dashboard(officer: TestClient) -> None:
    response = officer.get("/sign-in", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
