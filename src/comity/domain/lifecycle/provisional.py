"""Provisional application: when an agreement is applied before it enters into force, and when
that ends (entry into force, a notice ending it, or the agreement's end).

Invariant: the earliest known start counts (a start known only to the month is kept as such),
and the earliest end; provisional application never outlives the agreement.
"""

from __future__ import annotations

from datetime import date

from comity.domain.lifecycle import arithmetic
from comity.domain.lifecycle.entry_into_force import rule_date
from comity.domain.lifecycle.facts import Facts
from comity.domain.lifecycle.model import PartialDate, Period, human_date
from comity.domain.lifecycle.state import ProvisionalApplication

__all__ = ["provisional_application"]


def provisional_application(
    facts: Facts, eif: date | None, end: date | None, warnings: list[str]
) -> ProvisionalApplication | None:
    """Provisional application on the facts (None: the agreement was never so applied)."""
    rule = facts.spec.provisional_application
    candidates: list[tuple[PartialDate, str]] = []
    if rule is not None:
        outcome = rule_date(facts, rule.start)
        if outcome.date is not None:
            candidates.append((PartialDate.of(outcome.date), outcome.reason))
        elif outcome.unknown:
            warnings.append(f"provisional application start unknown: {outcome.reason}")
    for event in facts.of_kind("provisional_application"):
        on = event.primary_date
        assert on is not None
        who = f" by {event.party}" if event.party else ""
        evidence = f"; evidence: {event.evidence}" if event.evidence else ""
        candidates.append((on, f"applied{who} from {on.human()}{evidence}"))
    if not candidates:
        return None
    start, reason = min(candidates, key=lambda item: item[0].earliest)
    if start.earliest > facts.as_of:
        return ProvisionalApplication(start, None, f"will start: {reason}", None)
    ends: list[tuple[date, str]] = []
    if eif is not None:
        ends.append((eif, f"superseded by entry into force on {human_date(eif)}"))
    for event in facts.of_kind("provisional_application_notice"):
        on = facts.counting(event)
        if on is None or on.exact is None:
            continue
        after = (
            Period()
            if rule is None or rule.termination_effect_after is None
            else (rule.termination_effect_after)
        )
        effective = (
            on.exact if after.is_zero else arithmetic.effect(facts.conventions, on.exact, after)
        )
        ends.append(
            (
                effective,
                f"{event.party} ended provisional application by notice of "
                f"{human_date(on.exact)}"
                + ("" if after.is_zero else f", effective {after.human()} later"),
            )
        )
    if end is not None:
        ends.append((end, "the agreement ended"))
    if not ends:
        return ProvisionalApplication(start, None, reason, None)
    first_end, end_reason = min(ends)
    return ProvisionalApplication(start, first_end, reason, end_reason)
