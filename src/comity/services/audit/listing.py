"""The log as people read it: its leaves in order, optionally about one record.

Invariant: a listing shows what the leaves say (read through the one leaf format,
`domain/audit/leaves.py`), never the columns copied out of them for lookups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from comity.domain.audit.leaves import Leaf, Target
from comity.errors import IntegrityFailure
from comity.persistence.repositories import audit as repo


@dataclass(frozen=True)
class LogEntry:
    index: int
    time: str
    party: str
    person: str
    action: str
    record_type: str
    record_id: str
    leaf_hash: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "time": self.time,
            "actor": {"party": self.party, "person": self.person},
            "action": self.action,
            "record": {"type": self.record_type, "id": self.record_id},
            "leaf_hash": self.leaf_hash,
        }


def log_entries(
    session: Session, *, record: Target | str | None = None, limit: int | None = None
) -> list[LogEntry]:
    """Leaves in index order, optionally only those about one record (``TYPE:ID``)."""
    target = Target.parse(record) if isinstance(record, str) else record
    rows = repo.leaves_about(
        session, record=None if target is None else (target.type, target.id), limit=limit
    )
    entries = []
    for index, data, hashed in rows:
        try:
            leaf = Leaf.parse(data)
        except ValueError as exc:
            raise IntegrityFailure(
                f"leaf {index} is not a well-formed leaf",
                code="audit.tampered",
                location=f"audit_leaf {index}",
                index=index,
                reason="run `comity audit verify`",
            ) from exc
        entries.append(
            LogEntry(
                index=index,
                time=leaf.timestamp,
                party=leaf.party,
                person=leaf.person,
                action=leaf.action,
                record_type=leaf.record.type,
                record_id=leaf.record.id,
                leaf_hash=hashed.hex(),
            )
        )
    return entries
