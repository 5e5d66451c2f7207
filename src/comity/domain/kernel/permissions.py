"""The permission table and `may(actor, action, target) -> Decision`: who may do what, on what.

One table answers every "may I?": services `require` it before they change or read anything,
pages and the API ask the same `may` to decide which buttons and links to show, and tests
enumerate it. Each area declares its own rows in ``comity/domain/<area>/permissions.py``
(a module-level ``PERMISSIONS`` tuple); `table()` discovers them, so a new area adds a file and
edits no central list.

A row says, for one action: which roles may do it (`roles`), whether the person it belongs to
may do it whatever their roles (`holder`: a person's own password or API token), how the act
relates to the actor's party (`party`, see `PartyRule`) and where a role must be held (`scope`,
see `ScopeRule`).

Invariants:
- Fail closed: an action without a row, an actor without a matching grant, a target that lacks
  what the party rule needs — each denies, with a stable reason code (`DenialCode`).
- An administrator holds no business authority: no row of an area's business action names
  `Role.ADMINISTRATOR` (`tests/unit/kernel/test_permissions.py` checks every row).
- The local operator (`Actor.local_operator`) is the one actor allowed without a grant.
- Action names follow the ``<subject>.<verb>`` grammar of `kernel.actions`; a row whose action
  does not cannot be built.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from comity.domain.kernel.actions import check_action
from comity.domain.kernel.actors import Actor, Role
from comity.domain.kernel.decision import Decision, Reason, allow, deny

__all__ = [
    "DenialCode",
    "PartyRule",
    "Permission",
    "PermissionTable",
    "ScopeRule",
    "Target",
    "may",
    "table",
]


class PartyRule(StrEnum):
    """How an act relates to the acting person's party."""

    #: No condition on the party (reads, acts on the node itself).
    ANY = "any"
    #: The actor's party is a party to the target's agreement (creating a record of it).
    PARTY_TO_AGREEMENT = "party_to_agreement"
    #: The act is about the actor's own party (its clearances, its consent, its body).
    OWN = "own"
    #: The act is about the actor's own party; or about another party of the same agreement,
    #: recorded as *received from* that party with its evidence (shown as such until confirmed).
    OWN_OR_RECEIVED = "own_or_received"
    #: A change to what both parties share: it takes effect only with both parties' consent
    #: (the dual key), so no single actor may make it directly.
    JOINT = "joint"


class ScopeRule(StrEnum):
    """Where a role must be held for the act."""

    #: Granted for the target's agreement, or for every agreement.
    AGREEMENT = "agreement"
    #: Granted under any scope (acts on no one agreement: schemes, accounts, the log).
    ANYWHERE = "anywhere"


class DenialCode(StrEnum):
    """Stable reason codes of the permission table's denials (documented in docs/security.md)."""

    UNKNOWN_ACTION = "unknown_action"
    ROLE_MISSING = "role_missing"
    HOLDER_ONLY = "holder_only"
    NOT_A_PARTY = "not_a_party"
    OTHER_PARTY = "other_party"
    EVIDENCE_REQUIRED = "evidence_required"
    NEEDS_JOINT_CONSENT = "needs_joint_consent"
    SCOPE_MISSING = "scope_missing"


#: The reason an allowed act carries when it is allowed only as a received act.
RECEIVED_FROM: Final = "received_from"
#: The reason the local operator is allowed.
LOCAL_OPERATOR: Final = "local_operator"


@dataclass(frozen=True, slots=True)
class Target:
    """What an act is about, as far as permissions care.

    `type` and `id` name the record (an ``agreement`` and its id); `agreement` is the agreement
    it belongs to (the scope of a role), with its `parties`; `party` is the party the act is
    about (whose notification, whose clearance), `received` says the actor records it as
    received from that party, with `evidence`; `holder` is the person a record belongs to (an
    account, an API token).
    """

    type: str
    id: str
    agreement: str | None = None
    parties: tuple[str, ...] = ()
    party: str | None = None
    received: bool = False
    evidence: bool = False
    holder: str | None = None

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"


@dataclass(frozen=True, slots=True)
class Permission:
    """One row of the table (see the module docstring)."""

    action: str
    roles: frozenset[Role]
    party: PartyRule = PartyRule.ANY
    scope: ScopeRule = ScopeRule.ANYWHERE
    holder: bool = False

    def __post_init__(self) -> None:
        check_action(self.action)
        object.__setattr__(self, "roles", frozenset(Role(role) for role in self.roles))
        if not self.roles and not self.holder:
            raise ValueError(f"{self.action}: a row must allow some role or the holder")


def rows(
    action: str,
    roles: Iterable[Role],
    *,
    party: PartyRule = PartyRule.ANY,
    scope: ScopeRule = ScopeRule.ANYWHERE,
    holder: bool = False,
) -> Permission:
    """A row, read as a sentence: ``rows(Action.X, {Role.Y}, party=…, scope=…)``."""
    return Permission(action, frozenset(roles), party, scope, holder)


