"""`DateSpan` agrees with both conventions comity stored before it: inclusive and exclusive ends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.domain.kernel.dates import DateSpan
from comity.errors import InvalidInput

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


def inclusive_reading(valid_from: date | None, valid_until: date | None, day: date) -> bool:
    """How clearances, grants, equivalences and bodies read their ends until now."""
    return (valid_from is None or valid_from <= day) and (valid_until is None or day <= valid_until)


def exclusive_reading(valid_from: date | None, valid_until: date | None, day: date) -> bool:
    """How role assignments read their ends until now."""
    return (valid_from is None or valid_from <= day) and (valid_until is None or day < valid_until)


@given(start=st.none() | days, length=st.none() | st.integers(0, 4000), day=days)
def test_a_span_through_the_last_day_holds_the_days_the_inclusive_reading_held(
    start: date | None, length: int | None, day: date
) -> None:
    last_day = None if length is None else (start or date(1950, 1, 1)) + timedelta(days=length)
    span = DateSpan.through(start, last_day)
    assert (day in span) == inclusive_reading(start, last_day, day)
    assert span.last_day == last_day


@given(start=st.none() | days, length=st.none() | st.integers(0, 4000), day=days)
def test_a_span_until_a_day_holds_the_days_the_exclusive_reading_held(
    start: date | None, length: int | None, day: date
) -> None:
    until = None if length is None else (start or date(1950, 1, 1)) + timedelta(days=length)
    span = DateSpan(start, until)
    assert (day in span) == exclusive_reading(start, until, day)


@given(a=days, b=days, c=days)
def test_adjoining_spans_share_their_boundary_and_never_overlap(a: date, b: date, c: date) -> None:
    first, middle, last = sorted((a, b, c))
    left, right = DateSpan(first, middle), DateSpan(middle, last)
    assert not left.overlaps(right)
    for day in (first, middle, last):
        assert not (day in left and day in right)


@given(start=days, length=st.integers(1, 400), cut=days)
def test_ending_a_span_never_extends_it(start: date, length: int, cut: date) -> None:
    span = DateSpan(start, start + timedelta(days=length))
    ended = span.ended_by(cut)
    assert ended.start == span.start
    assert ended.until is not None
    assert span.until is not None
    assert ended.until <= span.until
    assert ended.until >= start


def test_an_empty_span_holds_no_day_and_overlaps_nothing() -> None:
    empty = DateSpan(date(2026, 1, 1), date(2026, 1, 1))
    assert empty.is_empty
    assert date(2026, 1, 1) not in empty
    assert not empty.overlaps(DateSpan(None, None))


def test_a_reversed_span_is_refused_with_its_dates() -> None:
    with pytest.raises(InvalidInput) as refused:
        DateSpan.through(date(2026, 5, 1), date(2026, 4, 30))
    assert refused.value.code == "date_span.reversed"
    assert "2026-04-30" in (refused.value.reason or "")


def test_people_read_the_inclusive_last_day() -> None:
    span = DateSpan.through(date(2026, 1, 1), date(2026, 12, 31))
    assert span.until == date(2027, 1, 1)
    assert span.describe() == "2026-01-01 – 2026-12-31"
    assert span.days == 365
