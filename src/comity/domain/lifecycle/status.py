"""The agreement's status on the as-of date, with its reason, and the obligations that survive
its end.

Invariant: one status for one set of facts, decided in a fixed order: ended (terminated by a
notice, or expired), a termination pending, in force, provisionally applied, signed, unsigned.
"""

from __future__ import annotations

from datetime import date

from comity.domain.lifecycle import arithmetic
from comity.domain.lifecycle.facts import Facts
from comity.domain.lifecycle.model import human_date
from comity.domain.lifecycle.state import (
    EntryIntoForce,
    NoticeOutcome,
    ProvisionalApplication,
    Status,
    SurvivingObligation,
    day_before,
)

__all__ = ["status", "surviving_obligations"]


def status(
    facts: Facts,
    eif: EntryIntoForce,
    start: date | None,
    end: date | None,
    end_reason: str | None,
    termination: NoticeOutcome | None,
    provisional: ProvisionalApplication | None,
) -> tuple[Status, str]:
    """The status on the as-of date and why. `start` is the entry into force if it is on or
    before the as-of date; `end` the first day no longer in force, when known."""
    q = facts.as_of
    if start is not None:
        if end is not None and end <= q:
            ended_by_notice = termination is not None and termination.effective == end
            ended: Status = "terminated" if ended_by_notice else "expired"
            return ended, f"ended on {human_date(day_before(end))} ({end_reason})"
        if termination is not None and termination.valid:
            when = (
                "on a date not yet known"
                if termination.effective is None
                else f"on {human_date(termination.effective)}"
            )
            return "termination_pending", f"in force; ends {when}: {termination.reason}"
        return "in_force", f"in force since {human_date(start)}"
    if provisional is not None and provisional.start is not None:
        started = provisional.start.latest <= q
        ongoing = provisional.end is None or provisional.end > q
        if started and ongoing:
            return "provisionally_applied", provisional.reason
    if any(e.kind == "signature" for e in facts.events):
        missing = [p for p in facts.spec.parties if not facts.of_kind("signature", p)]
        if eif.date is not None:
            return "signed", f"not yet in force; enters into force on {human_date(eif.date)}"
        if missing:
            return "signed", "signed; not yet signed by " + ", ".join(missing)
        return "signed", f"signed; {eif.explanation}"
    if any(e.kind in ("instrument_deposited", "notification") for e in facts.events):
        return "signed", eif.explanation
    return "unsigned", "no signature recorded"


def surviving_obligations(
    facts: Facts, end: date | None, current: Status
) -> tuple[SurvivingObligation, ...]:
    """The survival clauses, each active while it outlives an agreement that has ended."""
    ended = current in ("terminated", "expired")
    result = []
    for item in facts.spec.survival:
        period = item.until_period
        until_date = (
            None
            if end is None or period is None
            else arithmetic.add(facts.conventions, end, period)
        )
        active = ended and (until_date is None or facts.as_of < until_date)
        result.append(
            SurvivingObligation(item.article, item.text, item.until, end, until_date, active)
        )
    return tuple(result)
