"""Dates and periods: partial dates, ISO periods, month ends and 29 February (C0)."""

from __future__ import annotations

from datetime import date

import pytest

from comity.domain.lifecycle.model import MonthDay, PartialDate, Period, human_date


def test_a_full_date_parses_and_prints_back() -> None:
    value = PartialDate.parse("2018-02-10")
    assert value.exact == date(2018, 2, 10)
    assert str(value) == "2018-02-10"


def test_a_date_known_only_to_the_month_has_no_exact_day_but_known_bounds() -> None:
    value = PartialDate.parse("2018-02")
    assert value.exact is None
    assert (value.earliest, value.latest) == (date(2018, 2, 1), date(2018, 2, 28))
    assert str(value) == "2018-02"
    assert value.human() == "Feb 2018 (day unknown)"


@pytest.mark.parametrize("text", ["2018-2-1", "2018-02-30", "2018-13", "18-02-01", "", "2018"])
def test_a_malformed_date_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        PartialDate.parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P5Y", Period(years=5)),
        ("P3M", Period(months=3)),
        ("P30D", Period(days=30)),
        ("P1Y6M", Period(years=1, months=6)),
        ("P2W", Period(days=14)),
        ("P0D", Period()),
    ],
)
def test_iso_periods_parse(text: str, expected: Period) -> None:
    assert Period.parse(text) == expected


@pytest.mark.parametrize("text", ["5Y", "P", "P5", "P-1Y", "PT5H", "P1.5Y", "five years"])
def test_a_malformed_period_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601 duration"):
        Period.parse(text)


def test_periods_print_in_iso_form_and_in_words() -> None:
    assert str(Period.parse("P1Y6M")) == "P1Y6M"
    assert str(Period()) == "P0D"
    assert Period(years=5).human() == "5 years"
    assert Period(months=1, days=2).human() == "1 month 2 days"


def test_31_august_plus_six_months_clamps_to_the_end_of_february() -> None:
    six = Period(months=6)
    assert six.add_to(date(2021, 8, 31)) == date(2022, 2, 28)
    assert six.add_to(date(2023, 8, 31)) == date(2024, 2, 29)


def test_31_august_plus_six_months_rolls_forward_to_1_march_when_asked() -> None:
    assert Period(months=6).add_to(date(2021, 8, 31), "roll_forward") == date(2022, 3, 1)


def test_29_february_plus_a_year_is_28_february_or_1_march() -> None:
    year = Period(years=1)
    assert year.add_to(date(2024, 2, 29)) == date(2025, 2, 28)
    assert year.add_to(date(2024, 2, 29), "roll_forward") == date(2025, 3, 1)
    assert Period(years=4).add_to(date(2024, 2, 29)) == date(2028, 2, 29)


def test_a_day_the_target_month_has_is_never_moved() -> None:
    assert Period(months=1).add_to(date(2021, 1, 15), "roll_forward") == date(2021, 2, 15)


def test_subtracting_mirrors_adding_for_notice_deadlines() -> None:
    three = Period(months=3)
    assert three.subtract_from(date(2027, 4, 5)) == date(2027, 1, 5)
    assert three.subtract_from(date(2021, 5, 31)) == date(2021, 2, 28)
    assert three.subtract_from(date(2021, 5, 31), "roll_forward") == date(2021, 3, 1)


def test_month_days_for_calendar_year_clauses() -> None:
    assert str(MonthDay(6, 30)) == "06-30"
    assert MonthDay(2, 29).in_year(2023) == date(2023, 2, 28)
    with pytest.raises(ValueError, match="day"):
        MonthDay(2, 30)


def test_human_dates_do_not_depend_on_the_locale() -> None:
    assert human_date(date(2021, 4, 6)) == "6 Apr 2021"
