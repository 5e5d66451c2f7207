"""Roles: dated assignments of a role to an account, and the actor an account acts as.

Invariants:
- Roles come from dated assignments resolved on a given day (`actor_for`): from `valid_from`
  (inclusive) until `valid_until` (exclusive, or open-ended). Assignments are never deleted;
  revoking one ends it, and its history stays.
- An administrator holds no business role: business roles are only ever granted to accounts of
  a party, the administrator role only to operator accounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from comity.domain.actors import OPERATOR, Actor
from comity.errors import Conflict, InvalidInput, NotFound
from comity.persistence.models.accounts import Account, RoleAssignment
from comity.persistence.repositories import accounts as repo
from comity.services import audit, kernel
from comity.services.accounts.users import find_account, get_user, require_admin, target

#: Roles a person holds for their party (DESIGN.md "Who uses it").
BUSINESS_ROLES: Final = frozenset(
    {"treaty_officer", "co_chair", "secretary", "member", "security_officer"}
)
#: Every role name, in the order people read them.
ROLES: Final = (
    "treaty_officer",
    "co_chair",
    "secretary",
    "member",
    "security_officer",
    "auditor",
    "administrator",
)


def _check_role(role: str, party: str) -> None:
    if role not in ROLES:
        raise InvalidInput(
            f"unknown role {role!r}", location="role", reason=f"one of {', '.join(ROLES)}"
        )
    if role == "administrator" and party != OPERATOR:
        raise InvalidInput(
            "the administrator role is held by operator accounts only",
            location="role",
            reason="an administrator has no business authority; create an OPERATOR account",
        )
    if role in BUSINESS_ROLES and party == OPERATOR:
        raise InvalidInput(
            f"an operator account cannot hold the business role {role!r}",
            location="role",
            reason="business roles are held by people of a party",
        )


def _assignment_state(row: RoleAssignment) -> dict[str, Any]:
    return {
        "role": row.role,
        "party": row.party,
        "scope": row.scope,
        "valid_from": row.valid_from.isoformat(),
        "valid_until": row.valid_until.isoformat() if row.valid_until else None,
    }


def grant_role(
    session: Session,
    actor: Actor,
    username: str,
    *,
    role: str,
    valid_from: date,
    scope: str = "*",
    valid_until: date | None = None,
    now: datetime | None = None,
) -> RoleAssignment:
    """Assign `role` to an account for its own party, from `valid_from` (inclusive) until
    `valid_until` (exclusive, or open-ended)."""
    name = username.strip().lower()
    require_admin(actor, "account.grant_role", target(name))
    account = find_account(session, name)
    _check_role(role, account.party)
    scope = scope.strip() or "*"
    if len(scope) > 200:
        raise InvalidInput("the scope is too long", location="scope", reason="at most 200 chars")
    if valid_until is not None and valid_until <= valid_from:
        raise InvalidInput(
            "a role must end after it starts",
            location="valid_until",
            reason=f"{valid_until.isoformat()} is not after {valid_from.isoformat()}",
        )
    row = RoleAssignment(
        account_id=account.id,
        role=role,
        party=account.party,
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_at=kernel.utc_now(now),
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "account.grant_role", target(name), {"after": _assignment_state(row)}
    )
    return row


def revoke_role(
    session: Session, actor: Actor, assignment_id: int, *, today: date, now: datetime | None = None
) -> RoleAssignment:
    """End an assignment from `today` on; its history stays (assignments are never deleted)."""
    row = repo.assignment(session, assignment_id)
    target = audit.Target("role_assignment", str(assignment_id))
    require_admin(actor, "account.revoke_role", target)
    if row is None:
        raise NotFound(f"no role assignment {assignment_id}", code="role_assignment.not_found")
    # A role that has not started yet ends before it starts: an empty span, kept as history.
    end = max(today, row.valid_from)
    if row.valid_until is not None and row.valid_until <= end:
        raise Conflict(
            f"role assignment {assignment_id} ended already on {row.valid_until.isoformat()}",
            code="role_assignment.ended",
        )
    before = _assignment_state(row)
    row.valid_until = end
    session.flush()
    audit.record(
        session,
        actor,
        "account.revoke_role",
        target,
        {"before": before, "after": _assignment_state(row)},
    )
    return row


def roles_of(session: Session, actor: Actor, username: str) -> Sequence[RoleAssignment]:
    """Every assignment of an account, past and present (administrators, or the holder)."""
    account = get_user(session, actor, username)
    return repo.assignments_of(session, account.id)


def actor_for(session: Session, account: Account, *, today: date) -> Actor:
    """The actor an account acts as on `today`: the roles of the assignments that hold then."""
    held = repo.assignments_on(session, account.id, today)
    return Actor(
        person=account.username,
        party=account.party,
        roles=frozenset(row.role for row in held),
        grants=frozenset((row.role, row.scope) for row in held),
    )
