"""Queries over the audit log's tables (reads, and the head row locked for an append).

Proofs and verification read on every request and over millions of rows, so some reads here go
straight to the DBAPI cursor (no SQLAlchemy expressions or row objects). Invariant: only Python
ints (through ``int()``) are ever formatted into SQL text, so nothing from outside reaches it;
every other value is a bound parameter. A cursor belongs to the session's connection, hence to
its transaction and snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import repeat
from operator import itemgetter
from typing import Any, Final

from sqlalchemy import Row, func, select, text
from sqlalchemy.orm import Session

from comity.persistence.models.audit import (
    AuditCheckpoint,
    AuditHead,
    AuditLeaf,
    AuditNode,
)

#: The one head row of the log.
HEAD_ID: Final = 1

#: ``(level, index)`` of a stored complete subtree (level 0: a leaf's hash).
NodeKey = tuple[int, int]


def head(session: Session) -> AuditHead | None:
    return session.get(AuditHead, HEAD_ID)


def locked_head(session: Session) -> AuditHead | None:
    """The head row, locked for this transaction (``SELECT … FOR UPDATE`` on PostgreSQL; on
    SQLite the writing transaction holds the database lock from ``BEGIN IMMEDIATE``)."""
    # A session kept across transactions (expire_on_commit=False) must not append on a stale
    # size loaded before another process moved the head: refresh the row we lock (SQLAlchemy
    # already does so for FOR UPDATE; said explicitly because the invariant depends on it).
    return session.scalars(
        select(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def head_size(session: Session) -> int | None:
    """The head's size, read without the ORM (proofs read it on every request)."""
    size = session.connection().exec_driver_sql("SELECT size FROM audit_head WHERE id = 1").scalar()
    return None if size is None else int(size)


def current_size(session: Session) -> int | None:
    """The head's size as the database has it now (not as this session loaded it)."""
    return session.scalar(select(AuditHead.size).where(AuditHead.id == HEAD_ID))


def checkpoints(session: Session) -> Sequence[AuditCheckpoint]:
    """Every checkpoint, smallest size first."""
    return session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.size)).all()


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.size.desc()).limit(1)
    ).one_or_none()


def leaves_about(
    session: Session, *, record: tuple[str, str] | None = None, limit: int | None = None
) -> Sequence[Row[int, bytes, bytes]]:
    """``(index, leaf, leaf_hash)`` in index order, optionally only about one record
    (``(type, id)``) and at most `limit` of them."""
    query = select(AuditLeaf.index, AuditLeaf.leaf, AuditLeaf.leaf_hash).order_by(AuditLeaf.index)
    if record is not None:
        query = query.where(AuditLeaf.record_type == record[0], AuditLeaf.record_id == record[1])
    if limit is not None:
        query = query.limit(limit)
    return session.execute(query).all()


def leaves_between(session: Session, start: int, end: int) -> Sequence[Row[int, bytes, bytes]]:
    """``(index, leaf, leaf_hash)`` of the leaves stored at [start, end), in index order."""
    return session.execute(
        select(AuditLeaf.index, AuditLeaf.leaf, AuditLeaf.leaf_hash)
        .where(AuditLeaf.index >= start, AuditLeaf.index < end)
        .order_by(AuditLeaf.index)
    ).all()


def leaf_rows_between(
    session: Session, start: int, end: int
) -> Iterable[Row[int, bytes, bytes, str, str, str, datetime]]:
    """Every column of the leaves stored at [start, end), in index order: ``(index, leaf,
    leaf_hash, action, record_type, record_id, recorded_at)``."""
    return session.execute(
        select(
            AuditLeaf.index,
            AuditLeaf.leaf,
            AuditLeaf.leaf_hash,
            AuditLeaf.action,
            AuditLeaf.record_type,
            AuditLeaf.record_id,
            AuditLeaf.recorded_at,
        )
        .where(AuditLeaf.index >= start, AuditLeaf.index < end)
        .order_by(AuditLeaf.index)
    )


def node_hashes(session: Session, level: int, first: int, last: int) -> dict[int, bytes]:
    """``{index: hash}`` of the stored subtrees of `level` with index in [first, last]."""
    query = select(AuditNode.index, AuditNode.hash).where(
        AuditNode.level == level, AuditNode.index.between(first, last)
    )
    stored: dict[int, bytes] = dict(session.execute(query).all())
    return stored


def count_leaves_from(session: Session, index: int) -> int:
    return session.scalar(select(func.count()).where(AuditLeaf.index >= index)) or 0


def count_nodes(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditNode)) or 0


def count_nodes_within(session: Session, size: int) -> int:
    """How many stored subtrees lie inside the tree of `size` leaves."""
    return (
        session.scalar(
            text(
                "SELECT count(*) FROM audit_node WHERE (CAST(node_index AS BIGINT) + 1) * "
                "(CAST(1 AS BIGINT) << level) <= :size"
            ),
            {"size": size},
        )
        or 0
    )


#: PostgreSQL's proof read: one fixed statement (so psycopg prepares it after a few uses and
#: the server plans it once per connection), keys passed as arrays and joined by primary key.
_PG_PROOF_ROWS = """
SELECT -2, size, root FROM audit_head WHERE id = 1
UNION ALL
SELECT -1, leaf_index, leaf FROM audit_leaf WHERE leaf_index = %(leaf)s::int
UNION ALL
SELECT 0, leaf_index, leaf_hash FROM audit_leaf WHERE leaf_index = ANY(%(leaves)s::int[])
UNION ALL
SELECT n.level, n.node_index, n.hash
FROM unnest(%(levels)s::int[], %(indices)s::int[]) AS k(level, node_index)
JOIN audit_node AS n ON n.level = k.level AND n.node_index = k.node_index
"""


