"""Appending to the verifiable audit log, in the caller's transaction.

Invariant: a change and its leaf commit together or not at all, and leaf indices are 0..n-1
without gaps. The index is the tree size read from the locked head row (``SELECT … FOR UPDATE``
on PostgreSQL; on SQLite the writing transaction already holds the database lock from
``BEGIN IMMEDIATE``), never a sequence, so a rolled-back append leaves no hole.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from sqlalchemy import select
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.audit import merkle
from comity.errors import Unavailable
from comity.persistence.models.audit import AuditHead, AuditLeaf

LEAF_VERSION = 1
HEAD_ID = 1


@dataclass(frozen=True, slots=True)
class Target:
    """The record a change is about: its type (``agreement``) and id (``tr-az-2017``)."""

    type: str
    id: str

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"


def commitment(state: Any, salt: bytes) -> str:
    """A salted SHA-256 commitment to a record state: proves what it was to whoever holds the
    state and the salt, and reveals nothing to whoever holds only the log."""
    return hashlib.sha256(salt + rfc8785.dumps(state)).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    target: Target,
    details: dict[str, Any] | None = None,
    *,
    origin: str = "comity/local",
    now: datetime | None = None,
) -> AuditLeaf:
    """Append one leaf for `action` (``<subject>.<verb>``) on `target` by `actor`.

    `details` may carry ``before`` and ``after`` states; only salted commitments to them enter
    the leaf. Never pass classified content in `details`: it is not stored, but its commitment
    is, and the leaf is shared with the other party.
    """
    if "." not in action:
        raise ValueError(f"audit action {action!r} must read '<subject>.<verb>'")
    details = details or {}
    head = _locked_head(session)
    index = head.size
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    salt = secrets.token_bytes(16)
    commitments = {
        key: commitment(details[key], salt) for key in ("before", "after") if key in details
    }
    body: dict[str, Any] = {
        "v": LEAF_VERSION,
        "origin": origin,
        "index": index,
        "time": moment.isoformat().replace("+00:00", "Z"),
        "actor": {"party": actor.party, "person": actor.person},
        "action": action,
        "record": {"type": target.type, "id": target.id},
        "commitments": commitments,
    }
    leaf_bytes = rfc8785.dumps(body)
    hashed = merkle.leaf_hash(leaf_bytes)
    frontier = [head.frontier[i : i + 32] for i in range(0, len(head.frontier), 32)]
    frontier = merkle.append_to_frontier(frontier, index, hashed)
    leaf = AuditLeaf(
        index=index,
        leaf=leaf_bytes,
        leaf_hash=hashed,
        action=action,
        record_type=target.type,
        record_id=target.id,
        recorded_at=moment,
    )
    session.add(leaf)
    head.size = index + 1
    head.frontier = b"".join(frontier)
    head.root = merkle.root_from_frontier(frontier)
    session.flush()
    return leaf


def _locked_head(session: Session) -> AuditHead:
    head = session.scalars(
        select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    ).one_or_none()
    if head is None:
        # The first migration inserts the head row; without it the database was not migrated.
        raise Unavailable("the audit log has no head row", reason="run `comity db upgrade`")
    return head