@dataclass(frozen=True)
class PermissionTable:
    """Every row, by action. Built from the areas' declarations; an action appears once."""

    by_action: Mapping[str, Permission] = field(default_factory=dict)

    @classmethod
    def of(cls, permissions: Iterable[Permission]) -> PermissionTable:
        found: dict[str, Permission] = {}
        for permission in permissions:
            if permission.action in found:
                raise ValueError(f"the permission table lists {permission.action} twice")
            found[permission.action] = permission
        return cls(MappingProxyType(found))

    def __iter__(self) -> Iterator[Permission]:
        return iter(self.by_action.values())

    def __len__(self) -> int:
        return len(self.by_action)

    def get(self, action: str) -> Permission | None:
        return self.by_action.get(str(action))

    def may(self, actor: Actor, action: str, target: Target) -> Decision:
        """May `actor` do `action` on `target`? (See the module docstring for the rule.)"""
        if actor.is_local_operator:
            return allow(Reason.of(LOCAL_OPERATOR, f"{actor.person} is the local operator"))
        permission = self.get(action)
        if permission is None:
            return deny(DenialCode.UNKNOWN_ACTION, f"no permission for {action}", action=action)
        if permission.holder and target.holder is not None and target.holder == actor.person:
            return allow(Reason.of("holder", f"{actor.person} holds {target}"))
        if not permission.roles:
            return deny(
                DenialCode.HOLDER_ONLY,
                f"only the holder of {target} may {action}",
                action=str(action),
            )
        decision = _role_decision(actor, permission, target)
        if not decision.allowed:
            return decision
        return _party_decision(actor, permission, target)


def _role_decision(actor: Actor, permission: Permission, target: Target) -> Decision:
    scope: str | None = None
    if permission.scope is ScopeRule.AGREEMENT:
        if target.agreement is None:
            return deny(
                DenialCode.SCOPE_MISSING,
                f"{permission.action} is an act on an agreement, and none was named",
                action=permission.action,
            )
        scope = target.agreement
    if any(actor.holds(role, scope) for role in permission.roles):
        return allow()
    names = tuple(sorted(str(role) for role in permission.roles))
    where = f" for {scope}" if scope else ""
    params: dict[str, str | tuple[str, ...]] = {"roles": names, "action": permission.action}
    if scope:
        params["scope"] = scope
    return deny(DenialCode.ROLE_MISSING, f"needs the role {' or '.join(names)}{where}", **params)


def _party_decision(actor: Actor, permission: Permission, target: Target) -> Decision:
    rule = permission.party
    if rule is PartyRule.ANY:
        return allow()
    if rule is PartyRule.JOINT:
        return deny(
            DenialCode.NEEDS_JOINT_CONSENT,
            f"{permission.action} changes what both parties share: it takes effect only with "
            "both parties' consent",
            action=permission.action,
        )
    if actor.party not in target.parties:
        return deny(
            DenialCode.NOT_A_PARTY,
            f"{actor.party} is not a party to {target.agreement or target}",
            party=actor.party,
        )
    if rule is PartyRule.PARTY_TO_AGREEMENT or target.party in (None, actor.party):
        return allow()
    if rule is PartyRule.OWN_OR_RECEIVED and target.party in target.parties:
        if not target.received:
            return deny(
                DenialCode.OTHER_PARTY,
                f"an act of {target.party} is recorded by {target.party}, or as received from "
                f"{target.party} with its evidence",
                party=target.party,
                actor_party=actor.party,
            )
        if not target.evidence:
            return deny(
                DenialCode.EVIDENCE_REQUIRED,
                f"an act received from {target.party} needs its evidence",
                party=target.party,
            )
        return allow(
            Reason.of(
                RECEIVED_FROM, f"recorded as received from {target.party}", party=target.party
            )
        )
    return deny(
        DenialCode.OTHER_PARTY,
        f"{actor.party} may not act for {target.party}",
        party=str(target.party),
        actor_party=actor.party,
    )


def _discover() -> Iterator[Permission]:
    """Every area's ``PERMISSIONS`` (``comity.domain.<area>.permissions``)."""
    import comity.domain as domain

    for area in sorted(pkgutil.iter_modules(domain.__path__), key=lambda m: m.name):
        if not area.ispkg:
            continue
        name = f"comity.domain.{area.name}.permissions"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        yield from module.PERMISSIONS


_TABLE: PermissionTable | None = None


def table() -> PermissionTable:
    """The permission table of every area (discovered once per process)."""
    global _TABLE
    if _TABLE is None:
        _TABLE = PermissionTable.of(_discover())
    return _TABLE


def may(actor: Actor, action: str, target: Target) -> Decision:
    """The decision of the permission table for `actor` doing `action` on `target`."""
    return table().may(actor, action, target)
