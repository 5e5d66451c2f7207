"""Queries over accounts, role assignments, sessions and API tokens (reads only).

Invariant: lookups by secret go through the secret's digest, never the secret; lists come back
in a stable order (accounts by name, assignments by start date, tokens by id).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from comity.persistence.models.accounts import Account, ApiToken, RoleAssignment, WebSession


def by_username(session: Session, username: str) -> Account | None:
    return session.scalars(select(Account).where(Account.username == username.lower())).first()


def by_id(session: Session, account_id: int) -> Account | None:
    return session.get(Account, account_id)


def all_accounts(session: Session) -> Sequence[Account]:
    return session.scalars(select(Account).order_by(Account.username)).all()


def assignments_of(session: Session, account_id: int) -> Sequence[RoleAssignment]:
    return session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.account_id == account_id)
        .order_by(RoleAssignment.valid_from, RoleAssignment.id)
    ).all()


def assignments_on(session: Session, account_id: int, on: date) -> Sequence[RoleAssignment]:
    """The assignments that hold on `on` (from inclusive, until exclusive)."""
    return session.scalars(
        select(RoleAssignment)
        .where(
            RoleAssignment.account_id == account_id,
            RoleAssignment.valid_from <= on,
            or_(RoleAssignment.valid_until.is_(None), RoleAssignment.valid_until > on),
        )
        .order_by(RoleAssignment.id)
    ).all()


def assignment(session: Session, assignment_id: int) -> RoleAssignment | None:
    return session.get(RoleAssignment, assignment_id)


def session_by_hash(session: Session, token_hash: bytes) -> WebSession | None:
    return session.scalars(select(WebSession).where(WebSession.token_hash == token_hash)).first()


def open_sessions_of(session: Session, account_id: int) -> Sequence[WebSession]:
    return session.scalars(
        select(WebSession).where(WebSession.account_id == account_id, WebSession.ended_at.is_(None))
    ).all()


def token_by_hash(session: Session, token_hash: bytes) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()


def token(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def tokens_of(session: Session, account_id: int) -> Sequence[ApiToken]:
    return session.scalars(
        select(ApiToken).where(ApiToken.account_id == account_id).order_by(ApiToken.id)
    ).all()
