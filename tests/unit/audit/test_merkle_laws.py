"""Laws of the Merkle core, checked against a recursive reference written from RFC 6962 §2.1."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from comity.domain.audit import merkle
from tests.unit.audit.trees import MemoryTree


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=300)


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[list[bytes], int]:
    leaves = draw(leaf_lists)
    return leaves, draw(st.integers(0, len(leaves) - 1))


@st.composite
def tree_and_sizes(draw: st.DrawFn) -> tuple[list[bytes], int]:
    leaves = draw(leaf_lists)
    return leaves, draw(st.integers(1, len(leaves)))


def flip(proof: list[bytes], element: int, bit: int) -> list[bytes]:
    flipped = list(proof)
    target = bytearray(flipped[element])
    target[bit // 8] ^= 1 << (bit % 8)
    flipped[element] = bytes(target)
    return flipped


@settings(max_examples=150)
@given(leaf_lists)
def test_the_root_equals_the_recursive_definition_by_every_route(leaves: list[bytes]) -> None:
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    tree = MemoryTree(hashes)
    frontier: list[bytes] = []
    for size, hashed in enumerate(hashes):
        frontier = merkle.append_with_nodes(frontier, size, hashed)[0]
    expected = mth(leaves)
    assert merkle.root(hashes) == expected
    assert tree.root() == expected
    assert merkle.root_from_frontier(frontier) == expected
    assert [tree.node(*n) for n in merkle.frontier_nodes(len(leaves))] == frontier
    stack: list[bytes] = []
    completed: dict[int, dict[int, bytes]] = {}
    for size, hashed in enumerate(hashes):
        merkle.push(stack, size, hashed, completed)
    assert stack == frontier
    assert {(lv, i): h for lv, d in completed.items() for i, h in d.items()} == {
        (lv, i): h for lv, level in enumerate(tree.levels) if lv for i, h in enumerate(level)
    }


@settings(max_examples=150)
@given(tree_and_index(), st.data())
def test_every_inclusion_proof_verifies_and_any_bit_flip_fails(
    case: tuple[list[bytes], int], data: st.DataObject
) -> None:
    leaves, index = case
    size = data.draw(st.integers(index + 1, len(leaves)))
    tree = MemoryTree([merkle.leaf_hash(leaf) for leaf in leaves])
    proof = tree.inclusion_proof(index, size)
    assert proof == path(index, leaves[:size])
    root = mth(leaves[:size])
    merkle.verify_inclusion(tree.node(0, index), index, size, proof, root)
    if proof:
        element = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        try:
            merkle.verify_inclusion(
                tree.node(0, index), index, size, flip(proof, element, bit), root
            )
        except merkle.ProofError:
            pass
        else:
            raise AssertionError("a flipped inclusion proof verified")
    for wrong_index in {index + 1, index - 1} - {index}:
        if 0 <= wrong_index < size and tree.node(0, wrong_index) != tree.node(0, index):
            try:
                merkle.verify_inclusion(tree.node(0, index), wrong_index, size, proof, root)
            except merkle.ProofError:
                continue
            # A different index may share the proof's shape; then the leaf must still differ.
            assert tree.inclusion_proof(wrong_index, size) != proof


@settings(max_examples=150)
@given(tree_and_sizes(), st.data())
def test_every_consistency_proof_verifies_and_any_bit_flip_fails(
    case: tuple[list[bytes], int], data: st.DataObject
) -> None:
    leaves, size2 = case
    size1 = data.draw(st.integers(1, size2))
    tree = MemoryTree([merkle.leaf_hash(leaf) for leaf in leaves])
    proof = merkle.consistency_proof(size1, size2, tree.node)
    assert proof == (subproof(size1, leaves[:size2], True) if size1 < size2 else [])
    root1, root2 = mth(leaves[:size1]), mth(leaves[:size2])
    merkle.verify_consistency(size1, size2, root1, root2, proof)
    if proof:
        element = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        try:
            merkle.verify_consistency(size1, size2, root1, root2, flip(proof, element, bit))
        except merkle.ProofError:
            pass
        else:
            raise AssertionError("a flipped consistency proof verified")
        try:
            merkle.verify_consistency(size1, size2, root1, root2, proof[:-1])
        except merkle.ProofError:
            pass
        else:
            raise AssertionError("a truncated consistency proof verified")


@given(tree_and_index())
def test_an_index_at_or_beyond_the_size_is_refused(case: tuple[list[bytes], int]) -> None:
    leaves, index = case
    tree = MemoryTree([merkle.leaf_hash(leaf) for leaf in leaves])
    size = index + 1
    proof = tree.inclusion_proof(index, size)
    try:
        merkle.verify_inclusion(tree.node(0, index), size, size, proof, tree.root(size))
    except merkle.ProofError:
        return
    raise AssertionError("index == size verified")


def test_a_proof_from_the_empty_tree_or_to_a_smaller_tree_is_refused() -> None:
    root = merkle.leaf_hash(b"a")
    for size1, size2 in [(0, 1), (0, 0), (2, 1)]:
        try:
            merkle.verify_consistency(size1, size2, root, root, [root])
        except merkle.ProofError:
            continue
        raise AssertionError(f"({size1}, {size2}) verified")


def test_a_proof_element_of_the_wrong_length_is_refused() -> None:
    tree = MemoryTree([merkle.leaf_hash(bytes([i])) for i in range(5)])
    proof = tree.inclusion_proof(1, 5)
    try:
        merkle.verify_inclusion(
            tree.node(0, 1), 1, 5, [*proof[:-1], proof[-1] + b"\0"], tree.root()
        )
    except merkle.ProofError:
        return
    raise AssertionError("a 33-byte element verified")
