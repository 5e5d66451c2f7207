"""The derived state of an agreement on a date, and the values it is made of.

These are the engine's results (`comity.domain.lifecycle.engine.evaluate`): computed, never
stored as truth, each date with the one-line reason it was obtained. `LifecycleState.to_json`
is the JSON documented in docs/lifecycle.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from comity.domain.lifecycle.model import PartialDate, days_after

__all__ = [
    "DEADLINE_KINDS",
    "Deadline",
    "EntryIntoForce",
    "LifecycleState",
    "NonRenewalDeadline",
    "NoticeOutcome",
    "PartyState",
    "PeriodInfo",
    "ProvisionalApplication",
    "Status",
    "SurvivingObligation",
    "day_before",
]

Status = Literal[
    "unsigned",
    "signed",
    "provisionally_applied",
    "in_force",
    "termination_pending",
    "terminated",
    "expired",
]

#: `date` under another name, for dataclasses that also have a field called `date`.
_Date = date

#: Every `Deadline.kind` the engine emits: stable codes that readers (the pages' vocabulary,
#: its translations, calendar feeds) key on. A new `Deadline(...)` kind must be added here;
#: tests/unit/lifecycle/test_deadline_kinds.py checks every deadline produced is listed.
DEADLINE_KINDS: frozenset[str] = frozenset(
    {
        "entry_into_force",
        "party_entry_into_force",
        "non_renewal_notice",
        "renewal",
        "termination",
        "expiry",
        "denunciation_allowed",
        "denunciation_notice",
        "provisional_application_end",
        "withdrawal",
    }
)


def day_before(day: date) -> date:
    return days_after(day, -1)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class PeriodInfo:
    """One term period: `start` (first day), `expiry` (first day no longer in it, C4), and
    `last_day` = expiry − 1 day. Both are None for an indefinite agreement."""

    index: int
    start: date
    expiry: date | None
    reason: str

    @property
    def last_day(self) -> date | None:
        return None if self.expiry is None else day_before(self.expiry)

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.expiry is None or day < self.expiry)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start": self.start.isoformat(),
            "last_day": _iso(self.last_day),
            "expiry": _iso(self.expiry),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class EntryIntoForce:
    """`basis` is `recorded` when an entry-into-force event was recorded, else `computed`."""

    date: date | None
    basis: Literal["recorded", "computed"]
    computed: _Date | None
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {
            "date": _iso(self.date),
            "basis": self.basis,
            "computed": _iso(self.computed),
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class NoticeOutcome:
    """What a non-renewal or denunciation notice does. `effective` is the first day the
    agreement (or, for a withdrawal, the party) is no longer bound; None when unknown or invalid.
    `timely` is None when it cannot be decided (partial dates)."""

    kind: Literal["non_renewal", "denunciation"]
    party: str | None
    notice: str | None
    timely: bool | None
    effective: date | None
    valid: bool
    reason: str
    ends: Literal["agreement", "party"] = "agreement"

    @property
    def last_day_in_force(self) -> date | None:
        return None if self.effective is None else day_before(self.effective)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "party": self.party,
            "notice": self.notice,
            "timely": self.timely,
            "effective": _iso(self.effective),
            "last_day_in_force": _iso(self.last_day_in_force),
            "valid": self.valid,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class ProvisionalApplication:
    """`start` may be known only to the month (a `PartialDate`); `end` is the first day the
    agreement is no longer applied provisionally (None while it still is, or will be)."""

    start: PartialDate | None
    end: date | None
    reason: str
    end_reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "start": None if self.start is None else str(self.start),
            "end": _iso(self.end),
            "reason": self.reason,
            "end_reason": self.end_reason,
        }


@dataclass(frozen=True, slots=True)
class PartyState:
    party: str
    entry_into_force: date | None
    reason: str
    withdrawal: NoticeOutcome | None

    def to_json(self) -> dict[str, Any]:
        return {
            "entry_into_force": _iso(self.entry_into_force),
            "reason": self.reason,
            "withdrawal": None if self.withdrawal is None else self.withdrawal.to_json(),
        }


@dataclass(frozen=True, slots=True)
class SurvivingObligation:
    article: str
    text: str
    until: str | None
    from_: date | None
    until_date: date | None
    active: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "text": self.text,
            "until": self.until,
            "from": _iso(self.from_),
            "until_date": _iso(self.until_date),
            "active": self.active,
        }


@dataclass(frozen=True, slots=True)
class Deadline:
    """An upcoming dated action. `party` is who must act, or None (either party / nobody)."""

    date: date
    kind: str
    action: str
    party: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "action": self.action,
            "party": self.party,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class NonRenewalDeadline:
    date: date
    period_index: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "period_index": self.period_index,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class LifecycleState:
    """The derived state of one agreement on `as_of`. Computed, never stored as truth."""

    id: str
    as_of: date
    status: Status
    status_reason: str
    entry_into_force: EntryIntoForce
    periods: tuple[PeriodInfo, ...]
    current_period: PeriodInfo | None
    non_renewal_deadline: NonRenewalDeadline | None
    termination: NoticeOutcome | None
    provisional_application: ProvisionalApplication | None
    parties: tuple[PartyState, ...]
    surviving_obligations: tuple[SurvivingObligation, ...]
    deadlines: tuple[Deadline, ...]
    warnings: tuple[str, ...]
    end: date | None = None
    end_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON documented in docs/lifecycle.md (dates as ISO strings)."""
        return {
            "id": self.id,
            "as_of": self.as_of.isoformat(),
            "status": self.status,
            "status_reason": self.status_reason,
            "entry_into_force": self.entry_into_force.to_json(),
            "periods": [p.to_json() for p in self.periods],
            "current_period": None
            if self.current_period is None
            else self.current_period.to_json(),
            "non_renewal_deadline": (
                None if self.non_renewal_deadline is None else self.non_renewal_deadline.to_json()
            ),
            "termination": None if self.termination is None else self.termination.to_json(),
            "end": None
            if self.end is None
            else {"date": self.end.isoformat(), "reason": self.end_reason},
            "provisional_application": (
                None
                if self.provisional_application is None
                else self.provisional_application.to_json()
            ),
            "parties": {p.party: p.to_json() for p in self.parties},
            "surviving_obligations": [s.to_json() for s in self.surviving_obligations],
            "deadlines": [d.to_json() for d in self.deadlines],
            "warnings": list(self.warnings),
        }
