"""Who is acting: a person of a party (or of the operator), as services and audit leaves see it."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The party code of the operator: accounts that run the system but hold no business authority.
OPERATOR = "OPERATOR"


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting person. `party` is an ISO 3166-1 alpha-3 code or `OPERATOR`.

    `roles` are the role names the person holds *now* (dated assignments are resolved by the
    service that builds the actor); services check them, routes never decide access alone.
    `grants` narrows roles to scopes: ``(role, scope)`` pairs where scope is an agreement id or
    ``"*"``. An actor built without grants (the CLI, older callers) holds its roles everywhere.
    """

    person: str
    party: str
    roles: frozenset[str] = field(default_factory=frozenset)
    grants: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @classmethod
    def local_operator(cls, person: str = "cli") -> Actor:
        """The person at the command line of their own node: trusted with every role locally."""
        return cls(person=person, party=OPERATOR, roles=frozenset({"local_operator"}))

    def has_role(self, role: str) -> bool:
        return role in self.roles or "local_operator" in self.roles

    def has_role_for(self, role: str, scope: str) -> bool:
        """Whether the actor holds `role` for `scope` (an agreement id): a grant for that scope
        or for every scope (``"*"``)."""
        if "local_operator" in self.roles:
            return True
        if not self.grants:
            return role in self.roles
        return (role, "*") in self.grants or (role, scope) in self.grants
