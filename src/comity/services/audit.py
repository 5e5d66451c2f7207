"""The verifiable audit log: appending in the caller's transaction, checkpoints, proofs,
verification, export.

Invariant: a change and its leaf commit together or not at all, and leaf indices are 0..n-1
without gaps. The index is the tree size read from the locked head row (``SELECT … FOR UPDATE``
on PostgreSQL; on SQLite the writing transaction already holds the database lock from
``BEGIN IMMEDIATE``), never a sequence, so a rolled-back append leaves no hole. Every append
also stores the complete subtrees it finishes (`audit_node`), so proofs read O(log n) rows.
A checkpoint is signed only after a consistency proof from the previous one verifies.

The log's origin (its C2SP identity) is kept in the head row. The first append or checkpoint
fixes it, from the ``comity_log_origin`` engine option (every entry point builds its engine with
`engine_with_origin(engine, Settings.log_origin)`) or an explicit ``origin=``, else from
`DEFAULT_ORIGIN`; after that it never changes, and a setting
that disagrees is refused rather than silently starting a second identity.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import secrets
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import rfc8785
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from comity.crypto import signing
from comity.domain.actors import Actor
from comity.domain.audit import leaves as bulk
from comity.domain.audit import merkle, tiles
from comity.domain.audit import note as notes
from comity.errors import (
    ComityError,
    Conflict,
    IntegrityFailure,
    InvalidInput,
    InvalidTransition,
    NotFound,
    Unavailable,
)
from comity.persistence.models.audit import (
    AuditCheckpoint,
    AuditHead,
    AuditLeaf,
    AuditNode,
    AuditSalt,
)

LEAF_VERSION = 1
HEAD_ID = 1
DEFAULT_ORIGIN = "comity/local"
#: Engine execution option through which an entry point hands the configured origin down.
ORIGIN_OPTION = "comity_log_origin"
#: Entry bundles use uint16 lengths, so a leaf must stay below 64 KiB.
MAX_LEAF_BYTES = (1 << 16) - 1
_COLUMN = tuple(itemgetter(i) for i in range(7))
#: Leaves read per query while verifying (bounded memory at any log size); a power of two, so
#: every complete subtree up to `_CHUNK_LEVEL` lies inside one chunk.
_CHUNK_LEVEL = 14
VERIFY_CHUNK = 1 << _CHUNK_LEVEL


@dataclass(frozen=True, slots=True)
class Target:
    """The record a change is about: its type (``agreement``) and id (``tr-az-2017``)."""

    type: str
    id: str

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"

    @classmethod
    def parse(cls, text_value: str) -> Target:
        """``TYPE:ID`` as typed on the command line."""
        kind, sep, ident = text_value.partition(":")
        if not sep or not kind or not ident:
            raise InvalidInput(f"record {text_value!r} does not read TYPE:ID", location="--record")
        return cls(kind, ident)


# --- Leaves --------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """A state as plain JSON values (dates as ISO text, decimals as text) for canonical JSON."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def commitment(state: Any, salt: bytes) -> str:
    """A salted SHA-256 commitment to a record state: proves what it was to whoever holds the
    state and the salt, and reveals nothing to whoever holds only the log."""
    return "sha256:" + hashlib.sha256(salt + rfc8785.dumps(_jsonable(state))).hexdigest()


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _timestamp(moment: datetime) -> str:
    # Fixed precision, so that equal instants always give equal bytes.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
    head = _locked_head(session)
    log_origin = _fix_origin(session, head, origin)
    index = head.size
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    body: dict[str, Any] = {
        "v": LEAF_VERSION,
        "log": log_origin,
        "idx": index,
        "ts": _timestamp(moment),
        "actor": {"party": _nfc(actor.party), "person": _nfc(actor.person)},
        "action": _nfc(action),
        "record": {"type": _nfc(target.type), "id": _nfc(target.id)},
    }
    salts: dict[str, bytes] = {}
    for key in ("before", "after"):
        if key in details:
            salts[key] = secrets.token_bytes(16)
            body[key] = commitment(details[key], salts[key])
    leaf_bytes = rfc8785.dumps(body)
    if len(leaf_bytes) > MAX_LEAF_BYTES:
        raise InvalidInput(
            f"audit leaf for {target} is {len(leaf_bytes)} bytes", reason="the limit is 64 KiB"
        )
    hashed = merkle.leaf_hash(leaf_bytes)
    frontier, completed = merkle.append_with_nodes(
        merkle.split_frontier(head.frontier), index, hashed
    )
    leaf = AuditLeaf(
        index=index,
        leaf=leaf_bytes,
        leaf_hash=hashed,
        action=body["action"],
        record_type=body["record"]["type"],
        record_id=body["record"]["id"],
        recorded_at=moment,
    )
    session.add(leaf)
    session.add_all(AuditNode(level=n.level, index=n.index, hash=n.hash) for n in completed)
    if salts:
        session.add(
            AuditSalt(leaf_index=index, before=salts.get("before"), after=salts.get("after"))
        )
    head.size = index + 1
    head.frontier = b"".join(frontier)
    head.root = merkle.root_from_frontier(frontier)
    session.flush()
    return leaf


