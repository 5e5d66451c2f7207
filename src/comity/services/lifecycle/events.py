"""Events of an agreement: recording a fact (signature, approval, notification, notice…) and
listing every event, the file's own and those recorded since.

Invariants:
- Recording appends its audit leaf (`agreement.record_event`) in the same transaction, after
  `require_role(actor, "treaty_officer", …, scope=<agreement id>)`.
- Recorded events are parsed by the same `parse_event` as the file's own `[[events]]`, so a
  fact is accepted or refused identically whichever way it arrives; the same fact twice (in the
  file or recorded) is a `Conflict`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.kernel.text import checked_text
from comity.domain.lifecycle.agreement_file import event_to_dict, parse_event
from comity.errors import Conflict
from comity.persistence.models.lifecycle import AgreementEvent
from comity.persistence.repositories import lifecycle as repo
from comity.services import audit, kernel
from comity.services.lifecycle.agreements import ROLE, find_agreement, parse_recorded, spec_of


@dataclass(frozen=True, slots=True)
class AgreementEventView:
    """One event of an agreement as people read it.

    `fields` is the fact in the shape of an `[[events]]` table (``kind``, ``party``, ``date`` as
    recorded — ``2018-02`` when only the month is known — ``dispatched``, ``received``, ``step``,
    ``instrument``, ``effective``, ``evidence`` …; absent keys were not given). `source` says
    whether it is in the imported file or was recorded since; a recorded one carries its row
    `id`, who recorded it (`recorded_by`, the person's id) and when (`recorded_at`, UTC).
    """

    fields: Mapping[str, Any]
    source: Literal["file", "recorded"]
    recorded_by: str | None = None
    recorded_at: datetime | None = None
    id: int | None = None

    @property
    def kind(self) -> str:
        return str(self.fields["kind"])

    @property
    def party(self) -> str | None:
        party = self.fields.get("party")
        return None if party is None else str(party)

    @property
    def evidence(self) -> str:
        return str(self.fields.get("evidence", ""))

    def to_json(self) -> dict[str, Any]:
        return {
            **self.fields,
            "source": self.source,
            "id": self.id,
            "recorded_by": self.recorded_by,
            "recorded_at": None if self.recorded_at is None else self.recorded_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    agreement_id: str
    row_id: int
    event: Mapping[str, Any]
    recorded_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement_id,
            "id": self.row_id,
            "event": dict(self.event),
            "recorded_by": self.recorded_by,
        }


def record_event(
    session: Session,
    actor: Actor,
    agreement_id: str,
    *,
    event_fields: Mapping[str, object],
    now: datetime | None = None,
) -> RecordedEvent:
    """Record one fact (the fields of an `[[events]]` table) for the agreement.

    Refused with `Conflict` when the same fact is already in the file or recorded.
    """
    target = audit.Target("agreement", agreement_id)
    kernel.require_role(
        actor, ROLE, action="agreement.record_event", target=target, scope=agreement_id
    )
    agreement = find_agreement(session, agreement_id)
    spec = spec_of(agreement)
    for key, value in event_fields.items():
        checked_text(str(key), location=f"agreement {agreement_id}: event")
        if isinstance(value, str):
            checked_text(value, location=f"agreement {agreement_id}: event: {key}")
    event = parse_event(event_fields, spec=spec, location=f"agreement {agreement_id}: event")
    as_dict = event_to_dict(event)
    recorded = repo.events_of(session, agreement_id)
    known = [event_to_dict(e) for e in spec.events] + [row.event for row in recorded]
    if as_dict in known:
        raise Conflict(
            "this event is already recorded",
            location=f"agreement {agreement_id}",
            reason=json.dumps(as_dict, ensure_ascii=False, sort_keys=True),
            code="agreement.event_exists",
        )
    on = event.date or event.received or event.dispatched
    moment = kernel.utc_now(now)
    row = AgreementEvent(
        agreement_id=agreement_id,
        kind=event.kind,
        party=event.party,
        event_date=None if on is None else on.exact,
        event_date_text=None if on is None else str(on),
        evidence=event.evidence,
        event=as_dict,
        recorded_by=actor.person,
        recorded_party=actor.party,
        recorded_at=moment,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "agreement.record_event",
        target,
        {"after": {"id": row.id, "event": as_dict}},
        now=moment,
    )
    return RecordedEvent(agreement_id, row.id, as_dict, actor.person)


def list_events(session: Session, agreement_id: str) -> list[AgreementEventView]:
    """Every event of the agreement: the file's own in file order, then those recorded since in
    the order they were recorded (each parsed as `state_on` reads it)."""
    agreement = find_agreement(session, agreement_id)
    spec = spec_of(agreement)
    views = [AgreementEventView(event_to_dict(event), "file") for event in spec.events]
    for row in repo.events_of(session, agreement_id):
        views.append(
            AgreementEventView(
                event_to_dict(parse_recorded(row, spec)),
                "recorded",
                recorded_by=row.recorded_by,
                recorded_at=kernel.as_utc(row.recorded_at),
                id=row.id,
            )
        )
    return views
