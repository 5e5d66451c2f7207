"""The Merkle core, notes and tiles against ../shared/conformance/rfc6962_vectors.json, in full."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from comity.crypto import signing
from comity.domain.audit import merkle, note, tiles
from comity.errors import ComityError, IntegrityFailure, InvalidInput
from tests.unit.audit.trees import MemoryTree, parse_skey, signer_from_seed


@pytest.fixture(scope="module")
def vectors(conformance_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((conformance_dir / "rfc6962_vectors.json").read_text())
    return data


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def tree_of(vectors: dict[str, Any]) -> MemoryTree:
    return MemoryTree([merkle.leaf_hash(h(leaf)) for leaf in vectors["leaves_hex"]])


def test_the_conventions_are_the_ones_this_code_assumes(vectors: dict[str, Any]) -> None:
    conventions = vectors["conventions"]
    assert conventions["hash"] == "SHA-256"
    assert "0-based" in conventions["indices"]
    assert "towards the root" in conventions["proof_order"]


def test_roots_of_every_prefix_match_by_stack_and_by_stored_subtrees(
    vectors: dict[str, Any],
) -> None:
    leaves = [merkle.leaf_hash(h(leaf)) for leaf in vectors["leaves_hex"]]
    tree = tree_of(vectors)
    for size, expected in vectors["roots"].items():
        n = int(size)
        assert merkle.root(leaves[:n]).hex() == expected
        assert tree.root(n).hex() == expected


def test_node_hashes_are_the_complete_subtrees(vectors: dict[str, Any]) -> None:
    tree = tree_of(vectors)
    for level, hashes in vectors["node_hashes"].items():
        assert [tree.node(int(level), i).hex() for i in range(len(hashes))] == hashes


def test_hasher_known_answers(vectors: dict[str, Any]) -> None:
    for case in vectors["hasher_known_answers"]:
        if "leaf_hex" in case:
            got = merkle.leaf_hash(h(case["leaf_hex"]))
        elif "left_hex" in case:
            got = merkle.node_hash(h(case["left_hex"]), h(case["right_hex"]))
        else:
            got = merkle.EMPTY_ROOT
        assert got.hex() == case["expect"], case["what"]


def test_inclusion_tables_are_regenerated_byte_for_byte_and_verify(
    vectors: dict[str, Any],
) -> None:
    tree = tree_of(vectors)
    for case in vectors["inclusion"]:
        index, size = case["leaf_index"], case["tree_size"]
        proof = tree.inclusion_proof(index, size)
        assert [p.hex() for p in proof] == case["proof"]
        merkle.verify_inclusion(tree.node(0, index), index, size, proof, tree.root(size))


def test_consistency_tables_are_regenerated_byte_for_byte_and_verify(
    vectors: dict[str, Any],
) -> None:
    tree = tree_of(vectors)
    for case in vectors["consistency"]:
        size1, size2 = case["size1"], case["size2"]
        proof = merkle.consistency_proof(size1, size2, tree.node)
        assert [p.hex() for p in proof] == case["proof"]
        merkle.verify_consistency(size1, size2, tree.root(size1), tree.root(size2), proof)


def test_the_rfc_9162_seven_leaf_example_has_the_rfc_shapes(vectors: dict[str, Any]) -> None:
    example = vectors["rfc9162_example"]
    for case in example["inclusion"]:
        ranges = merkle.inclusion_proof_ranges(case["leaf_index"], case["tree_size"])
        assert [list(r) for r in ranges] == case["proof_ranges"]
    for case in example["consistency"]:
        ranges = merkle.consistency_proof_ranges(case["size1"], case["size2"])
        assert [list(r) for r in ranges] == case["proof_ranges"]


def test_audit_path_lengths(vectors: dict[str, Any]) -> None:
    for index, size, length in vectors["audit_path_lengths"]["cases"]:
        assert len(merkle.inclusion_proof_ranges(index, size)) == length


def test_a_real_certificate_transparency_audit_path_verifies(vectors: dict[str, Any]) -> None:
    case = vectors["real_world"]["ct_log_audit_path"]
    leaf = merkle.leaf_hash(h(case["leaf_input_hex"]))
    assert leaf.hex() == case["leaf_hash"]
    proof = [h(p) for p in case["proof"]]
    merkle.verify_inclusion(leaf, case["leaf_index"], case["tree_size"], proof, h(case["root"]))


def test_the_argon2020_proofs_verify_and_a_tweaked_size_does_not(vectors: dict[str, Any]) -> None:
    argon = vectors["real_world"]["argon2020"]
    sth_root = h(argon["sth"]["root"])
    inclusion = argon["inclusion"]
    leaf = merkle.leaf_hash(h(inclusion["leaf_input_hex"]))
    proof = [h(p) for p in inclusion["proof"]]
    merkle.verify_inclusion(leaf, inclusion["leaf_index"], inclusion["tree_size"], proof, sth_root)
    consistency = argon["consistency"]
    cproof = [h(p) for p in consistency["proof"]]
    args = (h(consistency["root1"]), h(consistency["root2"]), cproof)
    merkle.verify_consistency(consistency["size1"], consistency["size2"], *args)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(consistency["size1"] + 1, consistency["size2"], *args)


def _probe_error(case: dict[str, Any]) -> ComityError | None:
    try:
        if "leaf_hash" in case:
            merkle.verify_inclusion(
                h(case["leaf_hash"]),
                case["leaf_index"],
                case["tree_size"],
                [h(p) for p in case["proof"]],
                h(case["root"]),
            )
        else:
            merkle.verify_consistency(
                case["size1"],
                case["size2"],
                h(case["root1"]),
                h(case["root2"]),
                [h(p) for p in case["proof"]],
            )
    except merkle.ProofError as exc:
        return exc
    return None


@pytest.mark.parametrize("kind", ["inclusion", "consistency"])
def test_every_probe_is_accepted_or_rejected_as_its_want_err_says(
    vectors: dict[str, Any], kind: str
) -> None:
    probes = vectors["probes"][kind]
    assert len(probes) == 98
    wrong = [
        case["file"] for case in probes if (_probe_error(case) is not None) != case["want_err"]
    ]
    assert wrong == []


def test_the_c2sp_example_note_verifies_and_its_key_id_recomputes(
    vectors: dict[str, Any],
) -> None:
    example = vectors["signed_note"]["c2sp_example"]
    key = note.parse_vkey(example["vkey"])
    assert note.key_id(key.name, key.sig_type, key.public_key) == key.key_id
    opened = signing.verify_note(example["note"], [example["vkey"]])
    assert opened.text == "This is an example message.\n"


def test_signing_the_go_note_with_its_published_seed_reproduces_it_byte_for_byte(
    vectors: dict[str, Any],
) -> None:
    case = vectors["signed_note"]["go_note_sign"]
    name, seed = parse_skey(case["skey"])
    signer = signer_from_seed(name, seed)
    assert signer.vkey == case["vkey"]
    assert signer.sign(case["note_text"]) == case["signed_note"]
    signing.verify_note(case["signed_note"], [case["vkey"]])


def test_a_second_signature_from_an_unknown_key_is_ignored_and_a_known_one_verifies(
    vectors: dict[str, Any],
) -> None:
    first = vectors["signed_note"]["go_note_sign"]
    second = vectors["signed_note"]["go_note_second_key"]
    both = first["signed_note"] + second["signature_line"]
    signing.verify_note(both, [first["vkey"]])
    signing.verify_note(both, [second["vkey"]])
    with pytest.raises(IntegrityFailure):
        signing.verify_note(first["signed_note"], [second["vkey"]])


def test_a_one_word_change_to_a_signed_note_is_rejected(vectors: dict[str, Any]) -> None:
    case = vectors["signed_note"]["go_note_sign"]
    forged = case["signed_note"].replace("cryptography", "cryptographe", 1)
    with pytest.raises(IntegrityFailure):
        signing.verify_note(forged, [case["vkey"]])


def test_the_checkpoint_examples_parse(vectors: dict[str, Any]) -> None:
    examples = vectors["checkpoint_examples"]
    for key in ("checkpoint", "cosigned_checkpoint"):
        parsed = note.parse_note(examples[key])
        cp = note.parse_checkpoint(parsed.text)
        assert cp.origin == "example.com/behind-the-sofa"
        assert cp.size == 20852163
        assert cp.body() == parsed.text
    assert len(note.parse_note(examples["cosigned_checkpoint"]).signatures) == 2
    message = examples["cosignature_v1_signed_message_example"]
    assert message.endswith(note.parse_note(examples["checkpoint"]).text)


@pytest.mark.parametrize(
    "body",
    [
        "origin\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
        "origin\n12\n",
        "origin\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
        "origin\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
        "origin\t\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    ],
)
def test_malformed_checkpoints_are_refused(body: str) -> None:
    with pytest.raises(InvalidInput):
        note.parse_checkpoint(body)


@pytest.mark.parametrize(
    "signed",
    [
        "text\n",  # no signatures
        "text\n\n— name\n",  # no signature
        "text\n\n— na+me AAAAAAAA\n",  # '+' in a name
        "text\n\n- name AAAAAAAAAA==\n",  # hyphen, not em dash
        "text\n\n— name AAAA\n",  # shorter than a key id
        "te\x01xt\n\n— name AAAAAAAAAA==\n",  # control character
    ],
)
def test_malformed_notes_are_refused(signed: str) -> None:
    with pytest.raises(InvalidInput):
        note.parse_note(signed)


def test_tile_index_encoding_and_tree_shapes(vectors: dict[str, Any]) -> None:
    data = vectors["tiles"]
    for case in data["c2sp_index_encoding"]:
        assert tiles.encode_index(case["index"]) == case["path_element"]
    for shape in data["c2sp_tree_shapes"]:
        got = {s.level: (s.full, s.partial) for s in tiles.tree_tiles(shape["tree_size"])}
        for level, full in shape["full_tiles"].items():
            assert got.get(int(level), (0, 0)) == (full, shape["partial_tiles"][level])


def test_c2sp_tile_paths() -> None:
    assert tiles.tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tiles.tile_path(1, 0, 17) == "tile/1/000.p/17"
    assert tiles.entries_path(5, 3) == "tile/entries/005.p/3"


def test_a_level_one_tile_entry_is_the_root_of_its_256_leaves() -> None:
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(512)]
    tree = MemoryTree(leaves)
    assert tree.node(8, 1) == merkle.root(leaves[256:512])


def test_a_checkpoint_body_has_origin_size_and_base64_root() -> None:
    body = note.checkpoint_body("example.com/log", 7, bytes(32))
    assert body == f"example.com/log\n7\n{base64.b64encode(bytes(32)).decode()}\n"
