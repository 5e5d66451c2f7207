"""Evaluation: an agreement's rules and recorded events → its derived state on a given date.

This module owns the date arithmetic of the lifecycle (reference/treaty-lifecycle.md §6, C0–C8,
with the per-agreement switches of `Conventions`). Invariants:

- Pure and reproducible: the state on date Q depends only on the spec and the events dated on or
  before Q (events are cut at Q before anything is computed), never on the clock.
- Every derived date carries a one-line reason saying how it was obtained.
- Nothing is guessed: a computation that needs the day of a date known only to the month
  reports its result as unknown, with the reason; a recorded entry-into-force date wins over
  the computed one, and a difference between them is a warning.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from comity.domain.lifecycle.model import (
    AgreementSpec,
    DateOutOfRange,
    EntryIntoForceRule,
    Event,
    Offset,
    PartialDate,
    Period,
    days_after,
    first_of_year,
    human_date,
    months_after,
)

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
#: Safety bound on generated periods: 1-day renewals over a century stay well under it.
_MAX_PERIODS = 100_000

#: Every `Deadline.kind` this engine emits: stable codes that readers (the pages' vocabulary,
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


def _day_before(day: date) -> date:
    return days_after(day, -1)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --------------------------------------------------------------------------------------------
# Result values


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
        return None if self.expiry is None else _day_before(self.expiry)

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
        return None if self.effective is None else _day_before(self.effective)

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


# --------------------------------------------------------------------------------------------
# Intermediate outcome of a date rule


@dataclass(frozen=True, slots=True)
class _Outcome:
    """A rule's date, or why there is none: `unknown` (a needed day is missing) vs not yet."""

    date: date | None
    reason: str
    unknown: bool = False
    #: For `instruments`: the day the threshold was reached (before the offset).
    threshold: _Date | None = None


def evaluate(
    spec: AgreementSpec, *, as_of: date, extra_events: Sequence[Event] = ()
) -> LifecycleState:
    """The state of `spec` on `as_of`, counting only events dated on or before `as_of`.

    A state that needs a date the calendar cannot hold (a period running past 9999-12-31 from
    an as-of date near its end) is refused as a `DateOutOfRange` naming the agreement."""
    try:
        return _Evaluation(spec, as_of, (*spec.events, *extra_events)).run()
    except DateOutOfRange as exc:
        raise DateOutOfRange(
            later=exc.later,
            message=f"cannot evaluate the agreement on {as_of.isoformat()}",
            what="a date it needs",
            location=f"agreement {spec.id}",
        ) from None


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


