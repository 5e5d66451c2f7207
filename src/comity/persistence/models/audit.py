"""The audit log's tables.

Invariant: leaves, nodes and checkpoints are insert-only (on both engines a trigger refuses
UPDATE and DELETE on them, see migration 0004_audit_log); the head row is the single point of
serialisation: an append locks it, takes its size as the new leaf's index and moves it on. The
head is the one row appends must update, so it is protected by verification instead: `comity
audit verify` recomputes its size, root and frontier from the leaves. Salts are *not* part of
the log: they stay private to this node and may be deleted (erasure) without breaking it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from comity.persistence.models.base import Base


class AuditLeaf(Base):
    __tablename__ = "audit_leaf"

    index: Mapped[int] = mapped_column("leaf_index", Integer, primary_key=True, autoincrement=False)
    #: The exact canonical-JSON bytes that were hashed.
    leaf: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: Copied out of the leaf for lookups (`comity audit log --record TYPE:ID`); the leaf is truth
    #: and `verify` checks that these copies agree with it.
    action: Mapped[str] = mapped_column(String(80), index=True)
    record_type: Mapped[str] = mapped_column(String(80))
    record_id: Mapped[str] = mapped_column(String(200), index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditHead(Base):
    __tablename__ = "audit_head"

    #: Always 1: there is one head per log.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(Integer)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: Concatenated 32-byte hashes of the perfect subtrees, largest first.
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
    #: The log's identity (C2SP origin), fixed by the first append or checkpoint; never changes.
    origin: Mapped[str | None] = mapped_column(String(200))


class AuditNode(Base):
    """A complete subtree of height `level` >= 1 (level 0 is `AuditLeaf.leaf_hash`)."""

    __tablename__ = "audit_node"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    #: The subtree covers leaves [index·2^level, (index+1)·2^level).
    index: Mapped[int] = mapped_column("node_index", Integer, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditCheckpoint(Base):
    """A C2SP checkpoint the log signed; `size` and `root` are copies of the note's lines."""

    __tablename__ = "audit_checkpoint"

    size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: The whole signed note, exactly as signed.
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditSalt(Base):
    """The salts of a leaf's before/after commitments: with the state, they open a commitment."""

    __tablename__ = "audit_salt"

    leaf_index: Mapped[int] = mapped_column(
        Integer, ForeignKey("audit_leaf.leaf_index"), primary_key=True, autoincrement=False
    )
    before: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    after: Mapped[bytes | None] = mapped_column(LargeBinary(16))