def check_commitment(session: Session, index: int, which: str, state: Any) -> bool:
    """Whether `state` is what leaf `index` committed to as its `which` (before/after) state."""
    if which not in ("before", "after"):
        raise InvalidInput(f"{which!r} is neither 'before' nor 'after'")
    leaf = session.get(AuditLeaf, index)
    salt_row = session.get(AuditSalt, index)
    if leaf is None:
        raise NotFound(f"no audit leaf {index}", code="audit.leaf_not_found")
    salt = getattr(salt_row, which) if salt_row is not None else None
    if salt is None:
        raise NotFound(f"no salt for the {which} state of leaf {index} (erased or never set)")
    return bool(json.loads(leaf.leaf).get(which) == commitment(state, salt))


def _locked_head(session: Session) -> AuditHead:
    # A session kept across transactions (expire_on_commit=False) must not append on a stale
    # size loaded before another process moved the head: refresh the row we lock (SQLAlchemy
    # already does so for FOR UPDATE; said explicitly because the invariant depends on it).
    head = session.scalars(
        select(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if head is None:
        # The first migration inserts the head row; without it the database was not migrated.
        raise Unavailable("the audit log has no head row", reason="run `comity db upgrade`")
    return head


def _read_head(session: Session) -> AuditHead:
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        raise Unavailable("the audit log has no head row", reason="run `comity db upgrade`")
    return head


def _fix_origin(session: Session, head: AuditHead, wanted: str | None) -> str:
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
    return _read_head(session).origin


def engine_with_origin(engine: Engine, origin: str) -> Engine:
    """The engine every session of an entry point uses: its appends name `origin`.

    Entry points call this once where they build their engine, so that no session (the
    request's, a denial's fresh one, a command's) can append under another origin.
    """
    return engine.execution_options(**{ORIGIN_OPTION: origin})


# --- Reading the tree ----------------------------------------------------------------------------


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


def _read_nodes(
    session: Session,
    wanted: Iterable[merkle.NodeId],
    *,
    leaf: int | None = None,
    within: int | None = None,
) -> dict[merkle.NodeId, bytes]:
    """The stored hashes of the given complete subtrees, in one statement (one round trip).

    Proofs are read on every request, so this goes straight to the DBAPI cursor: no
    SQLAlchemy expressions or row objects. On SQLite the keys are written into the SQL as
    ints (through ``int()``: nothing from outside reaches the text), an OR of primary-key
    probes; on PostgreSQL they are array parameters of one fixed statement. With `leaf`, the
    same statement also fetches that leaf's bytes, returned under the key ``(-1, leaf)``. The
    head's size comes along too: `within`, the tree size the caller assumed without reading
    the head, is refused (as `_check_size` would) when it is beyond the head.
    """
    wanted = set(wanted)
    leaves = sorted(index for level, index in wanted if level == 0)
    inner = sorted(node for node in wanted if node[0] > 0)
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
                keys = " OR ".join(
                    f"(level = {int(level)} AND node_index = {int(index)})"
                    for level, index in inner
                )
                parts.append(f"SELECT level, node_index, hash FROM audit_node WHERE {keys}")  # noqa: S608
            cursor.execute(" UNION ALL ".join(parts))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    head_size: int | None = None
    found: dict[merkle.NodeId, bytes] = {}
    for level, index, value in rows:
        if level == -2:
            head_size = int(index)
        else:
            found[(int(level), int(index))] = bytes(value)
    if within is not None:
        if head_size is None:
            raise Unavailable("the audit log has no head row", reason="run `comity db upgrade`")
        _check_size(within, head_size, "size")
    missing = wanted - found.keys()
    if leaf is not None and (-1, leaf) not in found:
        missing.add((0, leaf))
    if missing:
        level, index = min(missing, key=lambda n: n[1] << n[0])
        raise IntegrityFailure(
            f"stored subtree level {level} index {index} is missing",
            code="audit.tampered",
            location=f"audit_node {level}/{index}",
            index=index << level,
        )
    return found


def _head_size(session: Session) -> int:
    """The head's size, read without the ORM (proofs read it on every request)."""
    size = session.connection().exec_driver_sql("SELECT size FROM audit_head WHERE id = 1").scalar()
    if size is None:
        raise Unavailable("the audit log has no head row", reason="run `comity db upgrade`")
    return int(size)


def _hashes(session: Session, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    nodes = _read_nodes(session, merkle.nodes_for(ranges))
    return merkle.hashes_for(ranges, lambda level, index: nodes[(level, index)])


def _root_at(session: Session, size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    return _hashes(session, [(0, size)])[0]


def _check_size(size: int | None, head_size: int, what: str) -> int:
    if size is None:
        return head_size
    if not 0 < size <= head_size:
        raise InvalidInput(
            f"{what} {size} is not between 1 and the log size {head_size}", location=what
        )
    return size


@dataclass(frozen=True)
class InclusionProof:
    index: int
    size: int
    leaf: bytes
    leaf_hash: bytes
    root: bytes
    proof: list[bytes]

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "size": self.size,
            "leaf": self.leaf.decode(),
            "leaf_hash": self.leaf_hash.hex(),
            "root": self.root.hex(),
            "root_base64": base64.b64encode(self.root).decode(),
            "proof": [h.hex() for h in self.proof],
        }


def prove_inclusion(session: Session, index: int, size: int | None = None) -> InclusionProof:
    """The RFC 6962 inclusion proof of leaf `index` in the tree of `size` (default: now)."""
    within: int | None = size
    if size is None or not 0 <= index < size:
        # Checked against the head first, in the order the messages promise. Otherwise the
        # head's size comes with the nodes, in the same round trip (`within`).
        size = _check_size(size, _head_size(session), "size")
        if not 0 <= index < size:
            raise InvalidInput(
                f"leaf index {index} is not below tree size {size}", location="INDEX"
            )
        within = None
    ranges = merkle.inclusion_proof_ranges(index, size)
    nodes = _read_nodes(session, merkle.nodes_for([*ranges, (0, size)]), leaf=index, within=within)
    leaf = nodes[(-1, index)]
    reader = lambda level, ix: nodes[(level, ix)]  # noqa: E731
    proof = merkle.hashes_for(ranges, reader)
    root_hash = merkle.range_hash(0, size, reader)
    leaf_hash = merkle.leaf_hash(leaf)
    # Self-check: never hand out a proof that does not verify.
    merkle.verify_inclusion(leaf_hash, index, size, proof, root_hash)
    return InclusionProof(index, size, leaf, leaf_hash, root_hash, proof)


@dataclass(frozen=True)
class ConsistencyProof:
    size1: int
    size2: int
    root1: bytes
    root2: bytes
    proof: list[bytes]

    def as_dict(self) -> dict[str, Any]:
        return {
            "size1": self.size1,
            "size2": self.size2,
            "root1": self.root1.hex(),
            "root2": self.root2.hex(),
            "proof": [h.hex() for h in self.proof],
        }


def prove_consistency(session: Session, size1: int, size2: int | None = None) -> ConsistencyProof:
    """The RFC 6962 proof that the tree of `size1` is a prefix of the tree of `size2`."""
    within: int | None = size2
    if size2 is None or not 0 < size1 <= size2:
        size2 = _check_size(size2, _head_size(session), "size")
        if not 0 < size1 <= size2:
            raise InvalidInput(f"size {size1} is not between 1 and {size2}", location="SIZE1")
        within = None
    ranges = merkle.consistency_proof_ranges(size1, size2)
    nodes = _read_nodes(session, merkle.nodes_for([*ranges, (0, size1), (0, size2)]), within=within)
    reader = lambda level, ix: nodes[(level, ix)]  # noqa: E731
    proof = merkle.hashes_for(ranges, reader)
    root1 = merkle.range_hash(0, size1, reader)
    root2 = merkle.range_hash(0, size2, reader)
    merkle.verify_consistency(size1, size2, root1, root2, proof)
    return ConsistencyProof(size1, size2, root1, root2, proof)


# --- Checkpoints ---------------------------------------------------------------------------------


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
    from comity.services import authz  # authz records denials through this module

    head = _locked_head(session)
    origin = _fix_origin(session, head, signer.name)
    authz.require_role(
        actor, {"administrator", "auditor"}, action="audit.checkpoint", target=Target("log", origin)
    )
    if head.size == 0:
        raise InvalidTransition("the audit log is empty: there is nothing to sign")
    root_hash = _root_at(session, head.size)
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
    last = session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.size.desc()).limit(1)
    ).one_or_none()
    if last is not None:
        _check_checkpoint_row(last, origin, [signer.vkey])
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
            last.size, head.size, _reader(session, last.size, head.size)
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


def _reader(session: Session, size1: int, size2: int) -> merkle.NodeReader:
    nodes = _read_nodes(session, merkle.nodes_for(merkle.consistency_proof_ranges(size1, size2)))
    return lambda level, index: nodes[(level, index)]


def _check_checkpoint_row(row: AuditCheckpoint, origin: str, vkeys: Sequence[str]) -> None:
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


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.size.desc()).limit(1)
    ).one_or_none()


