"""End to end in headless Chromium: what a treaty officer and a secretary do in the pages.

The server's clock is pinned to 2026-11-29: the example agreement is then in force in its first
renewal period and the last day for a non-renewal notice is 5 January 2027 (37 days away).
Each page visited is saved as a screenshot in artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.conftest import BrowserPage
from tests.integration.web_pages.site import AGREEMENT_ID, OFFICER, PASSWORD, SECRETARY, Person

pytestmark = pytest.mark.browser

AGREEMENT_PAGE = f"/agreements/{AGREEMENT_ID}"


def sign_in(tab: BrowserPage, person: Person, *, wanted: str = "/") -> None:
    tab.goto(wanted)
    expect(tab.page).to_have_url(re.compile(r"/sign-in\?next="))
    tab.page.get_by_label("Sign-in name").fill(person.username)
    tab.page.get_by_label("Password").fill(PASSWORD)
    tab.page.get_by_role("button", name="Sign in").click()
    expect(tab.page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_treaty_officer_sees_the_deadline_records_a_notice_and_the_state_changes(
    page: BrowserPage,
) -> None:
    tab = page
    tab.goto("/")
    expect(tab.page.get_by_role("heading", name="Sign in")).to_be_visible()
    tab.screenshot("01-sign-in")
    sign_in(tab, OFFICER)

    # The dashboard: what, when, how many days, who acts.
    expect(tab.page.get_by_role("heading", name="Upcoming deadlines")).to_be_visible()
    row = tab.page.get_by_role("row").filter(has_text="Last day for a non-renewal notice")
    expect(row).to_contain_text("5 Jan 2027")
    expect(row).to_contain_text("37 days")
    expect(row).to_contain_text("Any party")
    tab.screenshot("02-dashboard")

    # The agreement on today's date, with its timeline.
    row.get_by_role("link").click()
    state = tab.page.locator("#state")
    expect(state).to_contain_text("State on 29 November 2026")
    expect(state).to_contain_text("In force")
    expect(state.locator("svg[role=img] rect.tl-current")).to_have_count(1)
    tab.screenshot("03-agreement")

    # The date picker swaps only the state section (htmx) and keeps the date in the address.
    tab.page.evaluate("window.comityMarker = 'still the same page'")
    tab.page.get_by_label("State on", exact=True).fill("2019-06-01")
    tab.page.get_by_role("button", name="Show").click()
    expect(state.get_by_role("heading", level=2)).to_have_text("State on 1 June 2019")
    expect(tab.page).to_have_url(re.compile(r"\?on=2019-06-01$"))
    assert tab.page.evaluate("window.comityMarker") == "still the same page"
    expect(tab.page.locator("#state .badge")).to_have_text("Provisionally applied")
    tab.screenshot("04-agreement-on-2019-06-01")

    # Recording an event: errors next to the fields first, then the notice itself.
    tab.goto(AGREEMENT_PAGE)
    tab.page.get_by_role("link", name="Record an event").click()
    expect(tab.page.get_by_role("heading", name="Record an event")).to_be_visible()
    tab.screenshot("05-record-event")
    tab.page.get_by_role("button", name="Record the event").click()
    kind = tab.page.get_by_label("Kind of event")
    expect(kind).to_have_attribute("aria-invalid", "true")
    expect(tab.page.locator("#kind-error")).to_have_text("Choose the kind of event.")
    expect(tab.page.locator("#evidence-error")).to_be_visible()
    tab.screenshot("06-record-event-errors")

    kind.select_option("non_renewal_notice")
    tab.page.get_by_label("Party").select_option("TUR")
    tab.page.get_by_label("Date", exact=True).fill("2026-11-29")
    tab.page.get_by_label("Evidence").fill(
        "Note verbale No. 2026/117 of the Ministry of Foreign Affairs of Türkiye"
    )
    tab.page.get_by_role("button", name="Record the event").click()
    expect(
        tab.page.get_by_role("status").filter(has_text="The event was recorded.")
    ).to_be_visible()
    expect(tab.page.locator("#state .badge")).to_have_text("Termination pending")
    expect(
        tab.page.get_by_role("row").filter(has_text="Note verbale No. 2026/117")
    ).to_contain_text("Non-renewal notice")
    tab.screenshot("07-agreement-after-notice")


def test_the_language_switch_turns_the_pages_into_turkish_and_azerbaijani(
    page: BrowserPage,
) -> None:
    tab = page
    sign_in(tab, OFFICER)
    tab.page.get_by_label("Language").select_option("tr")
    tab.page.get_by_role("button", name="Change").click()
    expect(tab.page.locator("html")).to_have_attribute("lang", "tr")
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Yaklaşan son tarihler")
    expect(tab.page.get_by_role("contentinfo")).to_contain_text("29 Kasım 2026")
    tab.screenshot("08-dashboard-tr")

    tab.goto(AGREEMENT_PAGE)
    tab.page.get_by_label("Dil").select_option("az")
    tab.page.get_by_role("button", name="Değiştir").click()
    expect(tab.page.locator("html")).to_have_attribute("lang", "az")
    expect(tab.page.locator("#state")).to_contain_text("29 noyabr 2026 tarixinə vəziyyət")
    expect(tab.page.get_by_role("heading", name="Hadisələr")).to_be_visible()
    tab.screenshot("09-agreement-az")


def test_a_secretary_is_refused_the_page_for_recording_events(page: BrowserPage) -> None:
    tab = page
    sign_in(tab, SECRETARY, wanted=AGREEMENT_PAGE)
    expect(tab.page.get_by_role("link", name="Record an event")).to_have_count(0)
    response = tab.goto(f"{AGREEMENT_PAGE}/events/new")
    assert response is not None
    assert response.status == 403
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(tab.page.get_by_role("alert")).to_contain_text("This needs the role: Treaty officer.")
    tab.screenshot("10-refused")


def test_the_keyboard_reaches_the_skip_link_first_and_it_moves_focus_to_the_content(
    page: BrowserPage,
) -> None:
    tab = page
    sign_in(tab, OFFICER)
    tab.page.keyboard.press("Tab")
    skip = tab.page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    tab.page.keyboard.press("Enter")
    expect(tab.page.locator("main")).to_be_focused()
