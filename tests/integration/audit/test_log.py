"""The audit log in the database: appends, stored subtrees, proofs, checkpoints, export."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from comity.crypto import signing
from comity.domain.actors import Actor
from comity.domain.audit import merkle, tiles
from comity.domain.audit import note as notes
from comity.domain.audit.leaves import commitment
from comity.errors import AccessDenied, Conflict, IntegrityFailure, InvalidInput
from comity.persistence import migrate
from comity.persistence.db import write_session
from comity.persistence.models.audit import (
    AuditCheckpoint,
    AuditHead,
    AuditLeaf,
    AuditNode,
    AuditSalt,
)
from comity.services import audit
from comity.services.audit.export_verification import HASH_TILE
from tests.conftest import Database
from tests.unit.audit.trees import MemoryTree, signer_from_seed

ACTOR = Actor(person="ayse", party="TUR")
OPERATOR = Actor.local_operator("op")
SIGNER = signer_from_seed("comity/local", bytes(range(32)))


def append(session: Session, count: int, prefix: str = "a") -> list[AuditLeaf]:
    return [
        audit.record(
            session,
            ACTOR,
            "agreement.record_event",
            audit.Target("agreement", f"{prefix}{i % 3}"),
            {"before": {"n": i}, "after": {"n": i + 1}},
        )
        for i in range(count)
    ]


def test_every_complete_subtree_is_stored_once_and_matches_the_leaves(db_session: Session) -> None:
    append(db_session, 37)
    leaves = db_session.scalars(select(AuditLeaf).order_by(AuditLeaf.index)).all()
    tree = MemoryTree([leaf.leaf_hash for leaf in leaves])
    nodes = db_session.scalars(select(AuditNode)).all()
    assert len(nodes) == sum(len(level) for level in tree.levels[1:])
    assert all(tree.node(n.level, n.index) == n.hash for n in nodes)
    head = db_session.get(AuditHead, 1)
    assert head is not None
    assert head.root == tree.root()


def test_a_leaf_names_its_log_index_actor_action_and_record_and_only_commitments(
    db_session: Session,
) -> None:
    moment = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    leaf = audit.record(
        db_session,
        ACTOR,
        "agreement.amend",
        audit.Target("agreement", "tr-az"),
        {"before": {"title": "secret A"}, "after": {"title": "secret B"}},
        now=moment,
    )
    body = json.loads(leaf.leaf)
    assert set(body) == {"v", "log", "idx", "ts", "actor", "action", "record", "before", "after"}
    assert body["v"] == 1
    assert body["log"] == "comity/local"
    assert body["idx"] == leaf.index
    assert body["ts"] == "2026-11-29T08:00:00.000000Z"
    assert body["actor"] == {"party": "TUR", "person": "ayse"}
    assert body["record"] == {"type": "agreement", "id": "tr-az"}
    assert body["after"].startswith("sha256:")
    assert b"secret" not in leaf.leaf
    # Whoever holds the state and this node's salt can open the commitment; nobody else can.
    salt = db_session.get(AuditSalt, leaf.index)
    assert salt is not None
    assert salt.after is not None
    assert body["after"] == commitment({"title": "secret B"}, salt.after)
    assert body["after"] != commitment({"title": "secret A"}, salt.after)


def test_the_origin_is_fixed_by_the_first_append_and_a_different_one_is_refused(
    db_session: Session,
) -> None:
    audit.record(db_session, ACTOR, "x.y", audit.Target("x", "0"), origin="comity.example/tr-az")
    append(db_session, 1)
    assert audit.stored_origin(db_session) == "comity.example/tr-az"
    with pytest.raises(Conflict):
        audit.record(
            db_session, ACTOR, "x.y", audit.Target("x", "1"), origin="comity.example/other"
        )


def test_every_inclusion_and_consistency_proof_from_the_database_verifies(
    db_session: Session,
) -> None:
    append(db_session, 21)
    size = audit.prove_consistency(db_session, 1).size2
    for index in range(size):
        for at in (index + 1, size):
            proof = audit.prove_inclusion(db_session, index, at)
            merkle.verify_inclusion(proof.leaf_hash, index, at, proof.proof, proof.root)
    for size1 in range(1, size + 1):
        cons = audit.prove_consistency(db_session, size1, size)
        merkle.verify_consistency(size1, size, cons.root1, cons.root2, cons.proof)


def test_a_proof_outside_the_tree_is_refused_as_bad_input(db_session: Session) -> None:
    append(db_session, 3)
    size = audit.prove_consistency(db_session, 1).size2
    with pytest.raises(InvalidInput):
        audit.prove_inclusion(db_session, size, size)
    with pytest.raises(InvalidInput):
        audit.prove_inclusion(db_session, 0, size + 1)
    with pytest.raises(InvalidInput):
        audit.prove_consistency(db_session, 0)


def test_checkpoints_are_signed_notes_consistent_with_each_other(db_session: Session) -> None:
    append(db_session, 5)
    first = audit.checkpoint(db_session, OPERATOR, SIGNER)
    again = audit.checkpoint(db_session, OPERATOR, SIGNER)
    assert first.created
    assert not again.created
    append(db_session, 4)
    second = audit.checkpoint(db_session, OPERATOR, SIGNER)
    assert second.size == first.size + 4
    signing.verify_note(second.note, [SIGNER.vkey])
    report = audit.verify(db_session, [SIGNER.vkey])
    assert report.checkpoints >= 2
    assert report.leaves == second.size


def test_an_actor_without_the_role_may_not_sign_a_checkpoint(db_session: Session) -> None:
    append(db_session, 1)
    with pytest.raises(AccessDenied):
        audit.checkpoint(db_session, ACTOR, SIGNER)


def test_signing_is_refused_when_the_log_is_not_consistent_with_the_last_checkpoint(
    db_session: Session,
) -> None:
    append(db_session, 6)
    size = audit.prove_consistency(db_session, 1).size2
    forged_root = merkle.leaf_hash(b"another history")
    note = SIGNER.sign(notes.checkpoint_body("comity/local", size - 3, forged_root))
    db_session.add(
        AuditCheckpoint(size=size - 3, root=forged_root, note=note, created_at=datetime.now(UTC))
    )
    db_session.flush()
    with pytest.raises(IntegrityFailure, match="not consistent"):
        audit.checkpoint(db_session, OPERATOR, SIGNER)


def test_signing_is_refused_when_the_head_disagrees_with_the_stored_tree(
    db_session: Session,
) -> None:
    append(db_session, 4)
    db_session.execute(text("UPDATE audit_head SET root = :r"), {"r": bytes(32)})
    db_session.expire_all()
    with pytest.raises(IntegrityFailure, match="disagrees with the head"):
        audit.checkpoint(db_session, OPERATOR, SIGNER)


def test_a_subtree_row_that_no_leaf_produced_is_found(db_session: Session) -> None:
    append(db_session, 8)
    db_session.execute(
        text("INSERT INTO audit_node (level, node_index, hash) VALUES (30, 0, :h)"),
        {"h": bytes(32)},
    )
    with pytest.raises(IntegrityFailure, match="no leaf produced"):
        audit.verify(db_session)


def test_leaf_node_and_checkpoint_rows_refuse_update_and_delete(db_session: Session) -> None:
    append(db_session, 2)
    audit.checkpoint(db_session, OPERATOR, SIGNER)
    for statement in (
        "UPDATE audit_leaf SET action = 'x.y'",
        "DELETE FROM audit_leaf",
        "UPDATE audit_node SET hash = hash",
        "DELETE FROM audit_node",
        "UPDATE audit_checkpoint SET note = ''",
        "DELETE FROM audit_checkpoint",
    ):
        savepoint = db_session.begin_nested()
        with pytest.raises(DBAPIError, match="insert-only"):
            db_session.execute(text(statement))
        savepoint.rollback()


def test_log_entries_list_one_record_in_order(db_session: Session) -> None:
    append(db_session, 6, prefix="log-")
    entries = audit.log_entries(db_session, record="agreement:log-1")
    assert [e.record_id for e in entries] == ["log-1", "log-1"]
    assert entries[0].index < entries[1].index
    assert entries[0].action == "agreement.record_event"
    with pytest.raises(InvalidInput):
        audit.log_entries(db_session, record="no-colon")


def test_an_export_verifies_with_only_the_public_key_and_a_changed_leaf_is_named(
    db_session: Session, tmp_path: Path
) -> None:
    append(db_session, 300)
    audit.checkpoint(db_session, OPERATOR, SIGNER)
    summary = audit.export(db_session, tmp_path / "export")
    report = audit.verify_export(tmp_path / "export", SIGNER.vkey)
    assert report.size == summary.size
    assert (tmp_path / "export" / "tile/0/000").stat().st_size == 256 * 32
    assert (tmp_path / "export" / "tile/1/000.p/1").stat().st_size == 32
    bundle = tmp_path / "export" / "tile/entries/000"
    data = bytearray(bundle.read_bytes())
    position = data.index(b'"idx":7,')
    data[position - 3] ^= 1  # a byte of leaf 7
    bundle.write_bytes(bytes(data))
    with pytest.raises(IntegrityFailure) as failure:
        audit.verify_export(tmp_path / "export", SIGNER.vkey)
    assert failure.value.fields["index"] == 7
    other = signer_from_seed("comity/local", bytes(32))
    with pytest.raises(IntegrityFailure):
        audit.verify_export(tmp_path / "export", other.vkey)


def test_export_files_are_read_as_regular_files_within_their_size_or_refused(
    db_session: Session, tmp_path: Path
) -> None:
    # The other party's files are read as a person's files are: no FIFO is ever waited on (a
    # pipe with no writer would hang an unbounded read), nothing beyond the limit is read.
    append(db_session, 3)
    audit.checkpoint(db_session, OPERATOR, SIGNER)
    export = tmp_path / "export"
    audit.export(db_session, export)
    tile = export / "tile/0/000.p/3"
    tile.write_bytes(bytes(HASH_TILE.limit + 1))
    with pytest.raises(InvalidInput) as too_large:
        audit.verify_export(export, SIGNER.vkey)
    assert (too_large.value.code, too_large.value.location) == ("file.too_large", str(tile))
    tile.unlink()
    os.mkfifo(tile)
    with pytest.raises(InvalidInput) as fifo:
        audit.verify_export(export, SIGNER.vkey)
    assert fifo.value.code == "file.not_regular"
    tile.unlink()
    with pytest.raises(IntegrityFailure) as missing:
        audit.verify_export(export, SIGNER.vkey)
    assert missing.value.code == "audit.export_incomplete"


def test_an_export_with_tiles_of_every_level_verifies_and_a_changed_upper_tile_is_named(
    db_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tiles four leaves wide, so that 70 leaves need full and partial tiles on four levels
    # (real tiles are 256 wide: that would take 2^24 leaves).
    monkeypatch.setattr(tiles, "TILE_HEIGHT", 2)
    monkeypatch.setattr(tiles, "TILE_WIDTH", 4)
    append(db_session, 70)
    audit.checkpoint(db_session, OPERATOR, SIGNER)
    audit.export(db_session, tmp_path / "export")
    assert audit.verify_export(tmp_path / "export", SIGNER.vkey).tiles == 18 + 5 + 1 + 1
    level_2 = tmp_path / "export" / "tile/2/000"
    assert level_2.stat().st_size == 4 * 32
    data = bytearray(level_2.read_bytes())
    data[3 * 32] ^= 1  # the fourth subtree of 16 leaves: leaves 48..63
    level_2.write_bytes(bytes(data))
    with pytest.raises(IntegrityFailure) as failure:
        audit.verify_export(tmp_path / "export", SIGNER.vkey)
    assert failure.value.fields["index"] == 0


def test_verify_counts_every_leaf_and_node(db_session: Session) -> None:
    append(db_session, 10)
    report = audit.verify(db_session)
    assert report.leaves == report.size
    total_nodes = db_session.scalar(select(func.count()).select_from(AuditNode))
    assert report.nodes == total_nodes


def test_fixed_leaves_give_fixed_bytes_subtrees_and_checkpoint(db_session: Session) -> None:
    """Golden storage test: the leaf format, the subtree rows and the checkpoint never drift."""
    head = db_session.get(AuditHead, 1)
    assert head is not None
    assert head.size == 0
    moment = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    for i in range(5):
        audit.record(
            db_session, ACTOR, "agreement.import", audit.Target("agreement", f"g{i}"), now=moment
        )
    first = db_session.get(AuditLeaf, 0)
    assert first is not None
    assert first.leaf == (
        b'{"action":"agreement.import","actor":{"party":"TUR","person":"ayse"},"idx":0,'
        b'"log":"comity/local","record":{"id":"g0","type":"agreement"},'
        b'"ts":"2026-11-29T08:00:00.000000Z","v":1}'
    )
    nodes = db_session.execute(
        select(AuditNode.level, AuditNode.index).order_by(AuditNode.level, AuditNode.index)
    ).all()
    assert [tuple(n) for n in nodes] == [(1, 0), (1, 1), (2, 0)]
    info = audit.checkpoint(db_session, OPERATOR, SIGNER, now=moment)
    assert info.note == GOLDEN_CHECKPOINT


GOLDEN_CHECKPOINT = (
    "comity/local\n5\nA8j9OauNaJ63gbCFNFobotZPkkH2qLHxyx+surSPMOE=\n\n"
    "\u2014 comity/local HE5IrBI5a3Mq2AeXvNT/mURRXiW13NeNhCFqmmP7kl032Lu/n8u1NZ/c2yMZEYsjQfSR"
    "uN/8KAgLUiu2MmwS6aLCtgc=\n"
)


def test_a_session_kept_across_transactions_appends_on_the_current_head(
    fresh_database: Database,
) -> None:
    migrate.upgrade(fresh_database.engine)
    engine = fresh_database.engine
    with write_session(engine) as long_lived:
        with long_lived.begin():
            append(long_lived, 1)
        with write_session(engine) as other, other.begin():
            append(other, 2)
        with long_lived.begin():
            leaf = append(long_lived, 1)[0]
    assert leaf.index == 3
