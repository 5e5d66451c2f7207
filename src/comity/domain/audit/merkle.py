"""RFC 6962 / RFC 9162 Merkle tree hashing.

Leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right); the tree over n
leaves splits at the largest power of two smaller than n. The *frontier* (the roots of the
perfect subtrees that make up a tree of size n, largest first) lets the log append in O(log n)
and compute the root without reading old leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def append_to_frontier(frontier: Sequence[bytes], size: int, new_leaf_hash: bytes) -> list[bytes]:
    """The frontier of a tree of ``size + 1`` leaves, from that of ``size`` leaves.

    The frontier holds one hash per set bit of ``size``, largest subtree first. Appending merges
    equal-sized subtrees from the right, like binary addition carries.
    """
    stack = list(frontier)
    carry = new_leaf_hash
    n = size
    while n & 1:
        carry = node_hash(stack.pop(), carry)
        n >>= 1
    stack.append(carry)
    return stack


def root_from_frontier(frontier: Sequence[bytes]) -> bytes:
    """The tree head of the tree whose frontier is given (empty tree: SHA-256 of nothing)."""
    if not frontier:
        return EMPTY_ROOT
    acc = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        acc = node_hash(subtree, acc)
    return acc
