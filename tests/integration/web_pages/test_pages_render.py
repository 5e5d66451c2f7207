"""Every page renders in English, Turkish and Azerbaijani, readable by keyboard and screen
reader."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from comity.web.pages import i18n
from tests.integration.web_pages.html_checks import inline_code, read, text_of, unlabelled_fields
from tests.integration.web_pages.site import AGREEMENT_ID, OFFICER, Person

SIGNED_IN_PAGES = {
    "/": "Upcoming deadlines",
    "/agreements": "Agreements",
    f"/agreements/{AGREEMENT_ID}": "Timeline",
    f"/agreements/{AGREEMENT_ID}/events/new": "Record an event",
    "/account/password": "Change your password",
}


def translated(lang: str, message: str) -> str:
    return i18n.translations(lang).gettext(message)


@pytest.mark.parametrize("lang", i18n.LOCALES)
@pytest.mark.parametrize("path", list(SIGNED_IN_PAGES))
def test_each_page_renders_in_each_language(
    client_as: Callable[[Person], TestClient], path: str, lang: str
) -> None:
    client = client_as(OFFICER)
    client.cookies.set(i18n.COOKIE_NAME, lang)
    response = client.get(path)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert response.headers["content-language"] == lang
    assert translated(lang, SIGNED_IN_PAGES[path]) in response.text
    if lang != "en":
        assert translated(lang, SIGNED_IN_PAGES[path]) != SIGNED_IN_PAGES[path]


@pytest.mark.parametrize("lang", i18n.LOCALES)
def test_the_sign_in_page_renders_in_each_language(anonymous: TestClient, lang: str) -> None:
    anonymous.cookies.set(i18n.COOKIE_NAME, lang)
    response = anonymous.get("/sign-in")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert f"<h1>{translated(lang, 'Sign in')}</h1>" in response.text


def test_accept_language_chooses_the_language_without_a_cookie(anonymous: TestClient) -> None:
    response = anonymous.get("/sign-in", headers={"Accept-Language": "de-DE, az;q=0.8, tr;q=0.5"})
    assert '<html lang="az">' in response.text
    assert "Daxil ol" in response.text


def test_the_cookie_beats_accept_language(anonymous: TestClient) -> None:
    anonymous.cookies.set(i18n.COOKIE_NAME, "tr")
    response = anonymous.get("/sign-in", headers={"Accept-Language": "az"})
    assert '<html lang="tr">' in response.text


def test_the_language_switch_remembers_the_choice_and_returns_to_the_page(
    officer: TestClient,
) -> None:
    page = officer.get("/agreements")
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = officer.post(
        "/language",
        data={"lang": "az", "next": "/agreements", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/agreements"
    assert officer.cookies.get(i18n.COOKIE_NAME) == "az"
    assert "Sazişlər" in officer.get("/agreements").text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_the_language_switch_never_redirects_off_the_site(officer: TestClient, target: str) -> None:
    page = officer.get("/")
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = officer.post(
        "/language",
        data={"lang": "tr", "next": target, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_an_unsupported_language_is_not_stored(officer: TestClient) -> None:
    page = officer.get("/")
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    officer.post("/language", data={"lang": "xx", "next": "/", "csrf_token": csrf})
    assert officer.cookies.get(i18n.COOKIE_NAME) is None


def test_the_language_switch_without_a_csrf_token_is_refused(officer: TestClient) -> None:
    response = officer.post("/language", data={"lang": "tr", "next": "/"})
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.text


@pytest.mark.parametrize("lang", ["tr", "az"])
def test_dates_are_written_as_the_locale_writes_them(
    client_as: Callable[[Person], TestClient], lang: str
) -> None:
    client = client_as(OFFICER)
    client.cookies.set(i18n.COOKIE_NAME, lang)
    text = text_of(client.get("/").text)
    assert {"tr": "5 Oca 2027", "az": "5 yan 2027"}[lang] in text


@pytest.mark.parametrize("path", [*SIGNED_IN_PAGES, "/sign-in"])
def test_every_page_has_landmarks_a_skip_link_and_labelled_fields(
    client_as: Callable[[Person], TestClient], path: str
) -> None:
    client = client_as(OFFICER)
    if path == "/sign-in":
        client = TestClient(client.app)
    facts = read(client.get(path).text)
    assert facts.first("header") is not None
    assert facts.first("main") == {"id": "main", "tabindex": "-1"}
    assert facts.first("a") == {"class": "skip-link", "href": "#main"}
    if path != "/sign-in":
        assert facts.first("nav") is not None
    assert unlabelled_fields(facts) == []
    html = facts.first("html")
    assert html is not None
    assert html["lang"] == "en"


@pytest.mark.parametrize("path", list(SIGNED_IN_PAGES))
def test_no_page_has_inline_script_or_style(
    client_as: Callable[[Person], TestClient], path: str
) -> None:
    facts = read(client_as(OFFICER).get(path).text)
    assert inline_code(facts) == []
    scripts = [attrs["src"] for attrs in facts.all("script")]
    assert scripts == ["/static/vendor/htmx/htmx.min.js"]
    assert [attrs["href"] for attrs in facts.all("link")] == [
        "/static/comity.css",
        "/static/favicon.svg",
    ]


def test_the_current_page_is_marked_in_the_navigation(officer: TestClient) -> None:
    facts = read(officer.get("/agreements").text)
    current = [attrs for attrs in facts.all("a") if attrs.get("aria-current") == "page"]
    assert [attrs["href"] for attrs in current] == ["/agreements"]


def test_the_vendored_htmx_and_the_stylesheet_are_served_locally(anonymous: TestClient) -> None:
    htmx = anonymous.get("/static/vendor/htmx/htmx.min.js")
    css = anonymous.get("/static/comity.css")
    assert htmx.status_code == 200
    assert "htmx" in htmx.text
    assert css.status_code == 200
    assert ":focus-visible" in css.text


@pytest.mark.parametrize(("lang", "status"), [("tr", "Yürürlükte"), ("az", "Qüvvədədir")])
def test_codes_shown_through_macros_are_translated_too(
    client_as: Callable[[Person], TestClient], lang: str, status: str
) -> None:
    client = client_as(OFFICER)
    client.cookies.set(i18n.COOKIE_NAME, lang)
    for path in ("/agreements", f"/agreements/{AGREEMENT_ID}"):
        assert f'<span class="badge in_force">{status}</span>' in client.get(path).text, path
