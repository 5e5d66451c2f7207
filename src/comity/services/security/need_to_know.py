"""Need-to-know grants: giving a person one compartment, revoking it, listing them.

Invariants: granting requires ``security_officer`` and appends ``need_to_know.grant`` in the
same transaction, naming the granting person; a grant is revoked (`records.revoke`), never
deleted.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.security.clearances import NeedToKnowGrant
from comity.persistence.models.security import NeedToKnowGrantRecord
from comity.persistence.repositories import security as repo
from comity.services import audit, kernel
from comity.services.security.records import ROLE, DatedRecords, bounded_text, checked_person


def grant_of(record: NeedToKnowGrantRecord) -> NeedToKnowGrant:
    return NeedToKnowGrant(
        person=record.person,
        compartment=record.compartment,
        granted_by=record.granted_by,
        valid_until=record.valid_until,
        reason=record.reason,
        valid_from=record.valid_from,
        id=str(record.id),
        revoked_on=record.revoked_on,
    )


GRANTS: DatedRecords[NeedToKnowGrantRecord, NeedToKnowGrant] = DatedRecords(
    target_type="need_to_know_grant",
    noun="need-to-know grant",
    subject="need_to_know",
    load=repo.grant,
    value_of=grant_of,
    as_dict=NeedToKnowGrant.as_dict,
)


def add_need_to_know(
    session: Session,
    actor: Actor,
    person: str,
    *,
    compartment: str,
    reason: str,
    valid_from: date,
    valid_until: date | None = None,
) -> NeedToKnowGrant:
    """Give `person` need-to-know for `compartment`, granted by the acting person."""
    kernel.require_role(
        actor, ROLE, action="need_to_know.grant", target=audit.Target("person", person)
    )
    grant = NeedToKnowGrant(
        person=checked_person(person),
        compartment=compartment,
        granted_by=actor.person,
        valid_until=valid_until,
        reason=bounded_text(reason, "reason"),
        valid_from=valid_from,
    )
    record = NeedToKnowGrantRecord(
        person=grant.person,
        compartment=grant.compartment,
        granted_by=grant.granted_by,
        valid_from=valid_from,
        valid_until=valid_until,
        reason=grant.reason,
        granted_at=kernel.utc_now(),
    )
    return GRANTS.grant(session, actor, record)


def revoke_need_to_know(
    session: Session, actor: Actor, grant_id: int, *, on: date, reason: str
) -> NeedToKnowGrant:
    """Revoke a need-to-know grant from `on` (the first day it no longer counts)."""
    return GRANTS.revoke(session, actor, grant_id, on=on, reason=reason)


def list_grants(session: Session, *, person: str | None = None) -> list[NeedToKnowGrant]:
    return [grant_of(record) for record in repo.grants(session, person=person)]
