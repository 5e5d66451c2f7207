"""Loading an agreement's equivalence table (between the parties' schemes) from its TOML file.

Invariants: loading requires ``security_officer`` and appends ``equivalence.load`` in the same
transaction; a table only names loaded schemes and their levels; loading the file that is
already stored, unchanged, writes nothing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.security.schemes import parse_equivalence
from comity.persistence.models.security import SecurityEquivalence
from comity.persistence.repositories import security as repo
from comity.services import audit, kernel
from comity.services.security.definitions import (
    LoadResult,
    policies,
    source_sha256,
    store_definition,
)
from comity.services.security.records import ROLE


def load_equivalence(session: Session, actor: Actor, *, text: str, source: str) -> LoadResult:
    """Store (or replace) an agreement's equivalence table from the text of its TOML file."""
    equivalence = parse_equivalence(text, source=source)
    target = audit.Target("security_equivalence", equivalence.id)
    kernel.require_role(actor, ROLE, action="equivalence.load", target=target)
    equivalence.check(policies(session), source=source)
    digest = source_sha256(text)
    row = repo.equivalence(session, equivalence.id)
    if row is not None and row.source_sha256 == digest:
        return LoadResult(equivalence.id, "unchanged", digest)
    before = None
    if row is None:
        row = SecurityEquivalence(id=equivalence.id)
        session.add(row)
    else:
        before = row.definition
    row.agreement = equivalence.agreement
    row.effective_from = equivalence.effective_from
    row.effective_until = equivalence.effective_until
    return store_definition(
        session,
        actor,
        row,
        before=before,
        definition=equivalence.as_data(),
        digest=digest,
        action="equivalence.load",
        target=target,
    )
