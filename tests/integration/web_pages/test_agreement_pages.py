"""The dashboard, the agreement list and the agreement page (state on a date, timeline, ICS)."""

from __future__ import annotations

from typing import Any

import icalendar
import pytest
from defusedxml import ElementTree
from fastapi.testclient import TestClient

from tests.integration.web_pages.html_checks import read, section, squash, text_of
from tests.integration.web_pages.site import AGREEMENT_ID

PAGE = f"/agreements/{AGREEMENT_ID}"
SVG_NS = "{http://www.w3.org/2000/svg}"


def test_the_dashboard_shows_the_non_renewal_deadline_of_the_example(
    officer: TestClient,
) -> None:
    text = text_of(officer.get("/").text)
    assert "Last day for a non-renewal notice" in text
    assert "5 Jan 2027" in text
    assert "37 days" in text
    assert "Any party" in text


def test_the_dashboard_window_can_exclude_the_deadline(officer: TestClient) -> None:
    text = text_of(officer.get("/?within=30").text)
    assert "No deadlines in the next 30 days." in text


def test_the_agreement_list_shows_status_and_next_deadline(officer: TestClient) -> None:
    text = text_of(officer.get("/agreements").text)
    assert "In force" in text
    assert "TUR, AZE" in text
    assert "5 Jan 2027" in text


def test_the_agreement_page_shows_the_state_today(officer: TestClient) -> None:
    state = text_of(section(officer.get(PAGE).text, "state"))
    assert "State on 29 November 2026" in state
    assert "In force" in state
    assert "Renewal 1: 6 Apr 2026 – 5 Apr 2027" in state
    assert "Last day for a non-renewal notice 5 Jan 2027" in state


def test_the_state_on_a_past_date_is_the_state_then(officer: TestClient) -> None:
    state = text_of(section(officer.get(f"{PAGE}?on=2019-06-01").text, "state"))
    assert "State on 1 June 2019" in state
    assert "In force" not in state
    assert "Signed" in state


def test_the_htmx_partial_and_the_full_page_come_from_the_same_template(
    officer: TestClient,
) -> None:
    full = officer.get(f"{PAGE}?on=2026-11-29")
    partial = officer.get(f"{PAGE}?on=2026-11-29", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert squash(partial.text) == squash(section(full.text, "state"))
    assert "HX-Request" in partial.headers["vary"]


def test_a_history_restore_gets_the_whole_page(officer: TestClient) -> None:
    response = officer.get(
        PAGE, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.text


def test_the_date_picker_is_an_htmx_form_that_works_without_javascript(
    officer: TestClient,
) -> None:
    form = next(a for a in read(officer.get(PAGE).text).all("form") if "hx-get" in a)
    assert form["method"] == "get"
    assert form["action"] == PAGE
    assert form["hx-get"] == PAGE
    assert form["hx-target"] == "#state"
    assert form["hx-push-url"] == "true"


@pytest.mark.parametrize("bad", ["2026-02-30", "yesterday", "2026-13-01"])
def test_an_impossible_date_is_named_next_to_the_date_field(officer: TestClient, bad: str) -> None:
    response = officer.get(f"{PAGE}?on={bad}")
    assert response.status_code == 422
    facts = read(response.text)
    field = next(a for a in facts.all("input") if a.get("id") == "on")
    assert field["aria-describedby"] == "on-error"
    assert "Not a date. Write YYYY-MM-DD." in response.text


def _timeline(html: str) -> Any:
    state = section(html, "state")
    svg = state[state.index("<svg") : state.index("</svg>") + len("</svg>")]
    return ElementTree.fromstring(svg)


def test_the_timeline_draws_the_periods_the_deadline_and_today(officer: TestClient) -> None:
    svg = _timeline(officer.get(PAGE).text)
    titles = [t.text or "" for t in svg.iter(f"{SVG_NS}title")]
    assert "Initial term: 6 Apr 2021 – 5 Apr 2026" in titles
    assert "Renewal 1: 6 Apr 2026 – 5 Apr 2027 (current period)" in titles
    assert any(t.startswith("Last day for a non-renewal notice: 5 Jan 2027") for t in titles)
    assert "Today: 29 Nov 2026" in titles
    rects = list(svg.iter(f"{SVG_NS}rect"))
    assert len(rects) == 3  # the initial term, the current renewal and the next one
    assert sum("tl-current" in r.get("class", "") for r in rects) == 1
    assert svg.get("role") == "img"
    described = (svg.get("aria-labelledby") or "").split()
    assert [e.get("id") for e in svg if e.get("id")] == described


def test_the_timeline_marks_a_chosen_date_as_the_shown_date(officer: TestClient) -> None:
    svg = _timeline(officer.get(f"{PAGE}?on=2022-01-01").text)
    titles = [t.text or "" for t in svg.iter(f"{SVG_NS}title")]
    assert "Shown date: 1 Jan 2022" in titles


def test_the_events_are_listed_with_their_evidence(officer: TestClient) -> None:
    text = text_of(officer.get(PAGE).text)
    assert "Signature" in text
    assert "Signed in Baku by Nurettin Canikli" in text
    assert "2018-02" in text  # a date known only to the month is shown as recorded


def test_the_calendar_link_serves_the_deadlines(officer: TestClient) -> None:
    facts = read(officer.get(PAGE).text)
    link = next(a for a in facts.all("a") if a.get("type") == "text/calendar")
    response = officer.get(link["href"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    starts = {str(e.get("dtstart").dt) for e in calendar.walk("VEVENT")}
    assert "2027-01-05" in starts


def test_an_unknown_agreement_gives_the_not_found_page(officer: TestClient) -> None:
    response = officer.get("/agreements/no-such-agreement")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text


def test_an_unknown_address_gives_the_not_found_page(officer: TestClient) -> None:
    response = officer.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text
