"""The term's periods counted from entry into force (reference/treaty-lifecycle.md §6, C4, C5,
C8): the initial term, renewals, each period's expiry, and the last timely day for a notice.

Invariant: period k is a function of the rules, the conventions, the entry-into-force date S and
the renewals agreed, nothing else: with `renewal_anchor = entry_into_force` period k ends at
S + (N + k·R), with `previous_expiry` at expiry(k−1) + R. A period's `expiry` is the first day no
longer in it (C4).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Final

from comity.domain.lifecycle import arithmetic
from comity.domain.lifecycle.facts import Facts
from comity.domain.lifecycle.model import Conventions, Period, TermRule, human_date
from comity.domain.lifecycle.state import PeriodInfo

__all__ = ["Schedule", "agreed_renewals"]

#: Safety bound on generated periods: 1-day renewals over a century stay well under it.
MAX_PERIODS: Final = 100_000


def agreed_renewals(facts: Facts) -> int:
    """Renewals agreed by amendment, for a term renewed by agreement (0 otherwise)."""
    term = facts.spec.term
    if term.renewal != "by_agreement":
        return 0
    agreed = sum(1 for e in facts.of_kind("amendment") if e.renewal)
    if term.max_renewals is not None:
        # Renewals beyond the clause's limit would need an amendment of the clause itself.
        return min(agreed, term.max_renewals)
    return agreed


class Schedule:
    """The periods of `term` counted from entry into force on `start`, computed on demand and
    kept (a period is asked for many times by notices, deadlines and the listing)."""

    def __init__(
        self, term: TermRule, conventions: Conventions, start: date, agreed: int = 0
    ) -> None:
        self.term = term
        self.conventions = conventions
        self.start = start
        self.agreed = agreed
        self._known: dict[int, PeriodInfo] = {}

    @classmethod
    def of(cls, facts: Facts, start: date) -> Schedule:
        return cls(facts.spec.term, facts.conventions, start, agreed_renewals(facts))

    def count(self) -> int | None:
        """How many periods there can be (None: unbounded)."""
        if self.term.initial is None or self.term.renewal == "none":
            return 1
        if self.term.renewal == "by_agreement":
            return 1 + self.agreed
        if self.term.max_renewals is not None:
            return 1 + self.term.max_renewals
        return None

    def renews_after(self, index: int) -> bool:
        total = self.count()
        return total is None or index + 1 < total

    def period(self, index: int) -> PeriodInfo | None:
        total = self.count()
        if index < 0 or (total is not None and index >= total) or index > MAX_PERIODS:
            return None
        if index in self._known:
            return self._known[index]
        s = self.start
        initial = self.term.initial
        if initial is None:
            info = PeriodInfo(0, s, None, f"indefinite, from entry into force on {human_date(s)}")
        elif index == 0:
            expiry = arithmetic.add(self.conventions, s, initial)
            info = PeriodInfo(
                0,
                s,
                expiry,
                f"initial term: {initial.human()} from entry into force on {human_date(s)}",
            )
        else:
            previous = self.period(index - 1)
            assert previous is not None
            assert previous.expiry is not None
            renewal = self.term.renewal_period
            assert renewal is not None
            if self.conventions.renewal_anchor == "entry_into_force":
                total_period = initial.plus(renewal.scaled(index))
                expiry = arithmetic.add(self.conventions, s, total_period)
                reason = (
                    f"renewal {index}: {renewal.human()}, ending {total_period.human()} after "
                    f"entry into force on {human_date(s)}"
                )
            else:
                expiry = arithmetic.add(self.conventions, previous.expiry, renewal)
                reason = (
                    f"renewal {index}: {renewal.human()} from the previous expiry on "
                    f"{human_date(previous.expiry)}"
                )
            info = PeriodInfo(index, previous.expiry, expiry, reason)
        self._known[index] = info
        return info

    def periods(self) -> Iterator[PeriodInfo]:
        index = 0
        while (info := self.period(index)) is not None:
            yield info
            index += 1

    def at_or_after(self, day: date) -> PeriodInfo:
        """The period containing `day`, or period 0 when `day` precedes entry into force, or
        the last period when `day` is after the end."""
        last = None
        for info in self.periods():
            last = info
            if day < info.start or info.contains(day):
                return info
        assert last is not None
        return last

    def deadline(self, info: PeriodInfo, notice: Period) -> date | None:
        """C5: the last timely day for a notice at least `notice` before the period's end."""
        if info.last_day is None:
            return None
        return notice.subtract_from(info.last_day, self.conventions.month_end)

    def natural_end(self) -> tuple[date, str] | None:
        """When the term runs out without any notice, and why (None: it never does)."""
        total = self.count()
        if total is None:
            return None
        last = self.period(total - 1)
        assert last is not None
        if last.expiry is None:
            return None
        why = {
            "none": "the term is not renewable",
            "automatic": f"the last of {self.term.max_renewals} renewals",
            "by_agreement": "no further renewal agreed",
        }[self.term.renewal]
        return last.expiry, f"the term ends with period {last.index} ({why})"

    def listing(self, q: date, end: date | None) -> tuple[PeriodInfo, ...]:
        """Periods up to the one after the period containing `q` (or up to the end)."""
        result: list[PeriodInfo] = []
        for info in self.periods():
            if end is not None and info.start >= end:
                break
            result.append(info)
            if info.start > q:
                break
        return tuple(result)
