"""Who is acting: a person of a party (or of the operator), with the roles granted to them.

Invariant: **fail closed.** An actor holds exactly the roles of its grants, each for one scope
(an agreement id) or for every scope (`ANY_SCOPE`); an actor built without grants holds no role
anywhere. The one exception is explicit and named: `Actor.local_operator`, the person at the
command line of their own node, who is trusted with every act there (the permission table lets
them through with the reason ``local_operator``, and the audit leaf names them as such).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

__all__ = ["ANY_SCOPE", "BUSINESS_ROLES", "OPERATOR", "Actor", "Role"]

#: The party code of the operator: accounts that run the system but hold no business authority.
OPERATOR: Final = "OPERATOR"
#: The scope of a grant that holds for every agreement.
ANY_SCOPE: Final = "*"


class Role(StrEnum):
    """The roles of DESIGN.md "Who uses it", in the order people read them."""

    TREATY_OFFICER = "treaty_officer"
    CO_CHAIR = "co_chair"
    SECRETARY = "secretary"
    MEMBER = "member"
    SECURITY_OFFICER = "security_officer"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


#: Roles a person holds for their party; never granted to an operator account.
BUSINESS_ROLES: Final = frozenset(
    {Role.TREATY_OFFICER, Role.CO_CHAIR, Role.SECRETARY, Role.MEMBER, Role.SECURITY_OFFICER}
)


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting person: `person` (a sign-in name), `party` (a party code or `OPERATOR`) and
    `grants`, the ``(role, scope)`` pairs they hold today (dated assignments are resolved by the
    service that builds the actor)."""

    person: str
    party: str
    grants: frozenset[tuple[Role, str]] = field(default_factory=frozenset)
    is_local_operator: bool = False

    @classmethod
    def local_operator(cls, person: str = "cli") -> Actor:
        """The person at the command line of their own node: the one actor trusted with every
        act without a grant (see the module docstring)."""
        return cls(person=person, party=OPERATOR, is_local_operator=True)

    @classmethod
    def with_roles(
        cls, person: str, party: str, roles: Iterable[Role | str], scope: str = ANY_SCOPE
    ) -> Actor:
        """An actor holding `roles` for one scope (every agreement by default)."""
        return cls(person, party, frozenset((Role(role), scope) for role in roles))

    @property
    def roles(self) -> frozenset[Role]:
        """Every role held, under any scope."""
        return frozenset(role for role, _scope in self.grants)

    def holds(self, role: Role, scope: str | None = None) -> bool:
        """Whether the actor holds `role` for `scope` (an agreement id): a grant for that scope
        or for every scope. With no scope (an act on no agreement), a grant under any scope."""
        if scope is None:
            return any(held == role for held, _scope in self.grants)
        return (role, ANY_SCOPE) in self.grants or (role, scope) in self.grants