class _Evaluation:
    def __init__(self, spec: AgreementSpec, as_of: date, events: Sequence[Event]) -> None:
        self.spec = spec
        self.q = as_of
        self.c = spec.conventions
        self.warnings: list[str] = []
        self.eif: EntryIntoForce | None = None
        ordered = sorted(events, key=lambda e: _sort_key(e))
        self.events: list[Event] = []
        for event in ordered:
            cut = cut_event(event, as_of)
            if cut is not None:
                self.events.append(cut)
            else:
                first = event.primary_date
                if first is not None and first.earliest <= as_of:
                    self.warnings.append(
                        f"{_describe(event)} dated {first} may or may not have happened by "
                        f"{human_date(as_of)} (day unknown); not counted"
                    )

    # -- arithmetic ---------------------------------------------------------------------------

    def add(self, start: date, period: Period) -> date:
        return period.add_to(start, self.c.month_end)

    def effect(self, start: date, period: Period) -> date:
        """C3: the first day of the new status, P after D (`day_after`: one day later)."""
        result = self.add(start, period)
        return days_after(result, 1) if self.c.effect == "day_after" else result

    def effect_words(self, period: Period) -> str:
        extra = " and a day (civil-law counting)" if self.c.effect == "day_after" else ""
        return f"{period.human()}{extra}"

    @staticmethod
    def first_day(base: date, k: int) -> date:
        """C2: day 1 of the k-th month after the month of `base`."""
        return months_after(base.replace(day=1), k)

    def apply_offset(self, base: date, offset: Offset, base_reason: str) -> tuple[date, str]:
        result, reason = base, base_reason
        if offset.days_after is not None:
            result = days_after(base, offset.days_after)
            reason = f"{offset.days_after} days after {reason}"
        elif offset.after is not None:
            result = self.effect(base, offset.after)
            reason = f"{self.effect_words(offset.after)} after {reason}"
        if offset.first_day_of_month is not None:
            result = self.first_day(result, offset.first_day_of_month)
            reason = f"first day of the {_ordinal(offset.first_day_of_month)} month after {reason}"
        return result, reason

    # -- events -------------------------------------------------------------------------------

    def of_kind(self, kind: str, party: str | None = None) -> list[Event]:
        return [e for e in self.events if e.kind == kind and (party is None or e.party == party)]

    def counting(self, event: Event) -> PartialDate | None:
        return event.counting_date(self.c.notice_date)

    # -- rules --------------------------------------------------------------------------------

    def rule(self, rule: EntryIntoForceRule) -> _Outcome:
        if rule.later_of:
            parts = [self.rule(sub) for sub in rule.later_of]
            missing = [p for p in parts if p.date is None]
            if missing:
                unknown = any(p.unknown for p in missing)
                return _Outcome(None, "; ".join(p.reason for p in missing), unknown=unknown)
            latest = max(parts, key=lambda p: p.date or date.min)
            assert latest.date is not None
            base, base_reason = latest.date, f"the later of: {'; '.join(p.reason for p in parts)}"
            threshold = None
        else:
            found = self.trigger(rule)
            if found.date is None:
                return found
            base, base_reason, threshold = found.date, found.reason, found.threshold
        result, reason = self.apply_offset(base, rule.offset, base_reason)
        return _Outcome(result, reason, threshold=threshold)

    def trigger(self, rule: EntryIntoForceRule) -> _Outcome:
        if rule.trigger == "date":
            assert rule.date is not None
            return _Outcome(rule.date, f"the date fixed in the agreement, {human_date(rule.date)}")
        if rule.trigger == "signature":
            return self.last_of_parties("signature", "signature", "signed")
        if rule.trigger == "last_notification":
            return self.last_of_parties(
                "notification", "notification", f"{self.c.notice_date} of notification"
            )
        return self.instruments(rule)

    def last_of_parties(self, kind: str, noun: str, verb: str) -> _Outcome:
        """The latest of every party's first `kind` event (counting date for notifications)."""
        dates: list[tuple[date, str]] = []
        not_yet: list[str] = []
        for party in self.spec.parties:
            events = self.of_kind(kind, party)
            counted = [(e, self.counting(e)) for e in events]
            dated = [(e, d) for e, d in counted if d is not None]
            if not dated:
                if events:
                    not_yet.append(
                        f"{party}'s {noun} was dispatched but its receipt is not recorded"
                    )
                else:
                    not_yet.append(f"no {noun} by {party} yet")
                continue
            _, first = min(dated, key=lambda item: item[1].earliest)
            if first.exact is None:
                return _Outcome(
                    None,
                    f"unknown: the {noun} by {party} is known only to the month ({first})",
                    unknown=True,
                )
            dates.append((first.exact, party))
        if not_yet:
            return _Outcome(None, "; ".join(not_yet))
        last, party = max(dates)
        which = "last" if len(dates) > 1 else "the"
        return _Outcome(last, f"{which} {noun} ({verb} by {party} on {human_date(last)})")

    def deposits(self) -> list[tuple[PartialDate, Event]]:
        firsts: dict[str, tuple[PartialDate, Event]] = {}
        for event in self.of_kind("instrument_deposited"):
            on = event.primary_date
            assert event.party is not None
            assert on is not None
            if event.party not in firsts or on.earliest < firsts[event.party][0].earliest:
                firsts[event.party] = (on, event)
        return sorted(firsts.values(), key=lambda item: (item[0].earliest, item[1].party or ""))

    def instruments(self, rule: EntryIntoForceRule) -> _Outcome:
        needed = rule.count
        if needed is None and rule.weight_share is None:
            needed = len(self.spec.parties)
        total = Decimal(0)
        for number, (on, event) in enumerate(self.deposits(), start=1):
            total += event.weight or Decimal(0)
            count_ok = needed is None or number >= needed
            weight_ok = rule.weight_share is None or total >= rule.weight_share
            if count_ok and weight_ok:
                if on.exact is None:
                    return _Outcome(
                        None,
                        f"unknown: the deposit by {event.party} that met the threshold is known "
                        f"only to the month ({on})",
                        unknown=True,
                    )
                share = "" if rule.weight_share is None else f", {total} % of the weight"
                reason = (
                    f"the {_ordinal(number)} instrument ({event.instrument or 'instrument'} "
                    f"by {event.party} deposited on {human_date(on.exact)}{share})"
                )
                return _Outcome(on.exact, reason, threshold=on.exact)
        parts = []
        if needed is not None:
            parts.append(f"{len(self.deposits())} of {needed} instruments deposited")
        if rule.weight_share is not None:
            parts.append(f"{total} % of {rule.weight_share} % of the weight")
        return _Outcome(None, "threshold not reached: " + ", ".join(parts))

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> LifecycleState:
        spec = self.spec
        eif = self.eif = self.entry_into_force()
        start = eif.date if eif.date is not None and eif.date <= self.q else None
        parties_eif = self.party_dates(eif)
        schedule = _Schedule(self, eif.date) if eif.date is not None else None

        notices = self.notices(schedule, parties_eif)
        agreement_notices = [n for n in notices if n.ends == "agreement"]
        valid = [n for n in agreement_notices if n.valid and n.effective is not None]
        termination: NoticeOutcome | None
        if valid:
            termination = min(valid, key=lambda n: n.effective or date.max)
            for other in agreement_notices:
                if other is not termination and other.valid:
                    self.warnings.append(
                        f"{other.kind.replace('_', '-')} notice by {other.party} "
                        f"({other.notice}) is superseded by the earlier termination"
                    )
        else:
            # No notice with a known effect: show the pending one, else the rejected one.
            pending = [n for n in agreement_notices if n.valid] or agreement_notices
            termination = pending[-1] if pending else None

        # When the agreement ends: by a notice, or because its term runs out.
        end, end_reason = None, None
        if termination is not None and termination.valid and termination.effective is not None:
            end, end_reason = termination.effective, f"termination: {termination.reason}"
        natural = schedule.natural_end() if schedule is not None else None
        if natural is not None and (end is None or natural[0] < end):
            end, end_reason = natural

        periods = schedule.listing(self.q, end) if schedule is not None else ()
        current = None
        if start is not None and (end is None or self.q < end):
            current = next((p for p in periods if p.contains(self.q)), None)

        provisional = self.provisional(eif.date, end)
        status, status_reason = self.status(eif, start, end, end_reason, termination, provisional)
        nr_deadline = self.non_renewal_deadline(schedule, current, status)
        withdrawals = {n.party: n for n in notices if n.ends == "party"}
        parties = tuple(
            PartyState(
                party,
                parties_eif[party][0],
                parties_eif[party][1],
                withdrawals.get(party),
            )
            for party in spec.parties
        )
        surviving = self.surviving(end, status)
        deadlines = self.deadlines(
            eif,
            schedule,
            current,
            nr_deadline,
            termination,
            end,
            end_reason,
            provisional,
            parties_eif,
            withdrawals,
        )
        return LifecycleState(
            id=spec.id,
            as_of=self.q,
            status=status,
            status_reason=status_reason,
            entry_into_force=eif,
            periods=periods,
            current_period=current,
            non_renewal_deadline=nr_deadline,
            termination=termination,
            provisional_application=provisional,
            parties=parties,
            surviving_obligations=surviving,
            deadlines=deadlines,
            warnings=tuple(dict.fromkeys(self.warnings)),
            end=end,
            end_reason=end_reason,
        )

    # -- entry into force ---------------------------------------------------------------------

    def entry_into_force(self) -> EntryIntoForce:
        computed = self.rule(self.spec.entry_into_force)
        general = [
            e
            for e in self.of_kind("entry_into_force")
            if e.party is None or self.spec.kind == "bilateral"
        ]
        if not general:
            if computed.unknown:
                self.warnings.append(f"entry into force cannot be computed: {computed.reason}")
            if computed.date is None:
                return EntryIntoForce(None, "computed", None, f"not in force: {computed.reason}")
            return EntryIntoForce(
                computed.date,
                "computed",
                computed.date,
                f"{human_date(computed.date)}: {computed.reason}",
            )
        recorded_event = general[0]
        recorded = recorded_event.primary_date
        assert recorded is not None
        evidence = f"; evidence: {recorded_event.evidence}" if recorded_event.evidence else ""
        if recorded.exact is None:
            self.warnings.append(
                f"the recorded entry into force is known only to the month ({recorded}); "
                "dates counted from it are unknown"
            )
            return EntryIntoForce(
                None, "recorded", computed.date, f"recorded as {recorded}{evidence}: day unknown"
            )
        on = recorded.exact
        explanation = f"recorded: in force since {human_date(on)}{evidence}"
        if computed.date is None:
            self.warnings.append(
                f"the recorded entry into force ({human_date(on)}) cannot be checked against "
                f"the rule: {computed.reason}"
            )
        elif computed.date != on:
            self.warnings.append(
                f"the recorded entry into force ({human_date(on)}) differs from the computed "
                f"one ({human_date(computed.date)}: {computed.reason}); the recorded date is used"
            )
        steps = [
            e
            for e in self.of_kind("domestic_step")
            if e.primary_date is not None and e.primary_date.exact == on
        ]
        if steps and computed.date != on:
            step = steps[0]
            self.warnings.append(
                f"the recorded entry into force is the date of {step.party}'s domestic "
                f"{step.step} ({human_date(on)}); domestic approval is not entry into force, "
                "so check the exchange of notifications"
            )
        return EntryIntoForce(on, "recorded", computed.date, explanation)

    def party_dates(self, eif: EntryIntoForce) -> dict[str, tuple[date | None, str]]:
        """Per-party entry into force (multilateral threshold treaties give later parties their
        own dates; a party's recorded date wins)."""
        rule = self.spec.entry_into_force
        general = eif.date
        result: dict[str, tuple[date | None, str]] = {}
        recorded = {
            e.party: e
            for e in self.of_kind("entry_into_force")
            if e.party is not None and self.spec.kind == "multilateral"
        }
        deposits = {e.party: on for on, e in self.deposits()}
        threshold = self.rule(rule).threshold if rule.trigger == "instruments" else None
        for party in self.spec.parties:
            if party in recorded:
                on = recorded[party].primary_date
                assert on is not None
                result[party] = (on.exact, f"recorded for {party} as {on}")
                continue
            if general is None:
                result[party] = (None, "the agreement is not in force")
                continue
            if self.spec.kind == "bilateral" or rule.trigger != "instruments":
                result[party] = (general, "the agreement's entry into force")
                continue
            deposit = deposits.get(party)
            if deposit is None:
                result[party] = (None, f"{party} has not deposited an instrument")
                continue
            if deposit.exact is None:
                result[party] = (None, f"unknown: {party}'s deposit is known only as {deposit}")
                continue
            if threshold is None or deposit.exact <= threshold:
                result[party] = (general, "the agreement's entry into force")
                continue
            own, reason = self.later_party(deposit.exact, rule)
            if own < general:
                result[party] = (general, "the agreement's entry into force (deposited before it)")
            else:
                result[party] = (own, reason)
        return result

    def later_party(self, deposit: date, rule: EntryIntoForceRule) -> tuple[date, str]:
        base = f"its deposit on {human_date(deposit)}"
        if rule.later_parties is None:
            return deposit, f"on {base} (no later date in the agreement)"
        return self.apply_offset(deposit, rule.later_parties, base)

    # -- notices ------------------------------------------------------------------------------

    def notices(
        self,
        schedule: _Schedule | None,
        parties_eif: dict[str, tuple[date | None, str]],
    ) -> list[NoticeOutcome]:
        outcomes: list[tuple[Event, NoticeOutcome]] = []
        for event in self.events:
            if event.kind == "non_renewal_notice":
                outcomes.append((event, self.non_renewal(event, schedule)))
            elif event.kind == "denunciation_notice":
                outcomes.append((event, self.denunciation(event, parties_eif)))
        withdrawn: set[int] = set()
        for withdrawal in self.of_kind("notice_withdrawn"):
            on = self.counting(withdrawal)
            if on is None:
                self.warnings.append(
                    f"the withdrawal by {withdrawal.party} was dispatched but its receipt is not "
                    "recorded; it does not count yet"
                )
                continue
            # Only a notice given before the withdrawal can be withdrawn by it.
            candidates = [
                (i, (event, outcome))
                for i, (event, outcome) in enumerate(outcomes)
                if event.party == withdrawal.party
                and i not in withdrawn
                and (withdrawal.withdraws is None or event.kind == withdrawal.withdraws)
                and event.primary_date is not None
                and event.primary_date.earliest <= on.latest
            ]
            if not candidates:
                self.warnings.append(
                    f"notice withdrawn by {withdrawal.party} ({on}) matches no notice; ignored"
                )
                continue
            index, (event, outcome) = candidates[-1]
            if on.exact is None:
                self.warnings.append(
                    f"the withdrawal by {withdrawal.party} is known only to the month ({on}); "
                    "the notice is treated as withdrawn"
                )
                withdrawn.add(index)
            elif outcome.effective is not None and on.exact >= outcome.effective:
                self.warnings.append(
                    f"the withdrawal by {withdrawal.party} on {human_date(on.exact)} came after "
                    f"the notice took effect ({human_date(outcome.effective)}); ignored"
                )
            else:
                withdrawn.add(index)
        return [o for i, (_, o) in enumerate(outcomes) if i not in withdrawn]

    def notice_date(self, event: Event) -> tuple[PartialDate | None, str | None]:
        """The counting date of a notice, or why it does not count yet."""
        on = self.counting(event)
        if on is None:
            return None, (
                f"dispatched on {event.dispatched}; its receipt is not recorded and receipt "
                "counts (conventions.notice_date)"
            )
        return on, None

    def non_renewal(self, event: Event, schedule: _Schedule | None) -> NoticeOutcome:
        party = event.party
        on, problem = self.notice_date(event)

        def out(
            valid: bool, reason: str, timely: bool | None = None, effective: date | None = None
        ) -> NoticeOutcome:
            return NoticeOutcome(
                "non_renewal",
                party,
                None if on is None else str(on),
                timely,
                effective,
                valid,
                reason,
            )

        rule = self.spec.non_renewal
        if rule is None or self.spec.term.renewal != "automatic":
            return out(False, "the agreement has no automatic renewal to stop by notice")
        if on is None:
            return out(False, f"does not count yet: {problem}")
        if on.exact is None:
            return out(True, f"unknown: the notice is known only to the month ({on})")
        if schedule is None:
            return out(True, "unknown: entry into force unknown, so the periods are unknown")
        given = on.exact
        current = schedule.at_or_after(given)
        if current.expiry is None:
            return out(False, "the agreement has no end of period to stop renewal at")
        if not schedule.renews_after(current.index):
            return out(
                True,
                f"no renewal left after period {current.index}: the agreement ends on "
                f"{human_date(_day_before(current.expiry))} anyway",
                None,
                current.expiry,
            )
        first_deadline = schedule.deadline(current, rule.notice_before_expiry)
        timely = first_deadline is not None and given <= first_deadline
        target = current if timely else schedule.period(current.index + 1)
        assert target is not None  # current renews, so the next period exists
        if event.effective is not None and event.effective.exact is not None:
            # The notice names a later end: the agreement can still only end with a period.
            while target.expiry is not None and target.expiry < event.effective.exact:
                nxt = schedule.period(target.index + 1)
                if nxt is None:
                    break
                target = nxt
        if target.expiry is None:
            return out(False, "the agreement has no end of period to stop renewal at")
        last_day = _day_before(target.expiry)
        deadline = schedule.deadline(target, rule.notice_before_expiry)
        assert deadline is not None
        if timely:
            reason = (
                f"given {human_date(given)}, on or before {human_date(deadline)} "
                f"({rule.notice_before_expiry.human()} before the last day of period "
                f"{target.index}, {human_date(last_day)}): the agreement ends on "
                f"{human_date(last_day)}"
            )
        else:
            reason = (
                f"late: given {human_date(given)}, after the last timely day for period "
                f"{target.index - 1}; it takes effect at the end of the following period, "
                f"on {human_date(last_day)}"
            )
            self.warnings.append(f"non-renewal notice by {party}: {reason}")
        return out(True, reason, timely, target.expiry)

    def denunciation(
        self, event: Event, parties_eif: dict[str, tuple[date | None, str]]
    ) -> NoticeOutcome:
        rule = self.spec.denunciation
        party = event.party
        on, problem = self.notice_date(event)
        ends: Literal["agreement", "party"] = "agreement" if rule is None else rule.ends

        def out(
            valid: bool, reason: str, timely: bool | None = None, effective: date | None = None
        ) -> NoticeOutcome:
            return NoticeOutcome(
                "denunciation",
                party,
                None if on is None else str(on),
                timely,
                effective,
                valid,
                reason,
                ends,
            )

        if rule is None:
            return out(False, "the agreement has no clause on termination by notice")
        if on is None:
            return out(False, f"does not count yet: {problem}")
        if on.exact is None:
            return out(True, f"unknown: the notice is known only to the month ({on})")
        given = on.exact
        if rule.not_before is not None:
            if rule.not_before_from == "party_entry_into_force" and party is not None:
                anchor, anchor_name = (
                    parties_eif.get(party, (None, ""))[0],
                    (f"entry into force for {party}"),
                )
            else:
                anchor = self.entry_into_force_date()
                anchor_name = "entry into force"
            if anchor is None:
                return out(True, f"unknown: the lock-in is counted from {anchor_name}, unknown")
            allowed = self.add(anchor, rule.not_before)
            if given < allowed:
                return out(
                    False,
                    f"given {human_date(given)}, before termination by notice is allowed (as "
                    f"from {human_date(allowed)}: {rule.not_before.human()} after {anchor_name} "
                    f"on {human_date(anchor)})",
                    False,
                )
        timely: bool = True
        if rule.effect is None:
            # C3 then C2, as in "the first day of the month following the expiration of a
            # period of three months after the date of receipt".
            effective, reason = given, f"the notice of {human_date(given)}"
            if rule.effect_after is not None:
                effective = self.effect(given, rule.effect_after)
                reason = f"{self.effect_words(rule.effect_after)} after {reason}"
            if rule.effect_first_day_of_month is not None:
                effective = self.first_day(effective, rule.effect_first_day_of_month)
                reason = (
                    f"first day of the {_ordinal(rule.effect_first_day_of_month)} month after "
                    f"{reason}"
                )
        else:
            assert rule.notice_by is not None
            deadline = rule.notice_by.in_year(given.year)
            if given <= deadline:
                effective = first_of_year(given.year + 1)
                reason = (
                    f"notice of {human_date(given)} on or before {human_date(deadline)}: "
                    f"effective from 1 January {given.year + 1}"
                )
            else:
                timely = False
                effective = first_of_year(given.year + 2)
                reason = (
                    f"late: notice of {human_date(given)} after {human_date(deadline)}; read as "
                    f"deferred to the next year, effective from 1 January {given.year + 2}"
                )
                self.warnings.append(
                    f"termination notice by {party}: {reason} (a literal reading would give "
                    f"1 January {given.year + 1}; check the clause)"
                )
        if event.effective is not None:
            wanted = event.effective.exact
            if wanted is None:
                return out(True, f"unknown: the notice names a month only ({event.effective})")
            if wanted > effective:
                effective, reason = (
                    wanted,
                    (
                        "the date the notice itself specifies (the clause allows "
                        f"{human_date(effective)})"
                    ),
                )
            elif wanted < effective:
                self.warnings.append(
                    f"the notice by {party} names {human_date(wanted)}, earlier than the clause "
                    f"allows ({human_date(effective)}); the clause prevails"
                )
        if ends == "party":
            reason = f"{party} withdraws: {reason}"
        return out(True, reason, timely, effective)

    def entry_into_force_date(self) -> date | None:
        return None if self.eif is None else self.eif.date

    # -- provisional application --------------------------------------------------------------

    def provisional(self, eif: date | None, end: date | None) -> ProvisionalApplication | None:
        rule = self.spec.provisional_application
        candidates: list[tuple[PartialDate, str]] = []
        if rule is not None:
            outcome = self.rule(rule.start)
            if outcome.date is not None:
                candidates.append((PartialDate.of(outcome.date), outcome.reason))
            elif outcome.unknown:
                self.warnings.append(f"provisional application start unknown: {outcome.reason}")
        for event in self.of_kind("provisional_application"):
            on = event.primary_date
            assert on is not None
            who = f" by {event.party}" if event.party else ""
            evidence = f"; evidence: {event.evidence}" if event.evidence else ""
            candidates.append((on, f"applied{who} from {on.human()}{evidence}"))
        if not candidates:
            return None
        start, reason = min(candidates, key=lambda item: item[0].earliest)
        if start.earliest > self.q:
            return ProvisionalApplication(start, None, f"will start: {reason}", None)
        ends: list[tuple[date, str]] = []
        if eif is not None:
            ends.append((eif, f"superseded by entry into force on {human_date(eif)}"))
        for event in self.of_kind("provisional_application_notice"):
            on = self.counting(event)
            if on is None or on.exact is None:
                continue
            after = (
                Period()
                if rule is None or rule.termination_effect_after is None
                else (rule.termination_effect_after)
            )
            effective = on.exact if after.is_zero else self.effect(on.exact, after)
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

    # -- status -------------------------------------------------------------------------------

    def status(
        self,
        eif: EntryIntoForce,
        start: date | None,
        end: date | None,
        end_reason: str | None,
        termination: NoticeOutcome | None,
        provisional: ProvisionalApplication | None,
    ) -> tuple[Status, str]:
        if start is not None:
            if end is not None and end <= self.q:
                ended_by_notice = termination is not None and termination.effective == end
                status: Status = "terminated" if ended_by_notice else "expired"
                return status, f"ended on {human_date(_day_before(end))} ({end_reason})"
            if termination is not None and termination.valid:
                when = (
                    "on a date not yet known"
                    if termination.effective is None
                    else f"on {human_date(termination.effective)}"
                )
                return "termination_pending", f"in force; ends {when}: {termination.reason}"
            return "in_force", f"in force since {human_date(start)}"
        if provisional is not None and provisional.start is not None:
            started = provisional.start.latest <= self.q
            ongoing = provisional.end is None or provisional.end > self.q
            if started and ongoing:
                return "provisionally_applied", provisional.reason
        if any(e.kind == "signature" for e in self.events):
            missing = [p for p in self.spec.parties if not self.of_kind("signature", p)]
            if eif.date is not None:
                return "signed", f"not yet in force; enters into force on {human_date(eif.date)}"
            if missing:
                return "signed", "signed; not yet signed by " + ", ".join(missing)
            return "signed", f"signed; {eif.explanation}"
        if any(e.kind in ("instrument_deposited", "notification") for e in self.events):
            return "signed", eif.explanation
        return "unsigned", "no signature recorded"

    # -- deadlines ----------------------------------------------------------------------------

    def non_renewal_deadline(
        self, schedule: _Schedule | None, current: PeriodInfo | None, status: Status
    ) -> NonRenewalDeadline | None:
        rule = self.spec.non_renewal
        if rule is None or schedule is None or current is None or status != "in_force":
            return None
        if current.last_day is None or not schedule.renews_after(current.index):
            return None
        deadline = schedule.deadline(current, rule.notice_before_expiry)
        assert deadline is not None
        passed = (
            " (passed: a notice now stops the renewal a period later)" if deadline < self.q else ""
        )
        return NonRenewalDeadline(
            deadline,
            current.index,
            f"{rule.notice_before_expiry.human()} before the last day of period "
            f"{current.index} ({human_date(current.last_day)}){passed}",
        )

    def deadlines(
        self,
        eif: EntryIntoForce,
        schedule: _Schedule | None,
        current: PeriodInfo | None,
        nr_deadline: NonRenewalDeadline | None,
        termination: NoticeOutcome | None,
        end: date | None,
        end_reason: str | None,
        provisional: ProvisionalApplication | None,
        parties_eif: dict[str, tuple[date | None, str]],
        withdrawals: dict[str | None, NoticeOutcome],
    ) -> tuple[Deadline, ...]:
        q = self.q
        found: list[Deadline] = []
        if eif.date is not None and eif.date > q:
            found.append(
                Deadline(eif.date, "entry_into_force", "enters into force", None, eif.explanation)
            )
        for party, (on, reason) in parties_eif.items():
            if on is not None and on > q and on != eif.date:
                found.append(
                    Deadline(
                        on, "party_entry_into_force", f"enters into force for {party}", None, reason
                    )
                )
        rule = self.spec.non_renewal
        if schedule is not None and current is not None and rule is not None:
            if nr_deadline is not None and nr_deadline.date >= q:
                found.append(
                    Deadline(
                        nr_deadline.date,
                        "non_renewal_notice",
                        "last day for a notice of non-renewal",
                        None,
                        nr_deadline.reason,
                    )
                )
            elif nr_deadline is not None:
                nxt = schedule.period(current.index + 1)
                if (
                    nxt is not None
                    and nxt.last_day is not None
                    and schedule.renews_after(nxt.index)
                ):
                    later = schedule.deadline(nxt, rule.notice_before_expiry)
                    assert later is not None
                    found.append(
                        Deadline(
                            later,
                            "non_renewal_notice",
                            "last day for a notice of non-renewal",
                            None,
                            f"{rule.notice_before_expiry.human()} before the last day of "
                            f"period {nxt.index} ({human_date(nxt.last_day)}); the deadline "
                            f"for period {current.index} has passed",
                        )
                    )
            if (
                current.expiry is not None
                and schedule.renews_after(current.index)
                and (end is None or end > current.expiry)
            ):
                found.append(
                    Deadline(
                        current.expiry,
                        "renewal",
                        "renews automatically"
                        if self.spec.term.renewal == "automatic"
                        else "renewed by agreement",
                        None,
                        f"period {current.index} ends on {human_date(_day_before(current.expiry))}",
                    )
                )
        if end is not None and end > q and eif.date is not None:
            kind = (
                "termination"
                if termination is not None and termination.effective == end
                else ("expiry")
            )
            found.append(
                Deadline(
                    end,
                    kind,
                    "terminates" if kind == "termination" else "expires",
                    None,
                    f"first day no longer in force; {end_reason}",
                )
            )
        denunciation = self.spec.denunciation
        if denunciation is not None and eif.date is not None and (end is None or end > q):
            if (
                denunciation.not_before is not None
                and denunciation.not_before_from == "entry_into_force"
            ):
                allowed = self.add(eif.date, denunciation.not_before)
                if allowed > q:
                    found.append(
                        Deadline(
                            allowed,
                            "denunciation_allowed",
                            "termination by notice allowed as from",
                            None,
                            f"{denunciation.not_before.human()} after entry into force on "
                            f"{human_date(eif.date)}",
                        )
                    )
            if denunciation.notice_by is not None and termination is None:
                by = denunciation.notice_by.in_year(q.year)
                if by < q:
                    by = denunciation.notice_by.in_year(q.year + 1)
                found.append(
                    Deadline(
                        by,
                        "denunciation_notice",
                        "last day for a notice of termination effective next 1 January",
                        None,
                        f"calendar-year clause: notice by {denunciation.notice_by} takes effect "
                        f"on 1 January {by.year + 1}",
                    )
                )
        if provisional is not None and provisional.end is not None and provisional.end > q:
            found.append(
                Deadline(
                    provisional.end,
                    "provisional_application_end",
                    "provisional application ends",
                    None,
                    provisional.end_reason or "",
                )
            )
        for party_code, withdrawal in withdrawals.items():
            if withdrawal.effective is not None and withdrawal.effective > q:
                found.append(
                    Deadline(
                        withdrawal.effective,
                        "withdrawal",
                        f"withdrawal of {party_code} takes effect",
                        None,
                        withdrawal.reason,
                    )
                )
        return tuple(sorted(found, key=lambda d: (d.date, d.kind)))

    def surviving(self, end: date | None, status: Status) -> tuple[SurvivingObligation, ...]:
        ended = status in ("terminated", "expired")
        result = []
        for item in self.spec.survival:
            period = item.until_period
            until_date = None if end is None or period is None else self.add(end, period)
            active = ended and (until_date is None or self.q < until_date)
            result.append(
                SurvivingObligation(item.article, item.text, item.until, end, until_date, active)
            )
        return tuple(result)


