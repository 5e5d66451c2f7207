"""Security clearances: granting one to a person, revoking it, listing them.

Invariants: granting requires ``security_officer`` and appends ``clearance.grant`` in the same
transaction; a clearance covers a level of a loaded scheme (and every lower one) or an explicit
set of its classifications; it is revoked (`records.revoke`), never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.security.clearances import Clearance, parse_category_key
from comity.errors import InvalidInput
from comity.persistence.models.security import ClearanceRecord
from comity.persistence.repositories import security as repo
from comity.services import audit, kernel
from comity.services.security.definitions import get_policy
from comity.services.security.records import (
    ROLE,
    DatedRecords,
    bounded_text,
    checked_nationality,
    checked_person,
)


def clearance_of(record: ClearanceRecord) -> Clearance:
    return Clearance(
        person=record.person,
        policy=record.policy_id,
        classifications=frozenset(record.classifications),
        nationality=record.nationality,
        issuing_authority=record.issuing_authority,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        categories=frozenset(record.categories),
        level=record.level,
        id=str(record.id),
        revoked_on=record.revoked_on,
    )


CLEARANCES: DatedRecords[ClearanceRecord, Clearance] = DatedRecords(
    target_type="clearance",
    noun="clearance",
    subject="clearance",
    load=repo.clearance,
    value_of=clearance_of,
    as_dict=Clearance.as_dict,
)


def grant_clearance(
    session: Session,
    actor: Actor,
    person: str,
    *,
    policy: str,
    nationality: str,
    issuing_authority: str,
    valid_from: date,
    level: str | None = None,
    classifications: Iterable[str] = (),
    categories: Iterable[str] = (),
    valid_until: date | None = None,
) -> Clearance:
    """Grant `person` a clearance at `level` (that level and every lower one) or for an
    explicit set of `classifications` of `policy`."""
    kernel.require_role(
        actor, ROLE, action="clearance.grant", target=audit.Target("person", person)
    )
    who = checked_person(person)
    scheme = get_policy(session, policy)
    explicit = frozenset(classifications)
    if (level is None) == (not explicit):
        raise InvalidInput(
            "give either a level or a set of classifications",
            location="level",
            reason="a clearance is a level (and every lower one) or an explicit set",
        )
    if level is not None:
        covered = scheme.at_or_below(level)
    else:
        for name in explicit:
            scheme.classification(name)
        covered = explicit
    clearance = Clearance(
        person=who,
        policy=scheme.id,
        classifications=covered,
        nationality=checked_nationality(nationality),
        issuing_authority=bounded_text(issuing_authority, "issuing_authority", 200),
        valid_from=valid_from,
        valid_until=valid_until,
        categories=frozenset(parse_category_key(c) for c in categories),
        level=level,
    )
    record = ClearanceRecord(
        person=clearance.person,
        policy_id=clearance.policy,
        level=clearance.level,
        classifications=sorted(clearance.classifications),
        categories=sorted(clearance.categories),
        nationality=clearance.nationality,
        issuing_authority=clearance.issuing_authority,
        valid_from=clearance.valid_from,
        valid_until=clearance.valid_until,
        granted_by=actor.person,
        granted_at=kernel.utc_now(),
    )
    return CLEARANCES.grant(session, actor, record)


def revoke_clearance(
    session: Session, actor: Actor, clearance_id: int, *, on: date, reason: str
) -> Clearance:
    """Revoke a clearance from `on` (the first day it no longer counts)."""
    return CLEARANCES.revoke(session, actor, clearance_id, on=on, reason=reason)


def list_clearances(session: Session, *, person: str | None = None) -> list[Clearance]:
    return [clearance_of(record) for record in repo.clearances(session, person=person)]
