"""Date arithmetic under an agreement's conventions (reference/treaty-lifecycle.md §6, C2–C3).

Invariant: every rule of the engine adds periods and offsets through these functions, so one
agreement's switches (`Conventions.effect`, `Conventions.month_end`) apply to every date it
derives, and each result comes with the words that say how it was counted.
"""

from __future__ import annotations

from datetime import date

from comity.domain.lifecycle.model import Conventions, Offset, Period, days_after, months_after

__all__ = ["add", "apply_offset", "effect", "effect_words", "first_day", "ordinal"]


def add(conventions: Conventions, start: date, period: Period) -> date:
    return period.add_to(start, conventions.month_end)


def effect(conventions: Conventions, start: date, period: Period) -> date:
    """C3: the first day of the new status, P after D (`day_after`: one day later)."""
    result = add(conventions, start, period)
    return days_after(result, 1) if conventions.effect == "day_after" else result


def effect_words(conventions: Conventions, period: Period) -> str:
    extra = " and a day (civil-law counting)" if conventions.effect == "day_after" else ""
    return f"{period.human()}{extra}"


def first_day(base: date, k: int) -> date:
    """C2: day 1 of the k-th month after the month of `base`."""
    return months_after(base.replace(day=1), k)


def apply_offset(
    conventions: Conventions, base: date, offset: Offset, base_reason: str
) -> tuple[date, str]:
    """`base` moved by `offset`, and the reason saying how (built on `base_reason`)."""
    result, reason = base, base_reason
    if offset.days_after is not None:
        result = days_after(base, offset.days_after)
        reason = f"{offset.days_after} days after {reason}"
    elif offset.after is not None:
        result = effect(conventions, base, offset.after)
        reason = f"{effect_words(conventions, offset.after)} after {reason}"
    if offset.first_day_of_month is not None:
        result = first_day(result, offset.first_day_of_month)
        reason = f"first day of the {ordinal(offset.first_day_of_month)} month after {reason}"
    return result, reason


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
