"""The audit log's tables. Rows are insert-only; the head row is the single point of
serialisation: an append locks it, takes its size as the new leaf's index and moves it on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from comity.persistence.models.base import Base


class AuditLeaf(Base):
    __tablename__ = "audit_leaf"

    index: Mapped[int] = mapped_column("leaf_index", Integer, primary_key=True, autoincrement=False)
    #: The exact canonical-JSON bytes that were hashed.
    leaf: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: Copied out of the leaf for lookups (`comity audit log --record TYPE:ID`); the leaf is truth.
    action: Mapped[str] = mapped_column(String(80), index=True)
    record_type: Mapped[str] = mapped_column(String(80))
    record_id: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditHead(Base):
    __tablename__ = "audit_head"

    #: Always 1: there is one head per log.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(Integer)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: Concatenated 32-byte hashes of the perfect subtrees, largest first.
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
