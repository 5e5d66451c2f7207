"""What an evaluation knows on its as-of date: the agreement's rules and the events dated on or
before that date, cut to what had happened by then.

Invariant: the state on date Q depends only on the spec and the events dated on or before Q:
events are cut at Q (`cut_event`) before anything is computed, and an event that may or may not
have happened by Q (its day unknown) is left out, with a warning saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from comity.domain.lifecycle.model import AgreementSpec, Conventions, Event, PartialDate, human_date

__all__ = ["Facts", "cut_event", "known_on"]


@dataclass(frozen=True, slots=True)
class Facts:
    """The rules of `spec` and its `events` as known on `as_of` (cut, in date order)."""

    spec: AgreementSpec
    as_of: date
    events: tuple[Event, ...]

    @property
    def conventions(self) -> Conventions:
        return self.spec.conventions

    def of_kind(self, kind: str, party: str | None = None) -> list[Event]:
        return [e for e in self.events if e.kind == kind and (party is None or e.party == party)]

    def counting(self, event: Event) -> PartialDate | None:
        """The date that counts for `event` (receipt or dispatch, by the conventions)."""
        return event.counting_date(self.conventions.notice_date)


def known_on(
    spec: AgreementSpec, as_of: date, events: Sequence[Event], warnings: list[str]
) -> Facts:
    """The facts of `spec` with `events` on `as_of`; a warning for each event left out because
    its day is unknown and it may or may not have happened by then."""
    known: list[Event] = []
    for event in sorted(events, key=_sort_key):
        cut = cut_event(event, as_of)
        if cut is not None:
            known.append(cut)
            continue
        first = event.primary_date
        if first is not None and first.earliest <= as_of:
            warnings.append(
                f"{_describe(event)} dated {first} may or may not have happened by "
                f"{human_date(as_of)} (day unknown); not counted"
            )
    return Facts(spec, as_of, tuple(known))


def cut_event(event: Event, as_of: date) -> Event | None:
    """The event as known on `as_of`: dates after `as_of` are dropped (a notice dispatched but
    not yet received keeps only its dispatch); None when nothing of it had happened yet.
    A month-only date counts only once the whole month is over."""

    def keep(value: PartialDate | None) -> PartialDate | None:
        return value if value is not None and value.latest <= as_of else None

    on, dispatched, received = keep(event.date), keep(event.dispatched), keep(event.received)
    if on is None and dispatched is None and received is None:
        return None
    return replace(event, date=on, dispatched=dispatched, received=received)


def _sort_key(event: Event) -> tuple[date, str]:
    first = event.primary_date
    return (first.earliest if first is not None else date.max, event.kind)


def _describe(event: Event) -> str:
    who = f" by {event.party}" if event.party else ""
    return f"{event.kind.replace('_', ' ')}{who}"
