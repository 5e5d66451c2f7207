"""Appending to the audit log in the caller's transaction, and the log's origin.

Invariant: a change and its leaf commit together or not at all, and leaf indices are 0..n-1
without gaps. The index is the tree size read from the locked head row (``SELECT … FOR UPDATE``
on PostgreSQL; on SQLite the writing transaction already holds the database lock from
``BEGIN IMMEDIATE``), never a sequence, so a rolled-back append leaves no hole. Every append
also stores the complete subtrees it finishes (`audit_node`), so proofs read O(log n) rows.

The log's origin (its C2SP identity) is kept in the head row. The first append or checkpoint
fixes it, from the ``comity_log_origin`` engine option (every entry point builds its engine with
`engine_with_origin(engine, Settings.log_origin)`) or an explicit ``origin=``, else from
`DEFAULT_ORIGIN`; after that it never changes, and a setting that disagrees is refused rather
than silently starting a second identity.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.audit import merkle
from comity.domain.audit import note as notes
from comity.domain.audit.leaves import Leaf, Target, Which, commitment
from comity.errors import Conflict, InvalidInput, Unavailable
from comity.persistence.models.audit import AuditHead, AuditLeaf, AuditNode, AuditSalt
from comity.persistence.repositories import audit as repo

DEFAULT_ORIGIN: Final = "comity/local"
#: Engine execution option through which an entry point hands the configured origin down.
ORIGIN_OPTION: Final = "comity_log_origin"


def record(
    session: Session,
    actor: Actor,
    action: str,
    target: Target,
    details: dict[str, Any] | None = None,
    *,
    origin: str | None = None,
    now: datetime | None = None,
) -> AuditLeaf:
    """Append one leaf for `action` (``<subject>.<verb>``) on `target` by `actor`.

    `details` may carry ``before`` and ``after`` states; only salted commitments to them enter
    the leaf (the salts go to `audit_salt`, private to this node). Never pass classified content
    in `details`: it is not stored, but its commitment is, and the leaf is shared with the other
    party.
    """
    if "." not in action:
        raise ValueError(f"audit action {action!r} must read '<subject>.<verb>'")
    details = details or {}
    head = locked_head(session)
    salts: dict[Which, bytes] = {}
    commitments: dict[Which, str] = {}
    for key in ("before", "after"):
        if key in details:
            salts[key] = secrets.token_bytes(16)
            commitments[key] = commitment(details[key], salts[key])
    leaf = Leaf.new(
        log=fix_origin(session, head, origin),
        index=head.size,
        moment=now or datetime.now(UTC),
        party=actor.party,
        person=actor.person,
        action=action,
        record=target,
        commitments=commitments,
    )
    leaf_bytes = leaf.to_bytes()
    hashed = merkle.leaf_hash(leaf_bytes)
    frontier, completed = merkle.append_with_nodes(
        merkle.split_frontier(head.frontier), leaf.index, hashed
    )
    row = AuditLeaf(
        index=leaf.index,
        leaf=leaf_bytes,
        leaf_hash=hashed,
        action=leaf.action,
        record_type=leaf.record.type,
        record_id=leaf.record.id,
        recorded_at=leaf.recorded_at,
    )
    session.add(row)
    session.add_all(AuditNode(level=n.level, index=n.index, hash=n.hash) for n in completed)
    if salts:
        session.add(
            AuditSalt(leaf_index=leaf.index, before=salts.get("before"), after=salts.get("after"))
        )
    head.size = leaf.index + 1
    head.frontier = b"".join(frontier)
    head.root = merkle.root_from_frontier(frontier)
    session.flush()
    return row


def locked_head(session: Session) -> AuditHead:
    """The head row, locked for this transaction; `Unavailable` when the log has none."""
    head = repo.locked_head(session)
    if head is None:
        raise no_head()
    return head


def read_head(session: Session) -> AuditHead:
    head = repo.head(session)
    if head is None:
        raise no_head()
    return head


def no_head() -> Unavailable:
    """The refusal when the head row is missing."""
    # The first migration inserts the head row; without it the database was not migrated.
    return Unavailable("the audit log has no head row", reason="run `comity db upgrade`")


def fix_origin(session: Session, head: AuditHead, wanted: str | None) -> str:
    """The log's origin: fixed now from `wanted` (or the engine's option, or the default) if
    the head has none yet; refused when `wanted` names another."""
    wanted = wanted or session.get_bind().get_execution_options().get(ORIGIN_OPTION)
    if head.origin is None:
        origin = wanted or DEFAULT_ORIGIN
        if not notes.valid_origin(origin):
            raise InvalidInput(
                f"log origin {origin!r} is empty or contains a space or '+'",
                location="COMITY_LOG_ORIGIN",
            )
        head.origin = origin
        return origin
    if wanted and wanted != head.origin:
        raise Conflict(
            f"this log's origin is {head.origin!r}, not {wanted!r}",
            code="audit.origin_mismatch",
            reason="a log never changes its origin; start a new database for a new origin",
        )
    return head.origin


def stored_origin(session: Session) -> str | None:
    """The origin fixed in the head (None until the first append or checkpoint)."""
    return read_head(session).origin


def engine_with_origin(engine: Engine, origin: str) -> Engine:
    """The engine every session of an entry point uses: its appends name `origin`.

    Entry points call this once where they build their engine, so that no session (the
    request's, a denial's fresh one, a command's) can append under another origin.
    """
    return engine.execution_options(**{ORIGIN_OPTION: origin})
