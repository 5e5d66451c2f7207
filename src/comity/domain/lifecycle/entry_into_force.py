"""Entry into force: the rule's trigger (a fixed date, signatures, notifications, instruments
deposited), its offset, a recorded date, and each party's own date.

Invariants:
- Nothing is guessed: a rule that needs the day of a date known only to the month reports its
  result as unknown (`RuleOutcome.unknown`), with the reason.
- A recorded entry-into-force date wins over the computed one; a difference between them, or a
  recorded date that is really a domestic step's, is a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from comity.domain.lifecycle import arithmetic
from comity.domain.lifecycle.facts import Facts
from comity.domain.lifecycle.model import EntryIntoForceRule, Event, PartialDate, human_date
from comity.domain.lifecycle.state import EntryIntoForce

__all__ = ["PartyDates", "RuleOutcome", "deposits", "entry_into_force", "party_dates", "rule_date"]

#: `date` under another name, for the dataclass that also has a field called `date`.
_Date = date

#: Each party's entry into force (None: not, or not known) and the reason.
PartyDates = dict[str, tuple[date | None, str]]


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """A rule's date, or why there is none: `unknown` (a needed day is missing) vs not yet."""

    date: date | None
    reason: str
    unknown: bool = False
    #: For `instruments`: the day the threshold was reached (before the offset).
    threshold: _Date | None = None


def rule_date(facts: Facts, rule: EntryIntoForceRule) -> RuleOutcome:
    """The date `rule` gives on the facts (its trigger, then its offset)."""
    if rule.later_of:
        parts = [rule_date(facts, sub) for sub in rule.later_of]
        missing = [p for p in parts if p.date is None]
        if missing:
            unknown = any(p.unknown for p in missing)
            return RuleOutcome(None, "; ".join(p.reason for p in missing), unknown=unknown)
        latest = max(parts, key=lambda p: p.date or date.min)
        assert latest.date is not None
        base, base_reason = latest.date, f"the later of: {'; '.join(p.reason for p in parts)}"
        threshold = None
    else:
        found = _trigger(facts, rule)
        if found.date is None:
            return found
        base, base_reason, threshold = found.date, found.reason, found.threshold
    result, reason = arithmetic.apply_offset(facts.conventions, base, rule.offset, base_reason)
    return RuleOutcome(result, reason, threshold=threshold)


def _trigger(facts: Facts, rule: EntryIntoForceRule) -> RuleOutcome:
    if rule.trigger == "date":
        assert rule.date is not None
        return RuleOutcome(rule.date, f"the date fixed in the agreement, {human_date(rule.date)}")
    if rule.trigger == "signature":
        return _last_of_parties(facts, "signature", "signature", "signed")
    if rule.trigger == "last_notification":
        return _last_of_parties(
            facts,
            "notification",
            "notification",
            f"{facts.conventions.notice_date} of notification",
        )
    return _instruments(facts, rule)


def _last_of_parties(facts: Facts, kind: str, noun: str, verb: str) -> RuleOutcome:
    """The latest of every party's first `kind` event (counting date for notifications)."""
    dates: list[tuple[date, str]] = []
    not_yet: list[str] = []
    for party in facts.spec.parties:
        events = facts.of_kind(kind, party)
        counted = [(e, facts.counting(e)) for e in events]
        dated = [(e, d) for e, d in counted if d is not None]
        if not dated:
            if events:
                not_yet.append(f"{party}'s {noun} was dispatched but its receipt is not recorded")
            else:
                not_yet.append(f"no {noun} by {party} yet")
            continue
        _, first = min(dated, key=lambda item: item[1].earliest)
        if first.exact is None:
            return RuleOutcome(
                None,
                f"unknown: the {noun} by {party} is known only to the month ({first})",
                unknown=True,
            )
        dates.append((first.exact, party))
    if not_yet:
        return RuleOutcome(None, "; ".join(not_yet))
    last, party = max(dates)
    which = "last" if len(dates) > 1 else "the"
    return RuleOutcome(last, f"{which} {noun} ({verb} by {party} on {human_date(last)})")


def deposits(facts: Facts) -> list[tuple[PartialDate, Event]]:
    """Each party's first instrument deposited, in date order."""
    firsts: dict[str, tuple[PartialDate, Event]] = {}
    for event in facts.of_kind("instrument_deposited"):
        on = event.primary_date
        assert event.party is not None
        assert on is not None
        if event.party not in firsts or on.earliest < firsts[event.party][0].earliest:
            firsts[event.party] = (on, event)
    return sorted(firsts.values(), key=lambda item: (item[0].earliest, item[1].party or ""))


