"""Evaluation: an agreement's rules and recorded events → its derived state on a given date.

`evaluate` is the one entry point. It owns the order of the steps, each a module of this
package that owns one part of the date arithmetic of the lifecycle (reference/treaty-lifecycle.md
§6, C0–C8, with the per-agreement switches of `Conventions`): `facts` (what is known on the
date), `entry_into_force`, `periods`, `notices`, `provisional`, `status`, `deadlines`; the
results are the values of `state`.

Invariants:
- Pure and reproducible: the state on date Q depends only on the spec and the events dated on
  or before Q (events are cut at Q before anything is computed), never on the clock.
- Every derived date carries a one-line reason saying how it was obtained.
- Nothing is guessed: a computation that needs the day of a date known only to the month
  reports its result as unknown, with the reason; a recorded entry-into-force date wins over
  the computed one, and a difference between them is a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from comity.domain.lifecycle.deadlines import deadlines, non_renewal_deadline
from comity.domain.lifecycle.entry_into_force import entry_into_force, party_dates
from comity.domain.lifecycle.facts import known_on
from comity.domain.lifecycle.model import AgreementSpec, DateOutOfRange, Event
from comity.domain.lifecycle.notices import notices, termination
from comity.domain.lifecycle.periods import Schedule
from comity.domain.lifecycle.provisional import provisional_application
from comity.domain.lifecycle.state import LifecycleState, PartyState
from comity.domain.lifecycle.status import status, surviving_obligations

__all__ = ["evaluate"]


def evaluate(
    spec: AgreementSpec, *, as_of: date, extra_events: Sequence[Event] = ()
) -> LifecycleState:
    """The state of `spec` on `as_of`, counting only events dated on or before `as_of`.

    A state that needs a date the calendar cannot hold (a period running past 9999-12-31 from
    an as-of date near its end) is refused as a `DateOutOfRange` naming the agreement."""
    try:
        return _evaluate(spec, as_of, (*spec.events, *extra_events))
    except DateOutOfRange as exc:
        raise DateOutOfRange(
            later=exc.later,
            message=f"cannot evaluate the agreement on {as_of.isoformat()}",
            what="a date it needs",
            location=f"agreement {spec.id}",
        ) from None


def _evaluate(spec: AgreementSpec, as_of: date, events: Sequence[Event]) -> LifecycleState:
    warnings: list[str] = []
    facts = known_on(spec, as_of, events, warnings)
    eif = entry_into_force(facts, warnings)
    start = eif.date if eif.date is not None and eif.date <= as_of else None
    parties_eif = party_dates(facts, eif)
    schedule = Schedule.of(facts, eif.date) if eif.date is not None else None

    given = notices(facts, schedule, parties_eif, eif.date, warnings)
    ending = termination(given, warnings)

    # When the agreement ends: by a notice, or because its term runs out.
    end, end_reason = None, None
    if ending is not None and ending.valid and ending.effective is not None:
        end, end_reason = ending.effective, f"termination: {ending.reason}"
    natural = schedule.natural_end() if schedule is not None else None
    if natural is not None and (end is None or natural[0] < end):
        end, end_reason = natural

    periods = schedule.listing(as_of, end) if schedule is not None else ()
    current = None
    if start is not None and (end is None or as_of < end):
        current = next((p for p in periods if p.contains(as_of)), None)

    provisional = provisional_application(facts, eif.date, end, warnings)
    state, state_reason = status(facts, eif, start, end, end_reason, ending, provisional)
    nr_deadline = non_renewal_deadline(facts, schedule, current, state)
    withdrawals = {n.party: n for n in given if n.ends == "party"}
    parties = tuple(
        PartyState(party, parties_eif[party][0], parties_eif[party][1], withdrawals.get(party))
        for party in spec.parties
    )
    return LifecycleState(
        id=spec.id,
        as_of=as_of,
        status=state,
        status_reason=state_reason,
        entry_into_force=eif,
        periods=periods,
        current_period=current,
        non_renewal_deadline=nr_deadline,
        termination=ending,
        provisional_application=provisional,
        parties=parties,
        surviving_obligations=surviving_obligations(facts, end, state),
        deadlines=deadlines(
            facts,
            eif=eif,
            parties_eif=parties_eif,
            schedule=schedule,
            current=current,
            nr_deadline=nr_deadline,
            termination=ending,
            end=end,
            end_reason=end_reason,
            provisional=provisional,
            withdrawals=withdrawals,
        ),
        warnings=tuple(dict.fromkeys(warnings)),
        end=end,
        end_reason=end_reason,
    )
