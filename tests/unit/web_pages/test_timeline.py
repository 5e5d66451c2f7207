"""The SVG timeline is a pure function of the state: marks, labels, escaping, accessibility."""

from __future__ import annotations

from datetime import date
from typing import Any

from defusedxml import ElementTree
from hypothesis import given
from hypothesis import strategies as st

from comity.web.pages.timeline import TimelineText, parse_day, render_timeline

SVG = "{http://www.w3.org/2000/svg}"
TEXT = TimelineText(
    gettext=lambda s: s,
    format_date=lambda d: d.isoformat(),
    term=lambda code: code.upper(),
    deadline=lambda code: f"deadline:{code}",
)
STATE: dict[str, Any] = {
    "status": "in_force",
    "periods": [
        {"index": 0, "start": "2021-04-06", "last_day": "2026-04-05", "expiry": "2026-04-06"},
        {"index": 1, "start": "2026-04-06", "last_day": "2027-04-05", "expiry": "2027-04-06"},
    ],
    "current_period": {"index": 1, "start": "2026-04-06"},
    "non_renewal_deadline": {"date": "2027-01-05", "period_index": 1, "reason": "P3M"},
    "deadlines": [
        {"date": "2027-01-05", "kind": "non_renewal_notice", "party": None, "reason": "P3M"},
    ],
}
EVENTS = [
    {"kind": "signature", "party": "TUR", "date": "2017-10-31", "evidence": "Baku"},
    {"kind": "domestic_step", "step": "approval", "party": "AZE", "date": "2018-02"},
]


def _svg(state: dict[str, Any], events: list[dict[str, Any]], today: date) -> Any:
    return ElementTree.fromstring(str(render_timeline(state, events, today=today, text=TEXT)))


def _titles(svg: Any) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}title")]


def test_each_period_is_a_band_and_the_current_one_is_marked() -> None:
    svg = _svg(STATE, EVENTS, date(2026, 11, 29))
    rects = list(svg.iter(f"{SVG}rect"))
    assert [r.get("class") for r in rects] == ["tl-period", "tl-period tl-current"]
    assert "Renewal 1: 2026-04-06 – 2027-04-05 (current period)" in _titles(svg)


def test_later_periods_are_drawn_to_the_right() -> None:
    svg = _svg(STATE, EVENTS, date(2026, 11, 29))
    first, second = (float(r.get("x")) for r in svg.iter(f"{SVG}rect"))
    assert first < second


def test_the_deadline_events_and_today_each_have_a_title() -> None:
    titles = _titles(_svg(STATE, EVENTS, date(2026, 11, 29)))
    assert "deadline:non_renewal_notice: 2027-01-05 — P3M" in titles
    assert "SIGNATURE (TUR) 2017-10-31 — Baku" in titles
    # A date known only to the month is shown as recorded, never with an invented day.
    assert "DOMESTIC_STEP — APPROVAL (AZE) 2018-02" in titles
    assert "Today: 2026-11-29" in titles


def test_the_description_tells_a_screen_reader_what_the_drawing_shows() -> None:
    svg = _svg(STATE, EVENTS, date(2026, 11, 29))
    assert svg.get("role") == "img"
    _title_id, desc_id = (svg.get("aria-labelledby") or "").split()
    desc = next(e for e in svg if e.get("id") == desc_id)
    assert desc.text == (
        "Initial term: 2021-04-06 – 2026-04-05. Renewal 1: 2026-04-06 – 2027-04-05. "
        "Deadline: deadline:non_renewal_notice, 2027-01-05. Today: 2026-11-29."
    )


def test_a_passed_non_renewal_deadline_is_still_drawn() -> None:
    state = {**STATE, "deadlines": []}
    titles = _titles(_svg(state, [], date(2027, 2, 1)))
    assert "deadline:non_renewal_notice: 2027-01-05 — P3M" in titles


def test_an_agreement_without_periods_still_draws_its_events_and_today() -> None:
    svg = _svg({"status": "signed", "periods": []}, EVENTS, date(2019, 1, 1))
    assert list(svg.iter(f"{SVG}rect")) == []
    assert "Today: 2019-01-01" in _titles(svg)


def test_text_from_the_record_is_escaped() -> None:
    events = [{"kind": "signature", "date": "2017-10-31", "evidence": "<script>x</script> & co"}]
    markup = str(render_timeline({"periods": []}, events, today=date(2018, 1, 1), text=TEXT))
    assert "<script>" not in markup
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in markup


def test_the_marker_can_say_which_date_it_shows() -> None:
    svg = ElementTree.fromstring(
        str(render_timeline(STATE, [], today=date(2022, 1, 1), text=TEXT, today_label="Shown date"))
    )
    assert "Shown date: 2022-01-01" in _titles(svg)


def test_the_drawing_depends_only_on_its_arguments() -> None:
    one = render_timeline(STATE, EVENTS, today=date(2026, 11, 29), text=TEXT)
    two = render_timeline(STATE, EVENTS, today=date(2026, 11, 29), text=TEXT)
    assert one == two


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_every_mark_lies_inside_the_drawing_whatever_the_day(today: date) -> None:
    svg = _svg(STATE, EVENTS, today)
    width = float((svg.get("viewBox") or "").split()[2])
    xs = [float(e.get("x1")) for e in svg.iter(f"{SVG}line")]
    xs += [float(e.get("x")) for e in svg.iter(f"{SVG}rect")]
    assert all(0 <= x <= width for x in xs)


def test_partial_and_malformed_dates_parse_as_documented() -> None:
    assert parse_day("2018-02") == date(2018, 2, 1)
    assert parse_day("2018") == date(2018, 1, 1)
    assert parse_day("2018-02-30") is None
    assert parse_day("") is None
    assert parse_day(None) is None


def test_events_after_the_date_shown_are_drawn_hollow_and_say_so() -> None:
    svg = _svg(STATE, EVENTS, date(2018, 1, 1))
    classes = [p.get("class") for p in svg.iter(f"{SVG}path")]
    assert classes == ["tl-event", "tl-event tl-later"]
    assert any(t.endswith("(after the date shown: not counted)") for t in _titles(svg))
