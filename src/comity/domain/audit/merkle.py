"""RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs.

Leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right); the tree over n
leaves splits at the largest power of two smaller than n. The *frontier* (the roots of the
perfect subtrees that make up a tree of size n, largest first) lets the log append in O(log n)
and compute the root without reading old leaves.

Invariant: a verifier here accepts a proof only if the RFC 9162 §2.1.3.2 / §2.1.4.2 algorithm
accepts it, *including* its easily-forgotten checks (index < size, size1 <= size2, every element
32 bytes, ``sn == 0`` at the end, prepending ``first_hash`` when size1 is a power of two). A
consistency proof from the empty tree is refused (transparency-dev/merkle's policy): trusting a
first checkpoint is an explicit trust-on-first-use step, never a proof.

Proof generation works over *stored* complete subtrees: ``node(level, index)`` returns the hash of
leaves ``[index·2^level, (index+1)·2^level)``. Every range the RFC recursion asks for is either one
such node or, on the right edge of an older tree, at most log n of them folded right to left
(the "ephemeral node" rehash), so a proof costs O(log n) node reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from comity.errors import IntegrityFailure

HASH_SIZE = 32
_sha256 = hashlib.sha256
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: ``(level, index)`` of a complete subtree: it covers leaves [index·2^level, (index+1)·2^level).
NodeId = tuple[int, int]
#: Reads the stored hash of a complete subtree.
NodeReader = Callable[[int, int], bytes]


class ProofError(IntegrityFailure):
    """A proof that does not verify (or is malformed: wrong sizes, wrong element lengths)."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message, code="audit.bad_proof", **fields)


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


# --- Building the tree ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompletedNode:
    """A complete subtree (level >= 1) that an append finished; the log stores each one once."""

    level: int
    index: int
    hash: bytes


def append_with_nodes(
    frontier: Sequence[bytes], size: int, new_leaf_hash: bytes
) -> tuple[list[bytes], list[CompletedNode]]:
    """The frontier after appending leaf number `size`, and the subtrees that append completed.

    The frontier holds one hash per set bit of ``size``, largest subtree first. Appending merges
    equal-sized subtrees from the right, like the carries of binary addition (RFC 9162 §2.1.2).
    """
    stack = list(frontier)
    carry = new_leaf_hash
    completed: list[CompletedNode] = []
    n = size
    level = 0
    while n & 1:
        carry = node_hash(stack.pop(), carry)
        n >>= 1
        level += 1
        completed.append(CompletedNode(level, size >> level, carry))
    stack.append(carry)
    return stack, completed


def push(
    stack: list[bytes],
    size: int,
    new_leaf_hash: bytes,
    completed: dict[int, dict[int, bytes]] | None = None,
) -> None:
    """`append_with_nodes` in place, for bulk work (verification, exports): mutates `stack`
    (the frontier of a tree of `size`) and files each completed subtree under
    ``completed[level][index]``. Same result, about twice as fast in CPython."""
    carry = new_leaf_hash
    n = size
    level = 0
    while n & 1:
        carry = _sha256(b"\x01" + stack.pop() + carry).digest()
        n >>= 1
        level += 1
        if completed is not None:
            completed.setdefault(level, {})[size >> level] = carry
    stack.append(carry)


def leaf_hashes(leaves: Sequence[bytes]) -> list[bytes]:
    """`leaf_hash` of every leaf, in one tight loop (bulk verification and exports)."""
    sha256 = _sha256
    return [sha256(b"\x00" + leaf).digest() for leaf in leaves]


def subtree_levels(hashes: list[bytes], height: int) -> list[list[bytes]]:
    """Every complete subtree over `hashes` (which start at a multiple of ``2**height``), level
    by level up to `height`: ``levels[k][j]`` covers ``hashes[j·2^k : (j+1)·2^k]``.

    An odd hash at the end of a level has no sibling yet and is left out, so each level holds
    exactly the complete subtrees. One node hash per leaf in total, in list comprehensions.
    """
    sha256 = _sha256
    levels = [hashes]
    below = hashes
    for _ in range(height):
        if len(below) < 2:
            break
        pairs = iter(below)
        below = [
            sha256(b"\x01" + left + right).digest()
            for left, right in zip(pairs, pairs, strict=False)
        ]
        levels.append(below)
    return levels


def root_from_frontier(frontier: Sequence[bytes]) -> bytes:
    """The tree head of the tree whose frontier is given (empty tree: SHA-256 of nothing)."""
    if not frontier:
        return EMPTY_ROOT
    acc = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        acc = node_hash(subtree, acc)
    return acc


def split_frontier(packed: bytes) -> list[bytes]:
    """The frontier stored as concatenated 32-byte hashes, split back into a list."""
    if len(packed) % HASH_SIZE:
        raise ValueError("a packed frontier is a whole number of 32-byte hashes")
    return [packed[i : i + HASH_SIZE] for i in range(0, len(packed), HASH_SIZE)]


