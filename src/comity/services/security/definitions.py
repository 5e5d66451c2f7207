"""Classification schemes and equivalence tables as stored: written from their files (one way,
`store_definition`) and read back as domain values.

Invariants: what is stored was validated by the pure domain when it was loaded, and is read
back through the same domain functions (`policy_from_data`, `equivalence_from_data`), so a
stored definition means exactly what its file meant. A definition is stored with the SHA-256 of
its file, and its audit leaf (``<subject>.load``) commits to the definition before and after.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.security.schemes import (
    Equivalence,
    Policy,
    equivalence_from_data,
    policy_from_data,
)
from comity.errors import NotFound
from comity.persistence.models.security import SecurityEquivalence, SecurityScheme
from comity.persistence.repositories import security as repo
from comity.services import audit, kernel

LoadStatus = Literal["created", "unchanged", "changed"]


@dataclass(frozen=True, slots=True)
class LoadResult:
    id: str
    status: LoadStatus
    sha256: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status, "sha256": self.sha256}


def source_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def policies(session: Session) -> dict[str, Policy]:
    return {
        row.id: policy_from_data(row.definition, source=f"scheme {row.id}")
        for row in repo.all_schemes(session)
    }


def get_policy(session: Session, policy_id: str) -> Policy:
    row = repo.scheme(session, policy_id)
    if row is None:
        raise NotFound(
            f"no classification scheme {policy_id!r}",
            reason="load it with `comity scheme load FILE`",
            code="scheme.not_found",
        )
    return policy_from_data(row.definition, source=f"scheme {row.id}")


def equivalence_of(row: SecurityEquivalence) -> Equivalence:
    return equivalence_from_data(row.definition, source=f"equivalence {row.id}")


def all_equivalences(session: Session) -> list[Equivalence]:
    return [equivalence_of(row) for row in repo.all_equivalences(session)]


def equivalences_in_force(
    session: Session, on: date, *, agreement: str | None = None
) -> tuple[Equivalence, ...]:
    """The tables decisions use on `on`: the agreement's own (if given), latest first."""
    rows = repo.equivalences_in_force(session, on, agreement=agreement)
    if agreement is not None and not rows:
        raise NotFound(
            f"no equivalence table of agreement {agreement!r} is in force on {on.isoformat()}",
            reason="load it with `comity equivalence load FILE`",
            code="equivalence.not_found",
        )
    return tuple(equivalence_of(row) for row in rows)


def store_definition(
    session: Session,
    actor: Actor,
    row: SecurityScheme | SecurityEquivalence,
    *,
    before: dict[str, Any] | None,
    definition: dict[str, Any],
    digest: str,
    action: str,
    target: audit.Target,
) -> LoadResult:
    """Store `definition` (read from a file whose SHA-256 is `digest`) in `row`: a new row, or
    the stored one whose definition was `before`; then append the `action` leaf."""
    row.definition = definition
    row.source_sha256 = digest
    row.loaded_at = kernel.utc_now()
    session.flush()
    audit.record(
        session,
        actor,
        action,
        target,
        {"before": before, "after": definition} if before else {"after": definition},
    )
    return LoadResult(row.id, "changed" if before else "created", digest)
