"""Signed checkpoints of the log (C2SP signed notes of its size and root).

Invariant: a checkpoint is signed only after the stored tree agrees with the head and a
consistency proof from the previous checkpoint verifies: a log never signs two inconsistent
views of its history.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from comity.crypto import signing
from comity.domain.actors import Actor
from comity.domain.audit import merkle
from comity.domain.audit import note as notes
from comity.domain.audit.leaves import Target
from comity.errors import ComityError, IntegrityFailure, InvalidTransition
from comity.persistence.models.audit import AuditCheckpoint
from comity.persistence.repositories import audit as repo
from comity.services import kernel
from comity.services.audit.append import fix_origin, locked_head
from comity.services.audit.proofs import consistency_reader, root_at


@dataclass(frozen=True)
class CheckpointInfo:
    origin: str
    size: int
    root: bytes
    note: str
    created: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "note": self.note,
            "created": self.created,
        }


def checkpoint(
    session: Session, actor: Actor, signer: signing.NoteSigner, *, now: datetime | None = None
) -> CheckpointInfo:
    """Sign a checkpoint of the log as it stands, after proving it consistent with the last one.

    Refuses (IntegrityFailure) when the stored tree disagrees with the head or the last
    checkpoint: a log must never sign two inconsistent views of its history.
    """
    head = locked_head(session)
    origin = fix_origin(session, head, signer.name)
    kernel.require_role(
        actor, {"administrator", "auditor"}, action="audit.checkpoint", target=Target("log", origin)
    )
    if head.size == 0:
        raise InvalidTransition("the audit log is empty: there is nothing to sign")
    root_hash = root_at(session, head.size)
    if (
        root_hash != head.root
        or merkle.root_from_frontier(merkle.split_frontier(head.frontier)) != root_hash
    ):
        raise IntegrityFailure(
            f"the stored tree of size {head.size} disagrees with the head",
            code="audit.tampered",
            location="audit_head",
            size=head.size,
            reason="refusing to sign; run `comity audit verify`",
        )
    last = repo.latest_checkpoint(session)
    if last is not None:
        check_checkpoint_row(last, origin, [signer.vkey])
        if last.size > head.size:
            raise IntegrityFailure(
                f"the log shrank from {last.size} to {head.size} leaves",
                code="audit.fork",
                size=last.size,
            )
        if last.size == head.size:
            if last.root != root_hash:
                raise IntegrityFailure(
                    f"the root of size {head.size} differs from its checkpoint",
                    code="audit.fork",
                    size=last.size,
                )
            return CheckpointInfo(origin, last.size, last.root, last.note, created=False)
        proof = merkle.consistency_proof(
            last.size, head.size, consistency_reader(session, last.size, head.size)
        )
        try:
            merkle.verify_consistency(last.size, head.size, last.root, root_hash, proof)
        except merkle.ProofError as exc:
            raise IntegrityFailure(
                f"the log of size {head.size} is not consistent with checkpoint {last.size}",
                code="audit.fork",
                size=last.size,
                reason="refusing to sign",
            ) from exc
    signed = signer.sign(notes.checkpoint_body(origin, head.size, root_hash))
    session.add(
        AuditCheckpoint(
            size=head.size, root=root_hash, note=signed, created_at=now or datetime.now(UTC)
        )
    )
    session.flush()
    return CheckpointInfo(origin, head.size, root_hash, signed, created=True)


def check_checkpoint_row(row: AuditCheckpoint, origin: str, vkeys: Sequence[str]) -> None:
    """The row's note is well formed, signed by a known key, and agrees with its columns."""
    where = f"audit_checkpoint {row.size}"
    try:
        opened = signing.verify_note(row.note, vkeys) if vkeys else notes.parse_note(row.note)
        parsed = notes.parse_checkpoint(opened.text)
    except ComityError as exc:
        raise IntegrityFailure(
            f"checkpoint of size {row.size}: {exc.message}",
            code="audit.tampered",
            location=where,
            size=row.size,
        ) from exc
    if parsed.origin != origin or parsed.size != row.size or parsed.root != row.root:
        raise IntegrityFailure(
            f"checkpoint of size {row.size} disagrees with its note",
            code="audit.tampered",
            location=where,
            size=row.size,
        )