def frontier_nodes(size: int) -> list[NodeId]:
    """Which complete subtrees make up the frontier of a tree of `size` leaves, largest first."""
    nodes: list[NodeId] = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def root(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH over already-hashed leaves, by the RFC 9162 §2.1.2 stack algorithm."""
    frontier: list[bytes] = []
    for size, hashed in enumerate(leaf_hashes):
        push(frontier, size, hashed)
    return root_from_frontier(frontier)


# --- Ranges over stored subtrees -----------------------------------------------------------------


def _largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[NodeId]:
    """The complete subtrees whose fold is MTH(D[start:end]) for a range the RFC recursion uses.

    Such ranges start at a multiple of a power of two at least as large as the range, so the
    decomposition is the binary expansion of the length, largest subtree first.
    """
    if not 0 <= start < end:
        raise ValueError(f"empty or negative range [{start}, {end})")
    nodes: list[NodeId] = []
    position = start
    length = end - start
    for level in range(length.bit_length() - 1, -1, -1):
        if length >> level & 1:
            if position % (1 << level):
                raise ValueError(f"range [{start}, {end}) is not made of aligned subtrees")
            nodes.append((level, position >> level))
            position += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Fold subtree hashes (largest first) right to left into the hash of their union."""
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = node_hash(left, acc)
    return acc


def _path_ranges(index: int, start: int, end: int) -> list[tuple[int, int]]:
    """RFC 6962 §2.1.1 PATH(m, D[start:end]) as leaf ranges, leaf side first."""
    ranges: list[tuple[int, int]] = []
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start = start + k
    ranges.reverse()
    return ranges


def _subproof_ranges(m: int, end: int) -> list[tuple[int, int]]:
    """RFC 6962 §2.1.2 PROOF(m, D[0:end]) as leaf ranges, bottom first."""
    ranges: list[tuple[int, int]] = []
    start = 0
    complete = True
    while m != end - start or not complete:
        if m == end - start:
            # SUBPROOF(m, D_m, false) = {MTH(D_m)}.
            ranges.append((start, end))
            break
        k = _largest_power_of_two_below(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            m -= k
            complete = False
    ranges.reverse()
    return ranges


def inclusion_proof_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form the inclusion proof of leaf `index` in a tree of `size`."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not below tree size {size}")
    return _path_ranges(index, 0, size)


def consistency_proof_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form the proof that tree `size1` is a prefix of `size2`."""
    if not 0 < size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    if size1 == size2:
        return []
    return _subproof_ranges(size1, size2)


def nodes_for(ranges: Iterable[tuple[int, int]]) -> set[NodeId]:
    """Every stored subtree that the given ranges need (to read them in one query)."""
    return {node for start, end in ranges for node in range_nodes(start, end)}


def hashes_for(ranges: Iterable[tuple[int, int]], node: NodeReader) -> list[bytes]:
    return [fold([node(*n) for n in range_nodes(start, end)]) for start, end in ranges]


def consistency_proof(size1: int, size2: int, node: NodeReader) -> list[bytes]:
    """RFC 6962 PROOF(size1, D[0:size2]), reading complete subtrees through `node`."""
    return hashes_for(consistency_proof_ranges(size1, size2), node)


def range_hash(start: int, end: int, node: NodeReader) -> bytes:
    """MTH(D[start:end]) for an aligned range (``range_hash(0, n, …)`` is the root of size n)."""
    if start == end == 0:
        return EMPTY_ROOT
    return fold([node(*n) for n in range_nodes(start, end)])


# --- Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) -----------------------------------------------


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that `proof` implies for `leaf` (a leaf hash) at `index` of a tree of `size`."""
    if index < 0 or size < 0:
        raise ProofError(f"negative index {index} or size {size}")
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}", index=index)
    _check_hash(leaf, "the leaf hash")
    for position, element in enumerate(proof):
        _check_hash(element, f"proof element {position}")
    fn, sn = index, size - 1
    r = leaf
    for element in proof:
        if sn == 0:
            raise ProofError(f"inclusion proof for {index} in {size} is too long", index=index)
        if fn & 1 or fn == sn:
            r = node_hash(element, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, element)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof for {index} in {size} is too short", index=index)
    return r


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> None:
    """Raise `ProofError` unless `proof` shows leaf hash `leaf` at `index` under `root_hash`."""
    _check_hash(root_hash, "the root")
    computed = root_from_inclusion_proof(index, size, leaf, proof)
    if computed != root_hash:
        raise ProofError(
            f"inclusion proof for leaf {index} in tree {size} gives a different root", index=index
        )


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Raise `ProofError` unless `proof` shows tree `size1`/`root1` is a prefix of tree
    `size2`/`root2`."""
    # Roots are only ever compared, so their length needs no check of its own (the
    # transparency-dev probes pass shorter placeholder roots between equal sizes).
    for position, element in enumerate(proof):
        _check_hash(element, f"proof element {position}")
    if size1 < 0 or size2 < 0:
        raise ProofError(f"negative tree size {size1} or {size2}")
    if size1 > size2:
        raise ProofError(f"tree size {size1} is larger than {size2}: a log never shrinks")
    if size1 == 0:
        # Policy (see the module doc): the first checkpoint is trusted on first use, not proven.
        raise ProofError("a consistency proof from the empty tree proves nothing", size1=0)
    if size1 == size2:
        if proof:
            raise ProofError(f"a proof between equal sizes {size1} must be empty")
        if root1 != root2:
            raise ProofError(f"two different roots for tree size {size1}", size1=size1)
        return
    if not proof:
        raise ProofError(f"empty consistency proof from {size1} to {size2}")
    elements = list(proof)
    if size1 & (size1 - 1) == 0:
        elements.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = elements[0]
    for element in elements[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof from {size1} to {size2} is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(element, fr)
            sr = node_hash(element, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, element)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof from {size1} to {size2} is too short")
    if fr != root1:
        raise ProofError(f"consistency proof does not lead to the root of size {size1}")
    if sr != root2:
        raise ProofError(f"consistency proof does not lead to the root of size {size2}")
