"""Queries over agreements, their recorded events and executing bodies (reads only).

Invariant: every list comes back in a stable order (agreements by id, events in the order they
were recorded, designations by party then start date), so derived state and feeds built from
them are reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from comity.persistence.models.lifecycle import Agreement, AgreementEvent, ExecutingBody


def get(session: Session, agreement_id: str) -> Agreement | None:
    return session.get(Agreement, agreement_id)


def all_agreements(session: Session) -> Sequence[Agreement]:
    return session.scalars(select(Agreement).order_by(Agreement.id)).all()


def titles(session: Session) -> dict[str, dict[str, str]]:
    """Every agreement's title (language → text) by id, in id order, without loading the rest
    of the row (the stored file text is the bulk of it)."""
    rows = session.execute(select(Agreement.id, Agreement.title).order_by(Agreement.id))
    return {agreement_id: dict(title) for agreement_id, title in rows}


def events_of(session: Session, agreement_id: str) -> Sequence[AgreementEvent]:
    return session.scalars(
        select(AgreementEvent)
        .where(AgreementEvent.agreement_id == agreement_id)
        .order_by(AgreementEvent.id)
    ).all()


def events_by_agreement(session: Session) -> dict[str, list[AgreementEvent]]:
    """Every recorded event, grouped by agreement (one query for listings across agreements)."""
    grouped: dict[str, list[AgreementEvent]] = {}
    for row in session.scalars(
        select(AgreementEvent).order_by(AgreementEvent.agreement_id, AgreementEvent.id)
    ):
        grouped.setdefault(row.agreement_id, []).append(row)
    return grouped


def bodies_of(
    session: Session, agreement_id: str, *, party: str | None = None
) -> Sequence[ExecutingBody]:
    query = select(ExecutingBody).where(ExecutingBody.agreement_id == agreement_id)
    if party is not None:
        query = query.where(ExecutingBody.party == party)
    return session.scalars(query.order_by(ExecutingBody.party, ExecutingBody.valid_from)).all()
