"""Verification of the whole log from its leaves: every leaf, subtree, the head, every
checkpoint.

Invariant: `verify` decides "all is well" only when every stored leaf hash is the hash of its
bytes, every leaf names its own index, this log, and the action, record and time copied into
its row, every stored subtree is the hash of its leaves (and no other row exists), the head is
the root of the leaves, and every checkpoint matches the root at its size, is signed by a given
key (when keys are given) and is consistent with the one before. Anything else raises
`IntegrityFailure` naming the first bad index (or checkpoint size).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy.orm import Session

from comity.domain.audit import merkle
from comity.domain.audit.leaves import Leaf, LeafShape, Target
from comity.errors import IntegrityFailure
from comity.persistence.models.audit import AuditCheckpoint
from comity.persistence.repositories import audit as repo
from comity.persistence.repositories.audit import COLUMN, LeafChunkReader
from comity.services.audit.append import read_head
from comity.services.audit.checkpoints import check_checkpoint_row
from comity.services.audit.proofs import consistency_reader

#: Leaves read per query while verifying (bounded memory at any log size); a power of two, so
#: every complete subtree up to `_CHUNK_LEVEL` lies inside one chunk.
_CHUNK_LEVEL = 14
VERIFY_CHUNK = 1 << _CHUNK_LEVEL


@dataclass
class VerifyReport:
    origin: str | None
    size: int
    root: bytes
    leaves: int = 0
    nodes: int = 0
    checkpoints: int = 0
    signatures_checked: bool = False
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "origin": self.origin,
            "size": self.size,
            "root": self.root.hex(),
            "leaves_checked": self.leaves,
            "nodes_checked": self.nodes,
            "checkpoints_checked": self.checkpoints,
            "signatures_checked": self.signatures_checked,
            "notes": self.notes,
        }


def _tampered(message: str, *, location: str, **fields: Any) -> IntegrityFailure:
    return IntegrityFailure(message, code="audit.tampered", location=location, **fields)


def _check_leaf_content(
    index: int, leaf: bytes, origin: str | None, columns: tuple[Any, ...]
) -> None:
    action, record_type, record_id, recorded_at = columns
    try:
        parsed = Leaf.parse(leaf)
    except ValueError:
        parsed = None
    if recorded_at.tzinfo is None:
        recorded_at = recorded_at.replace(tzinfo=UTC)  # SQLite hands back naive UTC times
    if (
        parsed is None
        or parsed.index != index
        or parsed.log != origin
        or parsed.action != action
        or parsed.record != Target(record_type, record_id)
        or parsed.recorded_at != recorded_at
    ):
        raise _tampered(
            f"leaf {index}: its content does not match its position, log or columns",
            location=f"audit_leaf {index}",
            index=index,
        )


def verify(session: Session, vkeys: Sequence[str] = ()) -> VerifyReport:
    """Recompute every leaf hash, every stored subtree, the head and every checkpoint from the
    leaves; check checkpoint signatures against `vkeys` (when given) and their mutual
    consistency. Raises `IntegrityFailure` naming the first bad index (or checkpoint size).

    The leaves are read in aligned chunks of `VERIFY_CHUNK`. Each chunk is first checked in bulk
    (`_fast_leaves`, `_fast_nodes`): leaf hashes in one tight loop, the copied columns through
    the canonical leaf shape, the subtrees inside the chunk level by level against one range
    read per level. Any disagreement, however small, re-checks that chunk the slow way, row by
    row with a JSON parse (`_slow_leaves`, `_compare_nodes`), which names the first bad index;
    so the bulk path never decides anything but "all is well".
    """
    head = read_head(session)
    size, origin = head.size, head.origin
    report = VerifyReport(origin, size, head.root, signatures_checked=bool(vkeys))
    checkpoints = repo.checkpoints(session)
    wanted_sizes = {row.size for row in checkpoints if 0 < row.size <= size}
    # The roots at checkpoint sizes and the head's frontier are folds of complete subtrees:
    # collect those subtrees as they are computed, by the chunk they fall in.
    wanted: set[merkle.NodeId] = set(merkle.frontier_nodes(size))
    for wanted_size in wanted_sizes:
        wanted.update(merkle.frontier_nodes(wanted_size))
    with _without_cyclic_gc():
        report.nodes, known = _check_tree(session, size, origin, wanted)
    report.leaves = size
    frontier = [known[node] for node in merkle.frontier_nodes(size)]
    if head.root != merkle.root_from_frontier(frontier) or head.frontier != b"".join(frontier):
        raise _tampered(
            f"the head of size {size} does not match the root of its leaves",
            location="audit_head",
            size=size,
        )
    _check_no_extra_rows(session, size, report.nodes)
    roots_at = {
        wanted_size: merkle.fold([known[node] for node in merkle.frontier_nodes(wanted_size)])
        for wanted_size in wanted_sizes
    }
    previous: AuditCheckpoint | None = None
    for row in checkpoints:
        if origin is None:
            raise _tampered("checkpoints exist but the head has no origin", location="audit_head")
        check_checkpoint_row(row, origin, vkeys)
        if row.size > size:
            raise _tampered(
                f"checkpoint of size {row.size} is beyond the log's {size} leaves",
                location=f"audit_checkpoint {row.size}",
                size=row.size,
            )
        if roots_at.get(row.size) != row.root:
            raise _tampered(
                f"checkpoint of size {row.size} does not match the root of its leaves",
                location=f"audit_checkpoint {row.size}",
                size=row.size,
            )
        if previous is not None:
            proof = merkle.consistency_proof(
                previous.size, row.size, consistency_reader(session, previous.size, row.size)
            )
            merkle.verify_consistency(previous.size, row.size, previous.root, row.root, proof)
        previous = row
        report.checkpoints += 1
    if not vkeys and checkpoints:
        report.notes.append("checkpoint signatures not checked: no verifier key given")
    return report


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector around bulk verification.

    Verification allocates millions of short-lived rows, bytes and tuples that can never form
    a reference cycle (reference counting frees them), yet each allocation burst triggers
    collections that traverse every live container in the process: about a third of the
    verification time. Its previous state is restored, whatever happens.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_tree(
    session: Session, size: int, origin: str | None, wanted: set[merkle.NodeId]
) -> tuple[int, dict[merkle.NodeId, bytes]]:
    """Check every leaf and every stored subtree of the tree of `size`, chunk by chunk; return
    how many subtrees were checked and the computed hashes of the `wanted` subtrees."""
    checked = 0
    in_chunk: dict[int, list[merkle.NodeId]] = {}
    for level, index in wanted:
        if level <= _CHUNK_LEVEL:
            in_chunk.setdefault((index << level) >> _CHUNK_LEVEL, []).append((level, index))
    known: dict[merkle.NodeId, bytes] = {}
    shape = LeafShape(origin) if origin is not None else None
    reader = LeafChunkReader(session)
    try:
        upper: list[bytes] = []  # frontier of the tree whose leaves are whole chunks
        for chunk in range((size + VERIFY_CHUNK - 1) // VERIFY_CHUNK):
            start = chunk * VERIFY_CHUNK
            end = min(start + VERIFY_CHUNK, size)
            hashes = _fast_leaves(reader, start, end, shape)
            if hashes is None:
                hashes = _slow_leaves(session, start, end, origin)
            levels = merkle.subtree_levels(hashes, _CHUNK_LEVEL)
            if not _fast_nodes(reader, start, levels):
                _compare_nodes(
                    session,
                    {
                        level: {(start >> level) + j: h for j, h in enumerate(levels[level])}
                        for level in range(1, len(levels))
                        if levels[level]
                    },
                )
            checked += sum(len(level) for level in levels[1:])
            for level, index in in_chunk.get(chunk, ()):
                known[(level, index)] = levels[level][index - (start >> level)]
            if end - start == VERIFY_CHUNK:
                completed: dict[int, dict[int, bytes]] = {}
                merkle.push(upper, chunk, levels[_CHUNK_LEVEL][0], completed)
                stored_levels = {_CHUNK_LEVEL + level: nodes for level, nodes in completed.items()}
                checked += _compare_nodes(session, stored_levels)
                for level, nodes in stored_levels.items():
                    for index, hashed in nodes.items():
                        if (level, index) in wanted:
                            known[(level, index)] = hashed
    finally:
        reader.close()
    return checked, known


def _fast_leaves(
    reader: LeafChunkReader, start: int, end: int, shape: LeafShape | None
) -> list[bytes] | None:
    """The leaf hashes of [start, end) if every row there is exactly right, else None.

    Right means: the rows are leaves start..end−1 in order (as many rows as indices, the first
    and last where they must be, ordered by the unique primary key), each stored hash is the
    hash of the stored bytes, and each leaf has the canonical shape and names its own index,
    this log, and the action, record and time copied into its row. Work is done column-wise
    (C-level maps and list comparisons), never row by row in Python.
    """
    if shape is None:
        return None
    rows = reader.leaves(start, end)
    if len(rows) != end - start or rows[0][2] != start or rows[-1][2] != end - 1:
        return None
    stored_leaves = list(map(COLUMN[0], rows))
    try:
        hashes = merkle.leaf_hashes(stored_leaves)
    except TypeError:
        return None  # a value of the wrong type: the slow path names it
    if hashes != list(map(COLUMN[1], rows)):
        return None
    stamps = reader.stamps(rows)
    if stamps is None:
        return None
    expected = list(
        zip(
            map(COLUMN[3], rows),  # action
            map(str, range(start, end)),  # idx: the leaf's place, as canonical JSON writes it
            map(COLUMN[4], rows),  # record id
            map(COLUMN[5], rows),  # record type
            stamps,
            strict=True,
        )
    )
    if shape.fields(stored_leaves) != expected:
        return None
    return hashes


def _slow_leaves(session: Session, start: int, end: int, origin: str | None) -> list[bytes]:
    """The leaf hashes of [start, end), checked row by row; raises at the first bad leaf."""
    rows = repo.leaf_rows_between(session, start, end)
    hashes: list[bytes] = []
    expected = start
    for index, leaf, stored_hash, *columns in rows:
        if index != expected:
            raise _tampered(
                f"leaf {expected} is missing", location=f"audit_leaf {expected}", index=expected
            )
        hashed = merkle.leaf_hash(leaf)
        if hashed != stored_hash:
            raise _tampered(
                f"leaf {index}: the stored hash does not match the leaf's bytes",
                location=f"audit_leaf {index}",
                index=index,
            )
        _check_leaf_content(index, leaf, origin, tuple(columns))
        hashes.append(hashed)
        expected += 1
    if expected != end:
        raise _tampered(
            f"leaf {expected} is missing", location=f"audit_leaf {expected}", index=expected
        )
    return hashes


def _fast_nodes(reader: LeafChunkReader, start: int, levels: list[list[bytes]]) -> bool:
    """Whether the stored subtrees inside a chunk are exactly the computed ones: per level,
    one range read whose (index, hash) rows must equal the computed ones, in order."""
    for level in range(1, len(levels)):
        computed = levels[level]
        if not computed:
            break
        first = start >> level
        stored = reader.nodes(level, first, len(computed))
        if stored != list(zip(range(first, first + len(computed)), computed, strict=True)):
            return False
    return True


def _compare_nodes(session: Session, pending: dict[int, dict[int, bytes]]) -> int:
    """Stored subtrees equal the computed ones, level by level; raises at the first bad one."""
    checked = 0
    for level, computed in sorted(pending.items()):
        stored = repo.node_hashes(session, level, min(computed), max(computed))
        if stored != computed:
            bad = min(i for i in computed if stored.get(i) != computed[i])
            raise _tampered(
                f"subtree level {level} index {bad} (leaves {bad << level}.."
                f"{((bad + 1) << level) - 1}) does not match its leaves",
                location=f"audit_node {level}/{bad}",
                index=bad << level,
            )
        checked += len(computed)
    return checked


def _check_no_extra_rows(session: Session, size: int, nodes: int) -> None:
    """No leaf, node or checkpoint beyond the head, unless the head moved meanwhile (a
    concurrent append committed after we read it)."""
    extra_leaves = repo.count_leaves_from(session, size)
    total_nodes = repo.count_nodes(session)
    if not extra_leaves and total_nodes == nodes:
        return
    if repo.current_size(session) != size:
        return  # appended since: those rows are checked by the next verification
    if extra_leaves:
        raise _tampered(
            f"leaf {size} exists beyond the head's {size} leaves",
            location=f"audit_leaf {size}",
            index=size,
        )
    inside = repo.count_nodes_within(session, size)
    raise _tampered(
        f"{total_nodes - nodes} subtree row(s) that no leaf produced "
        f"({inside} inside the tree, {nodes} expected)",
        location="audit_node",
        index=size,
    )
