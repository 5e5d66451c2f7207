"""The ends of the calendar: periods too long to count and dates past 9999-12-31 are refused as
invalid input (a 422 on the web, exit code 2 on the command line), never a crash."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from comity.domain.lifecycle.agreement_file import parse_agreement
from comity.domain.lifecycle.engine import evaluate
from comity.domain.lifecycle.model import (
    DateOutOfRange,
    MonthDay,
    Period,
    days_after,
    first_of_year,
    months_after,
)
from comity.errors import InvalidInput
from tests.unit.lifecycle.builders import agreement, ev, in_force

FOUNDING = (
    Path(__file__).resolve().parents[3] / "examples/agreements/tr-az-defence-industry-2017.toml"
)
ANY_DAY = st.dates(min_value=date.min, max_value=date.max)
#: Days mostly within a few years of either end of the calendar, where arithmetic overflows.
NEAR_THE_ENDS = (
    st.dates(min_value=date.min, max_value=date(4, 12, 31))
    | st.dates(min_value=date(9996, 1, 1), max_value=date.max)
    | ANY_DAY
)


@pytest.mark.parametrize(
    "text", ["P999999999Y", "P10000Y", "P9998Y13M", "P3652059D", "P521723W", "P" + "9" * 5000 + "D"]
)
def test_a_period_longer_than_the_calendar_is_not_a_period(text: str) -> None:
    with pytest.raises(ValueError, match="is longer than the calendar can count"):
        Period.parse(text)


@pytest.mark.parametrize("text", ["P9998Y", "P9998Y11M", "P3652058D", "P9998Y11M30D"])
def test_the_longest_periods_the_calendar_can_count_are_periods(text: str) -> None:
    assert str(Period.parse(text)) == text


@given(years=st.integers(0, 20_000), months=st.integers(0, 300_000), days=st.integers(0, 10**7))
def test_every_period_that_parses_can_be_counted_from_the_calendars_first_day(
    years: int, months: int, days: int
) -> None:
    text = f"P{years}Y{months}M{days}D"
    try:
        period = Period.parse(text)
    except ValueError:
        with pytest.raises(DateOutOfRange):
            Period(years, months, days).add_to(date.min)
        return
    assert period.add_to(date.min) <= date.max


def test_a_huge_period_in_an_agreement_file_names_the_field() -> None:
    text = FOUNDING.read_text(encoding="utf-8").replace(
        'initial = "P5Y"', 'initial = "P999999999Y"'
    )
    with pytest.raises(InvalidInput) as caught:
        parse_agreement(text, source="a.toml")
    assert caught.value.code == "agreement.invalid_file"
    assert caught.value.location == "a.toml: term.initial"
    assert caught.value.message == "bad period"


def test_deep_nesting_in_an_agreement_file_is_invalid_toml_with_a_position() -> None:
    text = FOUNDING.read_text(encoding="utf-8") + "x = " + "[" * 10_000 + "]" * 10_000 + "\n"
    with pytest.raises(InvalidInput) as caught:
        parse_agreement(text, source="a.toml")
    assert caught.value.code == "agreement.invalid_file"
    assert caught.value.location == "a.toml"
    assert caught.value.reason is not None
    assert "nested deeper than 32 levels (at line" in caught.value.reason


@given(day=ANY_DAY, shift=st.integers(-4_000_000, 4_000_000))
def test_days_after_is_timedelta_arithmetic_within_the_calendar(day: date, shift: int) -> None:
    try:
        expected = day + timedelta(days=shift)
    except OverflowError:
        with pytest.raises(DateOutOfRange) as caught:
            days_after(day, shift)
        assert caught.value.later == (shift > 0)
        return
    assert days_after(day, shift) == expected


@given(day=ANY_DAY, shift=st.integers(-130_000, 130_000))
def test_months_after_is_relativedelta_arithmetic_within_the_calendar(
    day: date, shift: int
) -> None:
    try:
        expected = day + relativedelta(months=shift)
    except ValueError:  # dateutil's "year 10000 is out of range"
        with pytest.raises(DateOutOfRange):
            months_after(day, shift)
        return
    assert months_after(day, shift) == expected


def test_the_calendars_ends_are_named_in_the_reason() -> None:
    with pytest.raises(DateOutOfRange) as late:
        first_of_year(10_000)
    assert late.value.reason == "the date falls after 9999-12-31"
    with pytest.raises(DateOutOfRange) as early:
        days_after(date.min, -1)
    assert early.value.reason == "the date falls before 0001-01-01"
    with pytest.raises(DateOutOfRange):
        MonthDay(6, 30).in_year(10_000)


def test_the_founding_agreement_on_the_calendars_last_day_is_refused_naming_it() -> None:
    spec = parse_agreement(FOUNDING.read_text(encoding="utf-8"), source="founding.toml")
    with pytest.raises(InvalidInput) as caught:
        evaluate(spec, as_of=date.max)
    error = caught.value
    assert error.code == "lifecycle.date_out_of_range"
    assert error.exit_code == 2
    assert error.one_line() == (
        f"agreement {spec.id}: cannot evaluate the agreement on 9999-12-31 "
        "(a date it needs falls after 9999-12-31)"
    )


RULES: list[dict[str, Any]] = [
    {
        "term": {"initial": "P5Y", "renewal": "automatic", "renewal_period": "P1Y"},
        "non_renewal": {"notice_before_expiry": "P3M"},
        "denunciation": {
            "effect_after": "P6M",
            "not_before": "P1Y",
            "effect_first_day_of_month": 1,
        },
        "provisional_application": {"from": "signature", "termination_effect_after": "P1M"},
        "conventions": {"effect": "day_after", "month_end": "roll_forward"},
    },
    {
        "entry_into_force": {"trigger": "signature", "after": "P1M", "first_day_of_month": 1},
        "term": {"initial": "indefinite"},
        "denunciation": {"notice_by": "06-30", "effect": "next_calendar_year"},
    },
    {
        "entry_into_force": {"trigger": "last_notification", "days_after": 30},
        "term": {"initial": "P9000Y", "renewal": "by_agreement", "renewal_period": "P9000Y"},
    },
]


@settings(max_examples=500, deadline=None)
@given(
    rules=st.sampled_from(RULES),
    start=NEAR_THE_ENDS,
    notice=NEAR_THE_ENDS,
    kind=st.sampled_from(["non_renewal_notice", "denunciation_notice", "notification"]),
    on=NEAR_THE_ENDS,
)
def test_on_any_day_an_agreement_has_a_state_or_a_date_out_of_range(
    rules: dict[str, Any], start: date, notice: date, kind: str, on: date
) -> None:
    spec = agreement(
        *[ev("signature", party, start.isoformat()) for party in ("AAA", "BBB")],
        in_force(start.isoformat()),
        *[ev(kind, party, notice.isoformat()) for party in ("AAA", "BBB")],
        **rules,
    )
    try:
        state = evaluate(spec, as_of=on)
    except DateOutOfRange as refused:
        where = refused.location
    else:
        assert state.as_of == on
        return
    assert where == "agreement test-agreement"


def _signed(on: str) -> list[dict[str, Any]]:
    return [ev("signature", party, on) for party in ("AAA", "BBB")]


EDGES: dict[str, tuple[Any, str]] = {
    "an effect counted the day after (civil-law counting)": (
        agreement(
            *_signed("9999-10-31"),
            entry_into_force={"trigger": "signature", "after": "P2M"},
            conventions={"effect": "day_after"},
        ),
        "9999-11-01",
    ),
    "days after the last notification": (
        agreement(
            *[ev("notification", party, "9999-12-15") for party in ("AAA", "BBB")],
            entry_into_force={"trigger": "last_notification", "days_after": 30},
        ),
        "9999-12-20",
    ),
    "the first day of the following month": (
        agreement(
            *_signed("9999-12-15"),
            entry_into_force={"trigger": "signature", "first_day_of_month": 1},
        ),
        "9999-12-20",
    ),
    "a calendar-year notice taking effect next 1 January": (
        agreement(
            in_force("9990-01-01"),
            ev("denunciation_notice", "AAA", "9999-03-01"),
            term={"initial": "indefinite"},
            denunciation={"notice_by": "06-30", "effect": "next_calendar_year"},
        ),
        "9999-03-02",
    ),
    "the next period of an automatic renewal": (
        agreement(
            in_force("9990-01-01"),
            term={"initial": "P5Y", "renewal": "automatic", "renewal_period": "P5Y"},
        ),
        "9999-06-01",
    ),
}


@pytest.mark.parametrize("case", list(EDGES), ids=list(EDGES))
def test_each_rule_that_would_count_past_the_calendar_is_refused(case: str) -> None:
    spec, on = EDGES[case]
    with pytest.raises(DateOutOfRange) as caught:
        evaluate(spec, as_of=date.fromisoformat(on))
    assert caught.value.later
    assert caught.value.location == "agreement test-agreement"


def test_the_calendars_first_day_has_a_state() -> None:
    spec = agreement(
        *_signed("0001-01-01"),
        in_force("0001-01-01"),
        ev("denunciation_notice", "AAA", "0001-01-01"),
        denunciation={"effect_after": "P1M"},
    )
    state = evaluate(spec, as_of=date.min)
    assert state.status == "termination_pending"
    assert state.termination is not None
    assert state.termination.effective == date(1, 2, 1)