def _sort_key(event: Event) -> tuple[date, str]:
    first = event.primary_date
    return (first.earliest if first is not None else date.max, event.kind)


def _describe(event: Event) -> str:
    who = f" by {event.party}" if event.party else ""
    return f"{event.kind.replace('_', ' ')}{who}"


# --------------------------------------------------------------------------------------------
# Periods


class _Schedule:
    """The term periods counted from entry into force S (C4, C8).

    Period 0 is the initial term; with `renewal_anchor = entry_into_force` period k ends at
    S + (N + k·R), with `previous_expiry` at expiry(k−1) + R.
    """

    def __init__(self, evaluation: _Evaluation, start: date) -> None:
        self.e = evaluation
        self.start = start
        self.term = evaluation.spec.term
        self.cache: dict[int, PeriodInfo] = {}
        self.agreed = self._agreed_renewals()

    def _agreed_renewals(self) -> int:
        if self.term.renewal != "by_agreement":
            return 0
        agreed = sum(1 for e in self.e.of_kind("amendment") if e.renewal)
        if self.term.max_renewals is not None:
            # Renewals beyond the clause's limit would need an amendment of the clause itself.
            return min(agreed, self.term.max_renewals)
        return agreed

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
        if index < 0 or (total is not None and index >= total) or index > _MAX_PERIODS:
            return None
        if index in self.cache:
            return self.cache[index]
        s = self.start
        initial = self.term.initial
        if initial is None:
            info = PeriodInfo(0, s, None, f"indefinite, from entry into force on {human_date(s)}")
        elif index == 0:
            expiry = self.e.add(s, initial)
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
            if self.e.c.renewal_anchor == "entry_into_force":
                total_period = initial.plus(renewal.scaled(index))
                expiry = self.e.add(s, total_period)
                reason = (
                    f"renewal {index}: {renewal.human()}, ending {total_period.human()} after "
                    f"entry into force on {human_date(s)}"
                )
            else:
                expiry = self.e.add(previous.expiry, renewal)
                reason = (
                    f"renewal {index}: {renewal.human()} from the previous expiry on "
                    f"{human_date(previous.expiry)}"
                )
            info = PeriodInfo(index, previous.expiry, expiry, reason)
        self.cache[index] = info
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
        return notice.subtract_from(info.last_day, self.e.c.month_end)

    def natural_end(self) -> tuple[date, str] | None:
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
    "cut_event",
    "evaluate",
]
