"""Authorisation from the actor, checked inside services (routes and commands never decide alone).

A denial is an `AccessDenied` carrying the attempted action and target. The entry point that owns
the transaction rolls the work back and then records the denial in a fresh transaction
(`comity.services.audit.record_denial`), so every denial is in the audit log even though the
denied change is not.
"""

from __future__ import annotations

from comity.domain.actors import Actor
from comity.domain.audit.leaves import Target
from comity.errors import AccessDenied


def require_role(
    actor: Actor,
    roles: str | set[str],
    *,
    action: str,
    target: Target,
    scope: str | None = None,
) -> None:
    """Raise `AccessDenied` unless `actor` holds one of `roles` (a local operator holds all).

    `scope` is the agreement id the act is on: then only a role granted for that agreement or
    for every agreement (``"*"``) counts, so an officer scoped to agreement A cannot act on B.
    Without `scope` (acts on no agreement) a role held under any scope counts.
    """
    wanted = {roles} if isinstance(roles, str) else roles
    if scope is None:
        if any(actor.has_role(role) for role in wanted):
            return
    elif any(actor.has_role_for(role, scope) for role in wanted):
        return
    # The reason keeps one shape, scoped or not (the pages translate it); the message names
    # the target, and `scope` says which agreement the role was needed for.
    raise AccessDenied(
        f"{actor.person} ({actor.party}) may not {action} {target}",
        reason=f"needs the role {' or '.join(sorted(wanted))}",
        action=action,
        target=str(target),
        **({} if scope is None else {"scope": scope}),
    )
