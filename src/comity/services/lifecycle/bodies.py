"""Executing bodies: which body executes the agreement for each party, over time.

Invariants:
- A designation is dated: a party's new designation starts on its `valid_from`, and the party's
  previous recorded one, if still open, ends the day before; designations are recorded in date
  order. The file's own designations come first, then those recorded since.
- Designating appends its audit leaf (`agreement.designate_body`) in the same transaction,
  after `require_role(actor, "treaty_officer", …, scope=<agreement id>)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.lifecycle.model import PartialDate
from comity.errors import InvalidInput
from comity.persistence.models.lifecycle import ExecutingBody
from comity.persistence.repositories import lifecycle as repo
from comity.services import audit, kernel
from comity.services.lifecycle.agreements import ROLE, find_agreement, spec_of

#: Longest body name the `executing_body.body` column holds.
BODY_NAME_MAX = 300


@dataclass(frozen=True, slots=True)
class BodyDesignation:
    """A party's executing body over a span of days, from the file or recorded since.

    Dates may be known only to the month (a file's ``2018-02``); `valid_until` is the last day.
    """

    party: str
    name: str
    valid_from: PartialDate | None
    valid_until: PartialDate | None
    source: Literal["file", "recorded"]
    evidence: str = ""

    @property
    def starts(self) -> date:
        return date.min if self.valid_from is None else self.valid_from.earliest

    def covers(self, day: date) -> bool:
        ended = self.valid_until is not None and self.valid_until.latest < day
        return self.starts <= day and not ended

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "body": self.name,
            "valid_from": None if self.valid_from is None else str(self.valid_from),
            "valid_until": None if self.valid_until is None else str(self.valid_until),
            "source": self.source,
            "evidence": self.evidence,
        }


def designate_body(
    session: Session,
    actor: Actor,
    agreement_id: str,
    *,
    party: str,
    body: str,
    valid_from: date,
    evidence: str = "",
    now: datetime | None = None,
) -> BodyDesignation:
    """Designate `body` as `party`'s executing body from `valid_from`; the party's previous
    recorded designation, if still open, ends the day before."""
    target = audit.Target("agreement", agreement_id)
    kernel.require_role(
        actor, ROLE, action="agreement.designate_body", target=target, scope=agreement_id
    )
    agreement = find_agreement(session, agreement_id)
    if party not in agreement.parties:
        raise InvalidInput(
            f"unknown party {party!r}",
            location=f"agreement {agreement_id}: party",
            reason="not in parties (" + ", ".join(agreement.parties) + ")",
        )
    name = body.strip()
    if not name or len(name) > BODY_NAME_MAX:
        raise InvalidInput(
            "bad body name",
            location=f"agreement {agreement_id}: body",
            reason=f"give 1 to {BODY_NAME_MAX} characters",
        )
    previous = repo.bodies_of(session, agreement_id, party=party)
    latest = previous[-1] if previous else None
    if latest is not None and latest.valid_from >= valid_from:
        raise InvalidInput(
            f"designation from {valid_from.isoformat()} is not after the current one",
            location=f"agreement {agreement_id}: from",
            reason=f"{party}'s latest designation ({latest.body}) starts on "
            f"{latest.valid_from.isoformat()}; designations are recorded in date order",
        )
    details: dict[str, Any] = {} if latest is None else {"before": _body_row_dict(latest)}
    if latest is not None and (latest.valid_until is None or latest.valid_until >= valid_from):
        latest.valid_until = valid_from - timedelta(days=1)
    moment = kernel.utc_now(now)
    row = ExecutingBody(
        agreement_id=agreement_id,
        party=party,
        body=name,
        valid_from=valid_from,
        valid_until=None,
        evidence=evidence.strip(),
        designated_by=actor.person,
        designated_at=moment,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "agreement.designate_body",
        target,
        {**details, "after": _body_row_dict(row)},
        now=moment,
    )
    return _recorded_designation(row)


def executing_bodies(
    session: Session, agreement_id: str, *, on: date | None = None
) -> list[BodyDesignation]:
    """The executing-body designations (the file's, then those recorded since), by party and
    start; with `on`, only each party's designation in effect that day (the latest that
    started on or before it and has not ended)."""
    agreement = find_agreement(session, agreement_id)
    spec = spec_of(agreement)
    designations = [
        BodyDesignation(
            party=b.party,
            name=b.name,
            valid_from=b.from_,
            valid_until=b.until,
            source="file",
            evidence=b.evidence,
        )
        for b in spec.executing_bodies
    ]
    designations += [_recorded_designation(r) for r in repo.bodies_of(session, agreement_id)]
    designations.sort(key=lambda d: (d.party, d.starts))
    if on is None:
        return designations
    current: dict[str, BodyDesignation] = {}
    for designation in designations:
        if designation.covers(on):
            current[designation.party] = designation  # sorted by start: the latest wins
    return [current[party] for party in sorted(current)]


def _body_row_dict(row: ExecutingBody) -> dict[str, Any]:
    return {
        "party": row.party,
        "body": row.body,
        "valid_from": row.valid_from.isoformat(),
        "valid_until": None if row.valid_until is None else row.valid_until.isoformat(),
        "evidence": row.evidence,
    }


def _recorded_designation(row: ExecutingBody) -> BodyDesignation:
    return BodyDesignation(
        party=row.party,
        name=row.body,
        valid_from=PartialDate.of(row.valid_from),
        valid_until=None if row.valid_until is None else PartialDate.of(row.valid_until),
        source="recorded",
        evidence=row.evidence,
    )
