"""RFC 6962 inclusion and consistency proofs, read from the stored complete subtrees.

Invariant: a proof is never handed out unless it verifies against the root it names (each
function checks its own result), and each reads O(log n) stored subtrees in one round trip.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from comity.domain.audit import merkle
from comity.errors import IntegrityFailure, InvalidInput
from comity.persistence.repositories import audit as repo
from comity.services.audit.append import no_head


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


def prove_inclusion(session: Session, index: int, size: int | None = None) -> InclusionProof:
    """The RFC 6962 inclusion proof of leaf `index` in the tree of `size` (default: now)."""
    within: int | None = size
    if size is None or not 0 <= index < size:
        # Checked against the head first, in the order the messages promise. Otherwise the
        # head's size comes with the nodes, in the same round trip (`within`).
        size = check_size(size, _head_size(session), "size")
        if not 0 <= index < size:
            raise InvalidInput(
                f"leaf index {index} is not below tree size {size}", location="INDEX"
            )
        within = None
    ranges = merkle.inclusion_proof_ranges(index, size)
    nodes = read_nodes(session, merkle.nodes_for([*ranges, (0, size)]), leaf=index, within=within)
    leaf = nodes[(-1, index)]
    reader = lambda level, ix: nodes[(level, ix)]  # noqa: E731
    proof = merkle.hashes_for(ranges, reader)
    root_hash = merkle.range_hash(0, size, reader)
    leaf_hash = merkle.leaf_hash(leaf)
    # Self-check: never hand out a proof that does not verify.
    merkle.verify_inclusion(leaf_hash, index, size, proof, root_hash)
    return InclusionProof(index, size, leaf, leaf_hash, root_hash, proof)


def prove_consistency(session: Session, size1: int, size2: int | None = None) -> ConsistencyProof:
    """The RFC 6962 proof that the tree of `size1` is a prefix of the tree of `size2`."""
    within: int | None = size2
    if size2 is None or not 0 < size1 <= size2:
        size2 = check_size(size2, _head_size(session), "size")
        if not 0 < size1 <= size2:
            raise InvalidInput(f"size {size1} is not between 1 and {size2}", location="SIZE1")
        within = None
    ranges = merkle.consistency_proof_ranges(size1, size2)
    nodes = read_nodes(session, merkle.nodes_for([*ranges, (0, size1), (0, size2)]), within=within)
    reader = lambda level, ix: nodes[(level, ix)]  # noqa: E731
    proof = merkle.hashes_for(ranges, reader)
    root1 = merkle.range_hash(0, size1, reader)
    root2 = merkle.range_hash(0, size2, reader)
    merkle.verify_consistency(size1, size2, root1, root2, proof)
    return ConsistencyProof(size1, size2, root1, root2, proof)


def root_at(session: Session, size: int) -> bytes:
    """The root of the stored tree of `size` leaves."""
    if size == 0:
        return merkle.EMPTY_ROOT
    nodes = read_nodes(session, merkle.nodes_for([(0, size)]))
    return merkle.hashes_for([(0, size)], lambda level, index: nodes[(level, index)])[0]


def consistency_reader(session: Session, size1: int, size2: int) -> merkle.NodeReader:
    """The stored subtrees a consistency proof from `size1` to `size2` needs."""
    nodes = read_nodes(session, merkle.nodes_for(merkle.consistency_proof_ranges(size1, size2)))
    return lambda level, index: nodes[(level, index)]


def check_size(size: int | None, head_size: int, what: str) -> int:
    """`size`, or the head's size when None; refused unless between 1 and the head's size."""
    if size is None:
        return head_size
    if not 0 < size <= head_size:
        raise InvalidInput(
            f"{what} {size} is not between 1 and the log size {head_size}", location=what
        )
    return size


def read_nodes(
    session: Session,
    wanted: Iterable[merkle.NodeId],
    *,
    leaf: int | None = None,
    within: int | None = None,
) -> dict[merkle.NodeId, bytes]:
    """The stored hashes of the given complete subtrees, in one round trip; with `leaf`, also
    that leaf's bytes, under the key ``(-1, leaf)``.

    `within`, the tree size the caller assumed without reading the head, is refused (as
    `check_size` would) when it is beyond the head. A missing subtree is tampering.
    """
    wanted = set(wanted)
    head_size, found = repo.proof_rows(session, wanted, leaf=leaf)
    if within is not None:
        if head_size is None:
            raise no_head()
        check_size(within, head_size, "size")
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
    size = repo.head_size(session)
    if size is None:
        raise no_head()
    return size
