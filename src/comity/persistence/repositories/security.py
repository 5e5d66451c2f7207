"""Queries over schemes, equivalences, clearances and need-to-know grants (reads only).

Invariant: lists come back in a stable order (schemes and equivalences by id, clearances and
grants by person then id), so listings and the subjects built from them are reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from comity.persistence.models.security import (
    ClearanceRecord,
    NeedToKnowGrantRecord,
    SecurityEquivalence,
    SecurityScheme,
)


def scheme(session: Session, policy_id: str) -> SecurityScheme | None:
    return session.get(SecurityScheme, policy_id)


def all_schemes(session: Session) -> Sequence[SecurityScheme]:
    return session.scalars(select(SecurityScheme).order_by(SecurityScheme.id)).all()


def equivalence(session: Session, equivalence_id: str) -> SecurityEquivalence | None:
    return session.get(SecurityEquivalence, equivalence_id)


def equivalences_in_force(
    session: Session, on: date, *, agreement: str | None = None
) -> Sequence[SecurityEquivalence]:
    """Tables in force on `on` (optionally of one agreement), latest effective date first."""
    query = select(SecurityEquivalence).where(
        SecurityEquivalence.effective_from <= on,
        or_(
            SecurityEquivalence.effective_until.is_(None), SecurityEquivalence.effective_until >= on
        ),
    )
    if agreement is not None:
        query = query.where(SecurityEquivalence.agreement == agreement)
    return session.scalars(
        query.order_by(SecurityEquivalence.effective_from.desc(), SecurityEquivalence.id)
    ).all()


def all_equivalences(session: Session) -> Sequence[SecurityEquivalence]:
    return session.scalars(select(SecurityEquivalence).order_by(SecurityEquivalence.id)).all()


def clearance(session: Session, clearance_id: int) -> ClearanceRecord | None:
    return session.get(ClearanceRecord, clearance_id)


def clearances(session: Session, *, person: str | None = None) -> Sequence[ClearanceRecord]:
    query = select(ClearanceRecord)
    if person is not None:
        query = query.where(ClearanceRecord.person == person)
    return session.scalars(query.order_by(ClearanceRecord.person, ClearanceRecord.id)).all()


def grant(session: Session, grant_id: int) -> NeedToKnowGrantRecord | None:
    return session.get(NeedToKnowGrantRecord, grant_id)


def grants(session: Session, *, person: str | None = None) -> Sequence[NeedToKnowGrantRecord]:
    query = select(NeedToKnowGrantRecord)
    if person is not None:
        query = query.where(NeedToKnowGrantRecord.person == person)
    return session.scalars(
        query.order_by(NeedToKnowGrantRecord.person, NeedToKnowGrantRecord.id)
    ).all()