def proof_rows(
    session: Session, wanted: Iterable[NodeKey], *, leaf: int | None = None
) -> tuple[int | None, dict[NodeKey, bytes]]:
    """The head's size and the stored hashes of the `wanted` subtrees, in one statement (one
    round trip). With `leaf`, that leaf's bytes come along too, under the key ``(-1, leaf)``.
    Subtrees that are not stored are simply absent.

    On SQLite the keys are written into the SQL as ints, an OR of primary-key probes; on
    PostgreSQL they are array parameters of one fixed statement (`_PG_PROOF_ROWS`).
    """
    keys = set(wanted)
    leaves = sorted(index for level, index in keys if level == 0)
    inner = sorted(node for node in keys if node[0] > 0)
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            cursor.execute(
                _PG_PROOF_ROWS,
                {
                    "leaf": leaf,
                    "leaves": leaves,
                    "levels": [level for level, _ in inner],
                    "indices": [index for _, index in inner],
                },
            )
        else:
            parts = ["SELECT -2, size, root FROM audit_head WHERE id = 1"]
            if leaf is not None:
                parts.append(
                    f"SELECT -1, leaf_index, leaf FROM audit_leaf WHERE leaf_index = {int(leaf)}"  # noqa: S608
                )
            if leaves:
                listed = ",".join(str(int(index)) for index in leaves)
                parts.append(
                    "SELECT 0, leaf_index, leaf_hash FROM audit_leaf "  # noqa: S608
                    f"WHERE leaf_index IN ({listed})"
                )
            if inner:
                # OR of primary-key lookups: SQLite turns it into one index probe per key
                # (a row-value IN over VALUES makes it scan the table).
                probes = " OR ".join(
                    f"(level = {int(level)} AND node_index = {int(index)})"
                    for level, index in inner
                )
                parts.append(f"SELECT level, node_index, hash FROM audit_node WHERE {probes}")  # noqa: S608
            cursor.execute(" UNION ALL ".join(parts))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    size: int | None = None
    found: dict[NodeKey, bytes] = {}
    for level, index, value in rows:
        if level == -2:
            size = int(index)
        else:
            found[(int(level), int(index))] = bytes(value)
    return size, found


#: Column getters over `LeafChunkReader.leaves` rows.
COLUMN: Final = tuple(itemgetter(i) for i in range(7))


class LeafChunkReader:
    """Plain DBAPI reads of leaves and subtrees by index range, for bulk verification: no
    SQLAlchemy row objects per leaf or node."""

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.sqlite = connection.dialect.name == "sqlite"
        # psycopg: binary results, so that bytea crosses the wire as bytes rather than hex.
        options = {} if self.sqlite else {"binary": True}
        self.cursor = connection.connection.cursor(**options)
        if self.sqlite:
            # Stored by SQLAlchemy as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC here): fetched raw and
            # turned into the leaf's format in Python, which is cheaper than SQLite doing it.
            self.stamp = "recorded_at"
        else:
            # The leaf's time format without its Z, rendered in UTC.
            self.stamp = "to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"

    def leaves(self, start: int, end: int) -> list[tuple[Any, ...]]:
        """Rows ``(leaf, leaf_hash, leaf_index, action, record_id, record_type, stamp)``."""
        self.cursor.execute(
            # Never give an output column the name leaf_index: PostgreSQL's ORDER BY would
            # prefer it to the column (a text copy would sort '10' before '2').
            "SELECT leaf, leaf_hash, leaf_index, action, record_id, record_type, "  # noqa: S608
            f"{self.stamp} AS stamp FROM audit_leaf "
            f"WHERE leaf_index >= {int(start)} AND leaf_index < {int(end)} "
            "ORDER BY audit_leaf.leaf_index"
        )
        return list(self.cursor.fetchall())

    def stamps(self, rows: list[tuple[Any, ...]]) -> list[str] | None:
        """The rows' times written as leaves write them (without the Z), or None if one is
        not a well-formed time; then the leaves' times cannot equal them and the slow path
        decides. (PostgreSQL renders real timestamps; SQLite text is checked here, because
        the slow path compares parsed times: text equality must imply a valid time.)"""
        stamps = list(map(COLUMN[6], rows))
        if not self.sqlite:
            return stamps
        try:
            stamps = list(map(str.replace, stamps, repeat(" "), repeat("T")))
            list(map(datetime.fromisoformat, stamps))
        except (TypeError, ValueError):
            return None
        return stamps

    def nodes(self, level: int, first: int, count: int) -> list[tuple[Any, ...]]:
        """Rows ``(node_index, hash)`` of `level` with index in [first, first + count)."""
        self.cursor.execute(
            f"SELECT node_index, hash FROM audit_node WHERE level = {int(level)} "  # noqa: S608
            f"AND node_index >= {int(first)} AND node_index < {int(first + count)} "
            "ORDER BY node_index"
        )
        return list(self.cursor.fetchall())

    def close(self) -> None:
        self.cursor.close()


def nodes_between(session: Session, level: int, first: int, last: int) -> Sequence[Row[int, bytes]]:
    """``(index, hash)`` of the stored subtrees of `level` with index in [first, last], in
    index order."""
    return session.execute(
        select(AuditNode.index, AuditNode.hash)
        .where(AuditNode.level == level, AuditNode.index.between(first, last))
        .order_by(AuditNode.index)
    ).all()
