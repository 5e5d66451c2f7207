"""Deadlines: the dated actions ahead of the as-of date (entry into force, the last day for a
notice of non-renewal, a renewal, the end, when termination by notice is allowed, the end of
provisional application, a party's withdrawal).

Invariant: every deadline is strictly after the as-of date (the non-renewal notice deadline: on
or after it) and has a kind from `state.DEADLINE_KINDS`; they come sorted by date, then kind.
"""

from __future__ import annotations

from datetime import date

from comity.domain.lifecycle import arithmetic
from comity.domain.lifecycle.entry_into_force import PartyDates
from comity.domain.lifecycle.facts import Facts
from comity.domain.lifecycle.model import human_date
from comity.domain.lifecycle.periods import Schedule
from comity.domain.lifecycle.state import (
    Deadline,
    EntryIntoForce,
    NonRenewalDeadline,
    NoticeOutcome,
    PeriodInfo,
    ProvisionalApplication,
    Status,
    day_before,
)

__all__ = ["deadlines", "non_renewal_deadline"]

_NON_RENEWAL_ACTION = "last day for a notice of non-renewal"


def non_renewal_deadline(
    facts: Facts, schedule: Schedule | None, current: PeriodInfo | None, status: Status
) -> NonRenewalDeadline | None:
    """The last timely day for a notice of non-renewal of the current period (in force only)."""
    rule = facts.spec.non_renewal
    if rule is None or schedule is None or current is None or status != "in_force":
        return None
    if current.last_day is None or not schedule.renews_after(current.index):
        return None
    deadline = schedule.deadline(current, rule.notice_before_expiry)
    assert deadline is not None
    passed = (
        " (passed: a notice now stops the renewal a period later)" if deadline < facts.as_of else ""
    )
    return NonRenewalDeadline(
        deadline,
        current.index,
        f"{rule.notice_before_expiry.human()} before the last day of period "
        f"{current.index} ({human_date(current.last_day)}){passed}",
    )


def deadlines(
    facts: Facts,
    *,
    eif: EntryIntoForce,
    parties_eif: PartyDates,
    schedule: Schedule | None,
    current: PeriodInfo | None,
    nr_deadline: NonRenewalDeadline | None,
    termination: NoticeOutcome | None,
    end: date | None,
    end_reason: str | None,
    provisional: ProvisionalApplication | None,
    withdrawals: dict[str | None, NoticeOutcome],
) -> tuple[Deadline, ...]:
    """Every deadline after the as-of date, sorted by date then kind."""
    found = [
        *_entry_into_force(facts, eif, parties_eif),
        *_renewal(facts, schedule, current, nr_deadline, end),
        *_end(facts, eif, termination, end, end_reason),
        *_denunciation(facts, eif, termination, end),
        *_provisional_end(facts, provisional),
        *_withdrawals(facts, withdrawals),
    ]
    return tuple(sorted(found, key=lambda d: (d.date, d.kind)))


def _entry_into_force(facts: Facts, eif: EntryIntoForce, parties_eif: PartyDates) -> list[Deadline]:
    q = facts.as_of
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
    return found


def _renewal(
    facts: Facts,
    schedule: Schedule | None,
    current: PeriodInfo | None,
    nr_deadline: NonRenewalDeadline | None,
    end: date | None,
) -> list[Deadline]:
    rule = facts.spec.non_renewal
    if schedule is None or current is None or rule is None:
        return []
    found: list[Deadline] = []
    if nr_deadline is not None and nr_deadline.date >= facts.as_of:
        found.append(
            Deadline(
                nr_deadline.date,
                "non_renewal_notice",
                _NON_RENEWAL_ACTION,
                None,
                nr_deadline.reason,
            )
        )
    elif nr_deadline is not None:
        nxt = schedule.period(current.index + 1)
        if nxt is not None and nxt.last_day is not None and schedule.renews_after(nxt.index):
            later = schedule.deadline(nxt, rule.notice_before_expiry)
            assert later is not None
            found.append(
                Deadline(
                    later,
                    "non_renewal_notice",
                    _NON_RENEWAL_ACTION,
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
                if facts.spec.term.renewal == "automatic"
                else "renewed by agreement",
                None,
                f"period {current.index} ends on {human_date(day_before(current.expiry))}",
            )
        )
    return found


def _end(
    facts: Facts,
    eif: EntryIntoForce,
    termination: NoticeOutcome | None,
    end: date | None,
    end_reason: str | None,
) -> list[Deadline]:
    if end is None or end <= facts.as_of or eif.date is None:
        return []
    by_notice = termination is not None and termination.effective == end
    return [
        Deadline(
            end,
            "termination" if by_notice else "expiry",
            "terminates" if by_notice else "expires",
            None,
            f"first day no longer in force; {end_reason}",
        )
    ]


def _denunciation(
    facts: Facts, eif: EntryIntoForce, termination: NoticeOutcome | None, end: date | None
) -> list[Deadline]:
    q = facts.as_of
    rule = facts.spec.denunciation
    if rule is None or eif.date is None or (end is not None and end <= q):
        return []
    found: list[Deadline] = []
    if rule.not_before is not None and rule.not_before_from == "entry_into_force":
        allowed = arithmetic.add(facts.conventions, eif.date, rule.not_before)
        if allowed > q:
            found.append(
                Deadline(
                    allowed,
                    "denunciation_allowed",
                    "termination by notice allowed as from",
                    None,
                    f"{rule.not_before.human()} after entry into force on {human_date(eif.date)}",
                )
            )
    if rule.notice_by is not None and termination is None:
        by = rule.notice_by.in_year(q.year)
        if by < q:
            by = rule.notice_by.in_year(q.year + 1)
        found.append(
            Deadline(
                by,
                "denunciation_notice",
                "last day for a notice of termination effective next 1 January",
                None,
                f"calendar-year clause: notice by {rule.notice_by} takes effect "
                f"on 1 January {by.year + 1}",
            )
        )
    return found


def _provisional_end(facts: Facts, provisional: ProvisionalApplication | None) -> list[Deadline]:
    if provisional is None or provisional.end is None or provisional.end <= facts.as_of:
        return []
    return [
        Deadline(
            provisional.end,
            "provisional_application_end",
            "provisional application ends",
            None,
            provisional.end_reason or "",
        )
    ]


def _withdrawals(facts: Facts, withdrawals: dict[str | None, NoticeOutcome]) -> list[Deadline]:
    return [
        Deadline(
            withdrawal.effective,
            "withdrawal",
            f"withdrawal of {party_code} takes effect",
            None,
            withdrawal.reason,
        )
        for party_code, withdrawal in withdrawals.items()
        if withdrawal.effective is not None and withdrawal.effective > facts.as_of
    ]