# --- Verification --------------------------------------------------------------------------------


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
        body = json.loads(leaf.decode())
        ok = (
            isinstance(body, dict)
            and body.get("v") == LEAF_VERSION
            and body.get("idx") == index
            and body.get("log") == origin
            and body.get("action") == action
            and body.get("record") == {"type": record_type, "id": record_id}
        )
        if ok:
            stamp_text = body["ts"]
            # fromisoformat is C-fast; the Z suffix and fixed precision are checked by length.
            stamp = datetime.fromisoformat(stamp_text[:-1])
            ok = stamp_text[-1] == "Z" and len(stamp_text) == 27
            stored = recorded_at
            if stored.tzinfo is not None:
                stored = stored.astimezone(UTC).replace(tzinfo=None)
            ok = ok and stamp == stored
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
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
    head = _read_head(session)
    size, origin = head.size, head.origin
    report = VerifyReport(origin, size, head.root, signatures_checked=bool(vkeys))
    checkpoints = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.size)))
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
        _check_checkpoint_row(row, origin, vkeys)
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
                previous.size, row.size, _reader(session, previous.size, row.size)
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
    shape = bulk.LeafShape(origin, LEAF_VERSION) if origin is not None else None
    reader = _ChunkReader(session)
    try:
        upper: list[bytes] = []  # frontier of the tree whose leaves are whole chunks
        for chunk in range((size + VERIFY_CHUNK - 1) // VERIFY_CHUNK):
            start = chunk * VERIFY_CHUNK
            end = min(start + VERIFY_CHUNK, size)
            hashes = _fast_leaves(reader, start, end, shape)
            if hashes is None:
                hashes = _slow_leaves(session, start, end, origin)
            levels = bulk.subtree_levels(hashes, _CHUNK_LEVEL)
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


class _ChunkReader:
    """Plain DBAPI reads for verification: no SQLAlchemy row objects per leaf or node.

    Only Python ints (through ``int()``) are formatted into the SQL text, so nothing from
    outside reaches it. The cursor belongs to the session's connection, hence to its
    transaction and snapshot.
    """

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
            # The leaf's time format (``_timestamp``) without its Z, rendered in UTC.
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
        stamps = list(map(_COLUMN[6], rows))
        if not self.sqlite:
            return stamps
        try:
            stamps = list(map(str.replace, stamps, repeat(" "), repeat("T")))
            list(map(datetime.fromisoformat, stamps))
        except (TypeError, ValueError):
            return None
        return stamps

    def close(self) -> None:
        self.cursor.close()

    def nodes(self, level: int, first: int, count: int) -> list[tuple[Any, ...]]:
        self.cursor.execute(
            f"SELECT node_index, hash FROM audit_node WHERE level = {int(level)} "  # noqa: S608
            f"AND node_index >= {int(first)} AND node_index < {int(first + count)} "
            "ORDER BY node_index"
        )
        return list(self.cursor.fetchall())


def _fast_leaves(
    reader: _ChunkReader, start: int, end: int, shape: bulk.LeafShape | None
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
    stored_leaves = list(map(_COLUMN[0], rows))
    try:
        hashes = bulk.leaf_hashes(stored_leaves)
    except TypeError:
        return None  # a value of the wrong type: the slow path names it
    if hashes != list(map(_COLUMN[1], rows)):
        return None
    stamps = reader.stamps(rows)
    if stamps is None:
        return None
    expected = list(
        zip(
            map(_COLUMN[3], rows),  # action
            map(str, range(start, end)),  # idx: the leaf's place, as canonical JSON writes it
            map(_COLUMN[4], rows),  # record id
            map(_COLUMN[5], rows),  # record type
            stamps,
            strict=True,
        )
    )
    if shape.fields(stored_leaves) != expected:
        return None
    return hashes


def _slow_leaves(session: Session, start: int, end: int, origin: str | None) -> list[bytes]:
    """The leaf hashes of [start, end), checked row by row; raises at the first bad leaf."""
    rows = session.execute(
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


def _fast_nodes(reader: _ChunkReader, start: int, levels: list[list[bytes]]) -> bool:
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
        low, high = min(computed), max(computed)
        query = select(AuditNode.index, AuditNode.hash).where(
            AuditNode.level == level, AuditNode.index.between(low, high)
        )
        stored: dict[int, bytes] = dict(session.execute(query).all())
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
    extra_leaves = session.scalar(select(func.count()).where(AuditLeaf.index >= size)) or 0
    total_nodes = session.scalar(select(func.count()).select_from(AuditNode)) or 0
    if not extra_leaves and total_nodes == nodes:
        return
    now_size = session.scalar(select(AuditHead.size).where(AuditHead.id == HEAD_ID))
    if now_size != size:
        return  # appended since: those rows are checked by the next verification
    if extra_leaves:
        raise _tampered(
            f"leaf {size} exists beyond the head's {size} leaves",
            location=f"audit_leaf {size}",
            index=size,
        )
    inside = session.scalar(
        text(
            "SELECT count(*) FROM audit_node WHERE (CAST(node_index AS BIGINT) + 1) * "
            "(CAST(1 AS BIGINT) << level) <= :size"
        ),
        {"size": size},
    )
    raise _tampered(
        f"{total_nodes - nodes} subtree row(s) that no leaf produced "
        f"({inside} inside the tree, {nodes} expected)",
        location="audit_node",
        index=size,
    )


# --- Listing -------------------------------------------------------------------------------------


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
    query = select(AuditLeaf.index, AuditLeaf.leaf, AuditLeaf.leaf_hash).order_by(AuditLeaf.index)
    if target is not None:
        query = query.where(AuditLeaf.record_type == target.type, AuditLeaf.record_id == target.id)
    if limit is not None:
        query = query.limit(limit)
    entries = []
    for index, leaf, hashed in session.execute(query):
        body = json.loads(leaf)
        entries.append(
            LogEntry(
                index=index,
                time=body["ts"],
                party=body["actor"]["party"],
                person=body["actor"]["person"],
                action=body["action"],
                record_type=body["record"]["type"],
                record_id=body["record"]["id"],
                leaf_hash=hashed.hex(),
            )
        )
    return entries


# --- Export for the other party ------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSummary:
    directory: str
    origin: str
    size: int
    root: bytes
    files: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "origin": self.origin,
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "files": self.files,
        }


def _write(directory: Path, relative: str, data: bytes) -> None:
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def export(session: Session, directory: Path) -> ExportSummary:
    """Write the latest checkpoint, its entry bundles and its C2SP hash tiles into `directory`."""
    row = latest_checkpoint(session)
    if row is None:
        raise InvalidTransition(
            "the log has no checkpoint to export", reason="run `comity audit checkpoint` first"
        )
    head = _read_head(session)
    origin = head.origin or DEFAULT_ORIGIN
    size = row.size
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Unavailable(f"cannot create {directory}", reason=str(exc)) from exc
    files = 0
    for tile_index in range((size + tiles.TILE_WIDTH - 1) // tiles.TILE_WIDTH):
        start = tile_index * tiles.TILE_WIDTH
        end = min(start + tiles.TILE_WIDTH, size)
        rows = session.execute(
            select(AuditLeaf.index, AuditLeaf.leaf, AuditLeaf.leaf_hash)
            .where(AuditLeaf.index >= start, AuditLeaf.index < end)
            .order_by(AuditLeaf.index)
        ).all()
        if [r[0] for r in rows] != list(range(start, end)):
            raise _tampered(f"leaves missing in {start}..{end - 1}", location="audit_leaf")
        width = end - start
        _write(
            directory,
            tiles.entries_path(tile_index, width),
            tiles.encode_bundle([r[1] for r in rows]),
        )
        _write(directory, tiles.tile_path(0, tile_index, width), b"".join(r[2] for r in rows))
        files += 2
    for tile_level, tile_index, width in tiles.tiles_of(size):
        if tile_level == 0:
            continue
        level = tile_level * tiles.TILE_HEIGHT
        first = tile_index * tiles.TILE_WIDTH
        hashes = session.execute(
            select(AuditNode.index, AuditNode.hash)
            .where(AuditNode.level == level, AuditNode.index.between(first, first + width - 1))
            .order_by(AuditNode.index)
        ).all()
        if len(hashes) != width:
            raise _tampered(f"subtrees missing at level {level}", location="audit_node")
        _write(
            directory,
            tiles.tile_path(tile_level, tile_index, width),
            b"".join(h[1] for h in hashes),
        )
        files += 1
    _write(directory, "checkpoint", row.note.encode())
    return ExportSummary(str(directory), origin, size, row.root, files + 1)


def _read_export(directory: Path, relative: str) -> bytes:
    path = directory / relative
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise IntegrityFailure(
            f"the export lacks {relative}", code="audit.export_incomplete", location=str(path)
        ) from exc
    except OSError as exc:
        raise Unavailable(f"cannot read {path}", reason=str(exc)) from exc


@dataclass(frozen=True)
class ExportReport:
    origin: str
    size: int
    root: bytes
    leaves: int
    tiles: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "origin": self.origin,
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "leaves_checked": self.leaves,
            "tiles_checked": self.tiles,
        }


def _check_exported_leaves(leaves: Sequence[bytes], start: int, origin: str) -> None:
    """Each leaf names its own index and the log; raises at the first that does not."""
    for offset, leaf in enumerate(leaves):
        index = start + offset
        try:
            body = json.loads(leaf)
            placed = body.get("idx") == index and body.get("log") == origin
        except (ValueError, AttributeError):
            placed = False
        if not placed:
            raise IntegrityFailure(
                f"leaf {index} does not name index {index} of log {origin}",
                code="audit.tampered",
                index=index,
            )


def verify_export(directory: Path, vkey: str) -> ExportReport:
    """Check an export as the other party would, with nothing but the log's verifier key: the
    checkpoint's signature, every leaf's place and log, every tile, and the root."""
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a directory", location=str(directory))
    key = notes.parse_vkey(vkey)
    opened = signing.verify_note(_read_export(directory, "checkpoint"), [key])
    cp = notes.parse_checkpoint(opened.text)
    if cp.origin != key.name:
        raise IntegrityFailure(
            f"checkpoint origin {cp.origin!r} is not the key's name {key.name!r}",
            code="audit.wrong_log",
        )
    shape = bulk.LeafShape(cp.origin, LEAF_VERSION)
    # The frontier of the tree whose leaves are whole tiles (subtrees of 2^8 leaves), and the
    # complete subtrees at the heights that hash tiles carry (8, 16, …), per tile level.
    upper_frontier: list[bytes] = []
    upper: dict[int, list[bytes]] = {}
    last_tile_frontier: list[bytes] = []
    checked_tiles = 0
    for tile_index in range((cp.size + tiles.TILE_WIDTH - 1) // tiles.TILE_WIDTH):
        start = tile_index * tiles.TILE_WIDTH
        width = min(tiles.TILE_WIDTH, cp.size - start)
        try:
            leaves = tiles.decode_bundle(
                _read_export(directory, tiles.entries_path(tile_index, width))
            )
        except InvalidInput as exc:
            raise IntegrityFailure(
                f"entry bundle {tile_index}: {exc.message}", code="audit.tampered", index=start
            ) from exc
        if len(leaves) != width:
            raise IntegrityFailure(
                f"entry bundle {tile_index} holds {len(leaves)} leaves, not {width}",
                code="audit.tampered",
                index=start + min(len(leaves), width),
            )
        # Canonical leaves are placed in bulk (see `verify`); any other is parsed, one by one.
        fields = shape.fields(leaves)
        if fields is None or list(map(_COLUMN[1], fields)) != list(
            map(str, range(start, start + width))
        ):
            _check_exported_leaves(leaves, start, cp.origin)
        hashes = bulk.leaf_hashes(leaves)
        tile = _read_export(directory, tiles.tile_path(0, tile_index, width))
        if tile != b"".join(hashes):
            bad = next(
                (i for i, h in enumerate(hashes) if tile[32 * i : 32 * i + 32] != h), width - 1
            )
            raise IntegrityFailure(
                f"hash tile 0/{tile_index} does not match leaf {start + bad}",
                code="audit.tampered",
                index=start + bad,
            )
        checked_tiles += 1
        if width == tiles.TILE_WIDTH:
            top = bulk.subtree_levels(hashes, tiles.TILE_HEIGHT)[tiles.TILE_HEIGHT][0]
            upper.setdefault(1, []).append(top)
            completed: dict[int, dict[int, bytes]] = {}
            merkle.push(upper_frontier, tile_index, top, completed)
            for level, nodes in sorted(completed.items()):
                if level % tiles.TILE_HEIGHT == 0:
                    upper.setdefault(level // tiles.TILE_HEIGHT + 1, []).extend(nodes.values())
        else:
            # Only the last tile can be partial: its own frontier ends the tree's frontier.
            for offset, hashed in enumerate(hashes):
                merkle.push(last_tile_frontier, offset, hashed)
    frontier = upper_frontier + last_tile_frontier
    for tile_level, tile_index, width in tiles.tiles_of(cp.size):
        if tile_level == 0:
            continue
        first = tile_index * tiles.TILE_WIDTH
        expected = b"".join(upper.get(tile_level, [])[first : first + width])
        if _read_export(directory, tiles.tile_path(tile_level, tile_index, width)) != expected:
            raise IntegrityFailure(
                f"hash tile {tile_level}/{tile_index} does not match the leaves",
                code="audit.tampered",
                index=first << (tile_level * tiles.TILE_HEIGHT),
            )
        checked_tiles += 1
    if merkle.root_from_frontier(frontier) != cp.root:
        raise IntegrityFailure(
            f"the {cp.size} leaves do not produce the signed root", code="audit.tampered"
        )
    return ExportReport(cp.origin, cp.size, cp.root, cp.size, checked_tiles)