def _instruments(facts: Facts, rule: EntryIntoForceRule) -> RuleOutcome:
    needed = rule.count
    if needed is None and rule.weight_share is None:
        needed = len(facts.spec.parties)
    total = Decimal(0)
    deposited = deposits(facts)
    for number, (on, event) in enumerate(deposited, start=1):
        total += event.weight or Decimal(0)
        count_ok = needed is None or number >= needed
        weight_ok = rule.weight_share is None or total >= rule.weight_share
        if count_ok and weight_ok:
            if on.exact is None:
                return RuleOutcome(
                    None,
                    f"unknown: the deposit by {event.party} that met the threshold is known "
                    f"only to the month ({on})",
                    unknown=True,
                )
            share = "" if rule.weight_share is None else f", {total} % of the weight"
            reason = (
                f"the {arithmetic.ordinal(number)} instrument "
                f"({event.instrument or 'instrument'} by {event.party} deposited on "
                f"{human_date(on.exact)}{share})"
            )
            return RuleOutcome(on.exact, reason, threshold=on.exact)
    parts = []
    if needed is not None:
        parts.append(f"{len(deposited)} of {needed} instruments deposited")
    if rule.weight_share is not None:
        parts.append(f"{total} % of {rule.weight_share} % of the weight")
    return RuleOutcome(None, "threshold not reached: " + ", ".join(parts))


def entry_into_force(facts: Facts, warnings: list[str]) -> EntryIntoForce:
    """The agreement's entry into force: recorded if an event says so, else computed."""
    spec = facts.spec
    computed = rule_date(facts, spec.entry_into_force)
    general = [
        e for e in facts.of_kind("entry_into_force") if e.party is None or spec.kind == "bilateral"
    ]
    if not general:
        if computed.unknown:
            warnings.append(f"entry into force cannot be computed: {computed.reason}")
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
        warnings.append(
            f"the recorded entry into force is known only to the month ({recorded}); "
            "dates counted from it are unknown"
        )
        return EntryIntoForce(
            None, "recorded", computed.date, f"recorded as {recorded}{evidence}: day unknown"
        )
    on = recorded.exact
    explanation = f"recorded: in force since {human_date(on)}{evidence}"
    if computed.date is None:
        warnings.append(
            f"the recorded entry into force ({human_date(on)}) cannot be checked against "
            f"the rule: {computed.reason}"
        )
    elif computed.date != on:
        warnings.append(
            f"the recorded entry into force ({human_date(on)}) differs from the computed "
            f"one ({human_date(computed.date)}: {computed.reason}); the recorded date is used"
        )
    steps = [
        e
        for e in facts.of_kind("domestic_step")
        if e.primary_date is not None and e.primary_date.exact == on
    ]
    if steps and computed.date != on:
        step = steps[0]
        warnings.append(
            f"the recorded entry into force is the date of {step.party}'s domestic "
            f"{step.step} ({human_date(on)}); domestic approval is not entry into force, "
            "so check the exchange of notifications"
        )
    return EntryIntoForce(on, "recorded", computed.date, explanation)


def party_dates(facts: Facts, eif: EntryIntoForce) -> PartyDates:
    """Per-party entry into force (multilateral threshold treaties give later parties their
    own dates; a party's recorded date wins)."""
    spec = facts.spec
    rule = spec.entry_into_force
    general = eif.date
    result: PartyDates = {}
    recorded = {
        e.party: e
        for e in facts.of_kind("entry_into_force")
        if e.party is not None and spec.kind == "multilateral"
    }
    deposited = {e.party: on for on, e in deposits(facts)}
    threshold = rule_date(facts, rule).threshold if rule.trigger == "instruments" else None
    for party in spec.parties:
        if party in recorded:
            on = recorded[party].primary_date
            assert on is not None
            result[party] = (on.exact, f"recorded for {party} as {on}")
            continue
        if general is None:
            result[party] = (None, "the agreement is not in force")
            continue
        if spec.kind == "bilateral" or rule.trigger != "instruments":
            result[party] = (general, "the agreement's entry into force")
            continue
        deposit = deposited.get(party)
        if deposit is None:
            result[party] = (None, f"{party} has not deposited an instrument")
            continue
        if deposit.exact is None:
            result[party] = (None, f"unknown: {party}'s deposit is known only as {deposit}")
            continue
        if threshold is None or deposit.exact <= threshold:
            result[party] = (general, "the agreement's entry into force")
            continue
        own, reason = _later_party(facts, deposit.exact, rule)
        if own < general:
            result[party] = (general, "the agreement's entry into force (deposited before it)")
        else:
            result[party] = (own, reason)
    return result


def _later_party(facts: Facts, deposit: date, rule: EntryIntoForceRule) -> tuple[date, str]:
    base = f"its deposit on {human_date(deposit)}"
    if rule.later_parties is None:
        return deposit, f"on {base} (no later date in the agreement)"
    return arithmetic.apply_offset(facts.conventions, deposit, rule.later_parties, base)
