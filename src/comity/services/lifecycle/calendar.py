"""Dated deadlines: the upcoming ones across every agreement, and one agreement's iCalendar feed.

Invariant: both read the deadlines of the state derived on `today` (never a stored list), and
the feed is reproducible: the same data gives the same bytes (UIDs hash the agreement, action,
party and date; DTSTAMP is the last time the agreement's data changed, not the clock).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import icalendar
from sqlalchemy.orm import Session

from comity.domain.lifecycle.model import days_after
from comity.errors import InvalidInput
from comity.persistence.models.lifecycle import Agreement
from comity.persistence.repositories import lifecycle as repo
from comity.services import kernel
from comity.services.lifecycle.agreements import (
    dated_deadlines,
    display_title,
    evaluate_recorded,
    find_agreement,
    spec_of,
)


@dataclass(frozen=True, slots=True)
class UpcomingDeadline:
    """A dated deadline of one agreement. `kind` is the engine's stable code
    (``non_renewal_notice``, for translating); `action` is its English phrase."""

    agreement_id: str
    title: str
    date: date
    kind: str
    action: str
    party: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement_id,
            "title": self.title,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "action": self.action,
            "party": self.party,
            "reason": self.reason,
        }


def upcoming_deadlines(
    session: Session, *, today: date, within_days: int
) -> list[UpcomingDeadline]:
    """Dated actions from `today` to `today + within_days` (inclusive) across all agreements,
    earliest first."""
    if within_days < 0:
        raise InvalidInput("negative window", location="within", reason="give 0 or more days")
    # A window reaching past the calendar's last day covers every deadline there can be.
    horizon = date.fromordinal(min(today.toordinal() + within_days, date.max.toordinal()))
    grouped = repo.events_by_agreement(session)
    found: list[UpcomingDeadline] = []
    for agreement in repo.all_agreements(session):
        state = evaluate_recorded(
            spec_of(agreement), grouped.get(agreement.id, []), today
        ).to_json()
        for day, item in dated_deadlines(state):
            if today <= day <= horizon:
                found.append(_upcoming(agreement, day, item))
    found.sort(key=lambda d: (d.date, d.agreement_id, d.action, d.party or ""))
    return found


def ics_feed(session: Session, agreement_id: str, *, today: date) -> bytes:
    """An iCalendar feed with one all-day VEVENT per deadline in the state on `today`.

    Reproducible: UIDs hash the agreement, action, party and date, and DTSTAMP is the last time
    the agreement's data changed (not the clock), so the same data gives the same bytes.
    """
    agreement = find_agreement(session, agreement_id)
    rows = repo.events_of(session, agreement_id)
    state = evaluate_recorded(spec_of(agreement), rows, today).to_json()
    stamp = max([agreement.updated_at, *(row.recorded_at for row in rows)])
    stamp = kernel.as_utc(stamp).replace(microsecond=0)
    title = display_title(agreement.title)

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//comity//agreement deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{title}: deadlines")
    for day, item in dated_deadlines(state):
        upcoming = _upcoming(agreement, day, item)
        key = "|".join([agreement.id, upcoming.action, upcoming.party or "", day.isoformat()])
        uid = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        vevent = icalendar.Event()
        vevent.add("uid", f"{uid}@comity")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", day)
        vevent.add("dtend", days_after(day, 1))
        party = f" ({upcoming.party})" if upcoming.party else ""
        vevent.add("summary", f"{agreement.id}: {upcoming.action}{party}")
        vevent.add("description", f"{title}\n{upcoming.reason}")
        vevent.add("transp", "TRANSPARENT")
        calendar.add_component(vevent)
    return bytes(calendar.to_ical())


def _upcoming(agreement: Agreement, day: date, item: Mapping[str, Any]) -> UpcomingDeadline:
    party = item.get("party")
    return UpcomingDeadline(
        agreement_id=agreement.id,
        title=display_title(agreement.title),
        date=day,
        kind=str(item.get("kind", "")),
        action=str(item.get("action", "")),
        party=None if party is None else str(party),
        reason=str(item.get("reason", "")),
    )
