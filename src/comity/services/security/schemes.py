"""Loading a classification scheme (a policy) from its TOML file.

Invariants:
- Loading requires ``security_officer`` and appends ``scheme.load`` in the same transaction;
  loading the file that is already stored, unchanged, writes nothing.
- A scheme can only be replaced if every stored equivalence and clearance still names existing
  levels (`Conflict`, ``scheme.in_use``, otherwise).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.security.schemes import Policy, parse_policy
from comity.errors import Conflict, InvalidInput
from comity.persistence.models.security import SecurityScheme
from comity.persistence.repositories import security as repo
from comity.services import audit, kernel
from comity.services.security.definitions import (
    LoadResult,
    all_equivalences,
    policies,
    source_sha256,
    store_definition,
)
from comity.services.security.records import ROLE


def load_scheme(session: Session, actor: Actor, *, text: str, source: str) -> LoadResult:
    """Store (or replace) a classification scheme from the text of its TOML file."""
    policy = parse_policy(text, source=source)
    target = audit.Target("security_scheme", policy.id)
    kernel.require_role(actor, ROLE, action="scheme.load", target=target)
    digest = source_sha256(text)
    row = repo.scheme(session, policy.id)
    if row is not None and row.source_sha256 == digest:
        return LoadResult(policy.id, "unchanged", digest)
    before = None
    if row is None:
        row = SecurityScheme(id=policy.id)
        session.add(row)
    else:
        _check_replacement(session, policy, source)
        before = row.definition
    row.name = policy.name
    row.party = policy.party
    return store_definition(
        session,
        actor,
        row,
        before=before,
        definition=policy.as_data(),
        digest=digest,
        action="scheme.load",
        target=target,
    )


def _check_replacement(session: Session, policy: Policy, source: str) -> None:
    known = policies(session)
    known[policy.id] = policy
    for equivalence in all_equivalences(session):
        if policy.id in equivalence.policies:
            try:
                equivalence.check(known, source=f"equivalence {equivalence.id}")
            except InvalidInput as exc:
                raise Conflict(
                    f"{source} would break equivalence {equivalence.id}",
                    location=exc.location,
                    reason=exc.reason,
                    code="scheme.in_use",
                ) from None
    for record in repo.clearances(session):
        if record.policy_id == policy.id:
            missing = [c for c in record.classifications if not policy.has(c)]
            if missing:
                raise Conflict(
                    f"{source} drops {missing[0]!r}, held by clearance {record.id}",
                    location=f"clearance {record.id}",
                    reason="revoke or re-grant the clearance first",
                    code="scheme.in_use",
                )
