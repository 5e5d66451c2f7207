"""Notices that end an agreement or a party's part in it: non-renewal, denunciation (termination
by notice, or a party's withdrawal), their withdrawal, and which notice ends the agreement.

Invariants:
- A notice counts from its counting date (receipt or dispatch, by the conventions); before that
  date is recorded it does not count yet, and says why.
- A non-renewal notice can only end the agreement with a period; a late one takes effect a
  period later. A denunciation takes effect as its clause says, never earlier than the clause
  allows (a later date the notice names wins).
- Of several valid notices the earliest effect ends the agreement; the others are reported as
  superseded.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from comity.domain.lifecycle import arithmetic
from comity.domain.lifecycle.entry_into_force import PartyDates
from comity.domain.lifecycle.facts import Facts
from comity.domain.lifecycle.model import Event, PartialDate, first_of_year, human_date
from comity.domain.lifecycle.periods import Schedule
from comity.domain.lifecycle.state import NoticeOutcome, day_before

__all__ = ["notices", "termination"]


def notices(
    facts: Facts,
    schedule: Schedule | None,
    parties_eif: PartyDates,
    eif_date: date | None,
    warnings: list[str],
) -> list[NoticeOutcome]:
    """Every notice given by the as-of date and what it does, less those withdrawn in time."""
    outcomes: list[tuple[Event, NoticeOutcome]] = []
    for event in facts.events:
        if event.kind == "non_renewal_notice":
            outcomes.append((event, _non_renewal(facts, event, schedule, warnings)))
        elif event.kind == "denunciation_notice":
            outcomes.append((event, _denunciation(facts, event, parties_eif, eif_date, warnings)))
    withdrawn: set[int] = set()
    for withdrawal in facts.of_kind("notice_withdrawn"):
        on = facts.counting(withdrawal)
        if on is None:
            warnings.append(
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
            warnings.append(
                f"notice withdrawn by {withdrawal.party} ({on}) matches no notice; ignored"
            )
            continue
        index, (event, outcome) = candidates[-1]
        if on.exact is None:
            warnings.append(
                f"the withdrawal by {withdrawal.party} is known only to the month ({on}); "
                "the notice is treated as withdrawn"
            )
            withdrawn.add(index)
        elif outcome.effective is not None and on.exact >= outcome.effective:
            warnings.append(
                f"the withdrawal by {withdrawal.party} on {human_date(on.exact)} came after "
                f"the notice took effect ({human_date(outcome.effective)}); ignored"
            )
        else:
            withdrawn.add(index)
    return [o for i, (_, o) in enumerate(outcomes) if i not in withdrawn]


def termination(outcomes: list[NoticeOutcome], warnings: list[str]) -> NoticeOutcome | None:
    """The notice that ends the agreement: the valid one with the earliest effect (the others
    are superseded); with none known, the pending one, else the rejected one."""
    agreement_notices = [n for n in outcomes if n.ends == "agreement"]
    valid = [n for n in agreement_notices if n.valid and n.effective is not None]
    if valid:
        chosen = min(valid, key=lambda n: n.effective or date.max)
        for other in agreement_notices:
            if other is not chosen and other.valid:
                warnings.append(
                    f"{other.kind.replace('_', '-')} notice by {other.party} "
                    f"({other.notice}) is superseded by the earlier termination"
                )
        return chosen
    pending = [n for n in agreement_notices if n.valid] or agreement_notices
    return pending[-1] if pending else None


def _notice_date(facts: Facts, event: Event) -> tuple[PartialDate | None, str | None]:
    """The counting date of a notice, or why it does not count yet."""
    on = facts.counting(event)
    if on is None:
        return None, (
            f"dispatched on {event.dispatched}; its receipt is not recorded and receipt "
            "counts (conventions.notice_date)"
        )
    return on, None


class _Outcomes:
    """The outcomes of one notice: `kind`, by `event.party`, counted from `on`, ending `ends`."""

    def __init__(
        self,
        kind: Literal["non_renewal", "denunciation"],
        event: Event,
        on: PartialDate | None,
        ends: Literal["agreement", "party"] = "agreement",
    ) -> None:
        self.kind, self.party, self.ends = kind, event.party, ends
        self.notice = None if on is None else str(on)

    def __call__(
        self, valid: bool, reason: str, timely: bool | None = None, effective: date | None = None
    ) -> NoticeOutcome:
        return NoticeOutcome(
            self.kind, self.party, self.notice, timely, effective, valid, reason, self.ends
        )


def _non_renewal(
    facts: Facts, event: Event, schedule: Schedule | None, warnings: list[str]
) -> NoticeOutcome:
    party = event.party
    on, problem = _notice_date(facts, event)
    out = _Outcomes("non_renewal", event, on)
    rule = facts.spec.non_renewal
    if rule is None or facts.spec.term.renewal != "automatic":
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
            f"{human_date(day_before(current.expiry))} anyway",
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
    last_day = day_before(target.expiry)
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
        warnings.append(f"non-renewal notice by {party}: {reason}")
    return out(True, reason, timely, target.expiry)


def _denunciation(
    facts: Facts,
    event: Event,
    parties_eif: PartyDates,
    eif_date: date | None,
    warnings: list[str],
) -> NoticeOutcome:
    rule = facts.spec.denunciation
    c = facts.conventions
    party = event.party
    on, problem = _notice_date(facts, event)
    ends: Literal["agreement", "party"] = "agreement" if rule is None else rule.ends
    out = _Outcomes("denunciation", event, on, ends)

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
            anchor = eif_date
            anchor_name = "entry into force"
        if anchor is None:
            return out(True, f"unknown: the lock-in is counted from {anchor_name}, unknown")
        allowed = arithmetic.add(c, anchor, rule.not_before)
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
            effective = arithmetic.effect(c, given, rule.effect_after)
            reason = f"{arithmetic.effect_words(c, rule.effect_after)} after {reason}"
        if rule.effect_first_day_of_month is not None:
            effective = arithmetic.first_day(effective, rule.effect_first_day_of_month)
            reason = (
                f"first day of the {arithmetic.ordinal(rule.effect_first_day_of_month)} month "
                f"after {reason}"
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
            warnings.append(
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
            warnings.append(
                f"the notice by {party} names {human_date(wanted)}, earlier than the clause "
                f"allows ({human_date(effective)}); the clause prevails"
            )
    if ends == "party":
        reason = f"{party} withdraws: {reason}"
    return out(True, reason, timely, effective)
