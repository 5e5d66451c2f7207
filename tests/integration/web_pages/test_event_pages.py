"""Recording an event through pages: refused without the role, validated, then the state moves."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comity.persistence.models.audit import AuditLeaf
from comity.persistence.models.lifecycle import AgreementEvent
from comity.web.pages import i18n
from tests.integration.web_pages.conftest import Site
from tests.integration.web_pages.html_checks import read, section, text_of
from tests.integration.web_pages.site import (
    AGREEMENT_ID,
    OFFICER,
    SECRETARY,
    Person,
    csrf_of,
    sign_in,
)

PAGE = f"/agreements/{AGREEMENT_ID}"
FORM = f"{PAGE}/events/new"
POST = f"{PAGE}/events"


def _recorded(site: Site) -> int:
    with Session(site.database.engine) as session:
        return session.scalar(select(func.count()).select_from(AgreementEvent)) or 0


def _denials(site: Site) -> int:
    with Session(site.database.engine) as session:
        query = select(func.count()).select_from(AuditLeaf)
        return session.scalar(query.where(AuditLeaf.action == "agreement.denied")) or 0


def _post(client: TestClient, **fields: str) -> tuple[int, str]:
    form = client.get(FORM)
    data = {"csrf_token": csrf_of(form.text), **fields}
    response = client.post(POST, data=data, follow_redirects=False)
    return response.status_code, response.text


def test_a_secretary_is_refused_the_form_and_the_refusal_is_audited(
    site: Site, client_as: Callable[[Person], TestClient]
) -> None:
    client = client_as(SECRETARY)
    before = _denials(site)
    response = client.get(FORM)
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.text
    assert "This needs the role: Treaty officer." in response.text
    assert _denials(site) == before + 1


def test_a_secretary_cannot_record_by_posting_directly(
    site: Site, client_as: Callable[[Person], TestClient]
) -> None:
    client = client_as(SECRETARY)
    page = client.get(PAGE)
    before = _recorded(site)
    response = client.post(
        POST,
        data={
            "csrf_token": csrf_of(page.text),
            "kind": "non_renewal_notice",
            "party": "AZE",
            "date": "2026-11-29",
            "evidence": "note verbale",
        },
    )
    assert response.status_code == 403
    assert _recorded(site) == before


def test_a_secretary_sees_no_record_button(client_as: Callable[[Person], TestClient]) -> None:
    assert FORM not in client_as(SECRETARY).get(PAGE).text
    assert FORM in client_as(OFFICER).get(PAGE).text


@pytest.mark.parametrize("lang", i18n.LOCALES)
def test_the_refusal_page_is_in_the_readers_language(
    client_as: Callable[[Person], TestClient], lang: str
) -> None:
    client = client_as(SECRETARY)
    client.cookies.set(i18n.COOKIE_NAME, lang)
    response = client.get(FORM)
    words = i18n.translations(lang)
    assert f"<h1>{words.gettext('Not allowed')}</h1>" in response.text
    assert words.gettext("Treaty officer") in response.text


def test_empty_fields_are_named_next_to_each_field_and_nothing_is_recorded(
    site: Site, officer: TestClient
) -> None:
    before = _recorded(site)
    status, html = _post(officer)
    assert status == 422
    facts = read(html)
    for name in ("kind", "date", "evidence"):
        field = next(a for a in facts.tags if a[1].get("id") == name)[1]
        assert field["aria-invalid"] == "true"
        assert f"{name}-error" in field["aria-describedby"].split()
        assert f"{name}-error" in facts.ids()
    assert "Choose the kind of event." in html
    assert _recorded(site) == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"date": "2026-02-30"}, "date", "Not a date."),
        ({"date": "29.11.2026"}, "date", "Not a date."),
        ({"party": "FRA"}, "party", "Choose one of the agreement&#39;s parties."),
        ({"kind": "coronation"}, "kind", "Choose one of the listed kinds."),
        ({"kind": "domestic_step", "step": ""}, "step", "Choose the domestic step."),
        ({"evidence": "x" * 2001}, "evidence", "At most 2000 characters."),
        ({"evidence": "Note\x00verbale"}, "evidence", "character 5 is a NUL character"),
    ],
)
def test_a_bad_field_is_named_next_to_it(
    officer: TestClient, fields: dict[str, str], field: str, message: str
) -> None:
    data = {
        "kind": "non_renewal_notice",
        "party": "TUR",
        "date": "2026-11-29",
        "evidence": "Note verbale",
    }
    status, html = _post(officer, **{**data, **fields})
    assert status == 422
    error = html.split(f'id="{field}-error">', 1)[1].split("</span>", 1)[0]
    assert message in error


def test_a_rule_the_engine_refuses_is_shown_next_to_its_field(officer: TestClient) -> None:
    status, html = _post(
        officer,
        kind="signature",
        party="TUR",
        date="2017-10-30",
        effective="2018-01-01",
        evidence="protocol",
    )
    assert status == 422
    assert 'id="effective-error"' in html
    assert "contradictory rule" in html


@pytest.fixture
def fresh_officer(fresh_site: Site) -> Iterator[TestClient]:
    with TestClient(fresh_site.app) as client:
        assert sign_in(client, OFFICER).status_code == 200
        yield client


def test_recording_a_non_renewal_notice_changes_the_state(
    fresh_site: Site, fresh_officer: TestClient
) -> None:
    first = fresh_officer.get(PAGE).text
    before = text_of(section(first, "state"))
    assert "In force" in before
    assert "recorded by" not in text_of(first)  # the file's own events name no recorder
    status, _html = _post(
        fresh_officer,
        kind="non_renewal_notice",
        party="TUR",
        date="2026-11-29",
        evidence="Note verbale No. 2026/117 of the Turkish Ministry of Foreign Affairs",
    )
    assert status == 303
    page = fresh_officer.get(f"{PAGE}?recorded=1")
    assert "The event was recorded." in page.text
    after = text_of(section(page.text, "state"))
    assert "Termination pending" in after
    assert "Note verbale No. 2026/117" in text_of(page.text)
    assert f"recorded by {OFFICER.username}" in text_of(page.text)
    assert _recorded(fresh_site) == 1
    # The same fact twice is refused next to the form, not recorded again.
    status, html = _post(
        fresh_officer,
        kind="non_renewal_notice",
        party="TUR",
        date="2026-11-29",
        evidence="Note verbale No. 2026/117 of the Turkish Ministry of Foreign Affairs",
    )
    assert status == 422
    assert "This event is already recorded." in html
    assert _recorded(fresh_site) == 1
