"""Appending to the audit log inside the caller's transaction."""

from __future__ import annotations

import rfc8785
from sqlalchemy import select
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.audit import merkle
from comity.persistence.models.audit import AuditHead, AuditLeaf
from comity.services import audit

ACTOR = Actor(person="ayse", party="TUR")


def test_each_record_gets_the_next_index_and_moves_the_root(db_session: Session) -> None:
    first = audit.record(db_session, ACTOR, "agreement.import", audit.Target("agreement", "a"))
    second = audit.record(
        db_session, ACTOR, "agreement.record_event", audit.Target("agreement", "a")
    )
    assert second.index == first.index + 1
    leaves = db_session.scalars(select(AuditLeaf).order_by(AuditLeaf.index)).all()
    head = db_session.get(AuditHead, 1)
    assert head is not None
    assert head.size == len(leaves)
    assert head.root == merkle_root([leaf.leaf_hash for leaf in leaves])


def test_a_leaf_carries_commitments_never_the_state_itself(db_session: Session) -> None:
    leaf = audit.record(
        db_session,
        ACTOR,
        "agreement.import",
        audit.Target("agreement", "tr-az"),
        {"after": {"title": "a secret title"}},
    )
    assert b"a secret title" not in leaf.leaf
    body = rfc8785.dumps({"x": 1})  # canonical JSON is what the leaf is made of
    assert body == b'{"x":1}'
    assert leaf.leaf_hash == merkle.leaf_hash(leaf.leaf)


def merkle_root(hashes: list[bytes]) -> bytes:
    """Recomputes the RFC 6962 root from scratch (split at the largest power of two)."""
    if not hashes:
        return merkle.EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return merkle.node_hash(merkle_root(hashes[:k]), merkle_root(hashes[k:]))
