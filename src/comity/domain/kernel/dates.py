"""`DateSpan`: one rule for the ends of a range of calendar days.

The rule: a span starts on `start` (included) and ends before `until` (excluded); either end
may be open (None). Names say which end is meant everywhere in comity: `until` is always the
first day *after* the span, `last_day` always the last day *in* it. People are shown the last
day ("valid through 31 Dec 2027"); storage and arithmetic use `until`, so that adjoining spans
share a boundary (``a.until == b.start``) and an empty span is ``start == until``.

Invariant: ``start <= until`` when both are given; `last_day` is ``until - 1 day``. Dates are
plain `datetime.date` values (treaty dates never carry a time zone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from comity.errors import InvalidInput

__all__ = ["ONE_DAY", "DateSpan"]

ONE_DAY: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True, order=True)
class DateSpan:
    """Days from `start` (inclusive, None: since always) to `until` (exclusive, None: open)."""

    start: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.until is not None and self.until < self.start:
            raise InvalidInput(
                "the span ends before it starts",
                location="until",
                reason=f"{self.until.isoformat()} is before {self.start.isoformat()}",
                code="date_span.reversed",
            )

    @classmethod
    def through(cls, start: date | None, last_day: date | None) -> DateSpan:
        """The span from `start` to `last_day`, both included (how people write ranges)."""
        if last_day is None:
            return cls(start, None)
        if last_day == date.max:
            raise InvalidInput(
                "the span cannot end on the last representable day",
                location="last_day",
                reason="choose an earlier last day, or leave the end open",
                code="date_span.too_late",
            )
        if start is not None and last_day < start:
            raise InvalidInput(
                "the span ends before it starts",
                location="last_day",
                reason=f"{last_day.isoformat()} is before {start.isoformat()}",
                code="date_span.reversed",
            )
        return cls(start, last_day + ONE_DAY)

    @property
    def last_day(self) -> date | None:
        """The last day in the span (None when open-ended). Undefined for an empty span,
        which has no last day: it gives the day before `start`."""
        return None if self.until is None else self.until - ONE_DAY

    @property
    def is_empty(self) -> bool:
        return self.start is not None and self.start == self.until

    @property
    def days(self) -> int | None:
        """How many days the span holds (None when either end is open)."""
        if self.start is None or self.until is None:
            return None
        return (self.until - self.start).days

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        return (self.start is None or self.start <= day) and (
            self.until is None or day < self.until
        )

    def contains(self, day: date) -> bool:
        return day in self

    def overlaps(self, other: DateSpan) -> bool:
        """Whether some day lies in both spans (an empty span overlaps nothing)."""
        if self.is_empty or other.is_empty:
            return False
        starts_before_other_ends = (
            self.start is None or other.until is None or self.start < other.until
        )
        other_starts_before_self_ends = (
            other.start is None or self.until is None or other.start < self.until
        )
        return starts_before_other_ends and other_starts_before_self_ends

    def ended_by(self, day: date) -> DateSpan:
        """This span cut short so that `day` is the first day after it (never extended, and
        never before it starts: ending a span that has not begun leaves it empty)."""
        until = day if self.until is None else min(self.until, day)
        if self.start is not None:
            until = max(until, self.start)
        return DateSpan(self.start, until)

    def describe(self) -> str:
        """``2026-01-01 – 2026-12-31`` with the inclusive last day, as people read it."""
        start = "…" if self.start is None else self.start.isoformat()
        last = self.last_day
        end = "…" if last is None else last.isoformat()
        return f"{start} – {end}"
