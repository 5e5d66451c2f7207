"""Tampering with any stored row of the log is found by `verify`, which names where.

The attacker here has database rights: on PostgreSQL they disable the insert-only triggers
(``ALTER TABLE … DISABLE TRIGGER USER``), on SQLite they drop them, then edit rows directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, text

from comity.domain.actors import Actor
from comity.errors import IntegrityFailure
from comity.persistence import migrate
from comity.persistence.db import write_session
from comity.services import audit
from comity.services.audit import verification
from tests.conftest import Database
from tests.unit.audit.trees import signer_from_seed

ACTOR = Actor(person="ayse", party="TUR")
OPERATOR = Actor.local_operator("op")
SIGNER = signer_from_seed("comity/local", bytes(range(32)))
SIZE = 20
TABLES = ("audit_leaf", "audit_node", "audit_checkpoint")


def build_log(database: Database) -> None:
    migrate.upgrade(database.engine)
    for start, end in ((0, 8), (8, SIZE)):
        with write_session(database.engine) as session, session.begin():
            for i in range(start, end):
                audit.record(
                    session,
                    ACTOR,
                    "agreement.record_event",
                    audit.Target("agreement", f"a{i}"),
                    {"after": {"n": i}},
                )
            audit.checkpoint(session, OPERATOR, SIGNER)


def disable_triggers(conn: Connection) -> None:
    for table in TABLES:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            for verb in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER {table}_no_{verb}"))


def flip(value: bytes, position: int) -> bytes:
    data = bytearray(value)
    data[position % len(data)] ^= 0x01
    return bytes(data)


def flip_column(
    table: str, column: str, where: str, position: int = 0
) -> Callable[[Connection], None]:
    def tamper(conn: Connection) -> None:
        value = conn.execute(text(f"SELECT {column} FROM {table} WHERE {where}")).scalar_one()
        if isinstance(value, str):
            changed: Any = value[:-1] + ("x" if value[-1] != "x" else "y")
        else:
            changed = flip(value, position)
        conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE {where}"), {"v": changed})

    return tamper


def run_sql(*statements: str) -> Callable[[Connection], None]:
    def tamper(conn: Connection) -> None:
        for statement in statements:
            conn.execute(text(statement))

    return tamper


def swap_leaves(a: int, b: int) -> Callable[[Connection], None]:
    columns = "leaf, leaf_hash, action, record_type, record_id, recorded_at"

    def tamper(conn: Connection) -> None:
        rows = {
            row[0]: row[1:]
            for row in conn.execute(
                text(f"SELECT leaf_index, {columns} FROM audit_leaf WHERE leaf_index IN ({a}, {b})")
            )
        }
        assignments = ", ".join(f"{c.strip()} = :{c.strip()}" for c in columns.split(","))
        for target, source in ((a, b), (b, a)):
            values = dict(zip([c.strip() for c in columns.split(",")], rows[source], strict=True))
            conn.execute(
                text(f"UPDATE audit_leaf SET {assignments} WHERE leaf_index = {target}"), values
            )

    return tamper


def insert_extra_leaf(conn: Connection) -> None:
    row = conn.execute(
        text(
            "SELECT leaf, leaf_hash, action, record_type, record_id, recorded_at "
            "FROM audit_leaf WHERE leaf_index = 0"
        )
    ).one()
    conn.execute(
        text(
            "INSERT INTO audit_leaf (leaf_index, leaf, leaf_hash, action, record_type, record_id,"
            " recorded_at) VALUES (:i, :l, :h, :a, :t, :r, :at)"
        ),
        {"i": SIZE, "l": row[0], "h": row[1], "a": row[2], "t": row[3], "r": row[4], "at": row[5]},
    )


#: (what is changed, how, the field and value the failure must name)
CASES: list[tuple[str, Callable[[Connection], None], str, int]] = [
    ("first byte of leaf 7", flip_column("audit_leaf", "leaf", "leaf_index = 7", 0), "index", 7),
    ("middle byte of leaf 7", flip_column("audit_leaf", "leaf", "leaf_index = 7", 60), "index", 7),
    ("last byte of leaf 7", flip_column("audit_leaf", "leaf", "leaf_index = 7", -1), "index", 7),
    ("hash of leaf 13", flip_column("audit_leaf", "leaf_hash", "leaf_index = 13", 31), "index", 13),
    ("action column of leaf 2", flip_column("audit_leaf", "action", "leaf_index = 2"), "index", 2),
    (
        "record column of leaf 9",
        flip_column("audit_leaf", "record_id", "leaf_index = 9"),
        "index",
        9,
    ),
    (
        "subtree 2/1",
        flip_column("audit_node", "hash", "level = 2 AND node_index = 1", 5),
        "index",
        4,
    ),
    ("head root", flip_column("audit_head", "root", "id = 1", 0), "size", SIZE),
    ("head frontier", flip_column("audit_head", "frontier", "id = 1", 40), "size", SIZE),
    ("head size", run_sql(f"UPDATE audit_head SET size = {SIZE - 1}"), "size", SIZE - 1),
    (
        "checkpoint 8 signature",
        flip_column("audit_checkpoint", "note", "size = 8"),
        "size",
        8,
    ),
    ("checkpoint 8 root", flip_column("audit_checkpoint", "root", "size = 8", 3), "size", 8),
    (
        "deleted leaf 5",
        run_sql(
            "DELETE FROM audit_salt WHERE leaf_index = 5",
            "DELETE FROM audit_leaf WHERE leaf_index = 5",
        ),
        "index",
        5,
    ),
    (
        "deleted last leaf",
        run_sql(
            f"DELETE FROM audit_salt WHERE leaf_index = {SIZE - 1}",
            f"DELETE FROM audit_leaf WHERE leaf_index = {SIZE - 1}",
        ),
        "index",
        SIZE - 1,
    ),
    (
        "deleted subtree 1/6",
        run_sql("DELETE FROM audit_node WHERE level = 1 AND node_index = 6"),
        "index",
        12,
    ),
    ("leaves 3 and 4 swapped", swap_leaves(3, 4), "index", 3),
    ("leaf appended behind the head's back", insert_extra_leaf, "index", SIZE),
]


@pytest.fixture(params=["one chunk", "chunks of 4"])
def chunking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Verify in one chunk (the default size) or in chunks of four leaves, so that tampering
    is also met across chunk boundaries and in subtrees above a chunk."""
    if request.param == "chunks of 4":
        monkeypatch.setattr(verification, "_CHUNK_LEVEL", 2)
        monkeypatch.setattr(verification, "VERIFY_CHUNK", 4)


@pytest.mark.parametrize(
    ("what", "tamper", "field", "expected"), CASES, ids=[case[0] for case in CASES]
)
@pytest.mark.usefixtures("chunking")
def test_tampering_is_detected_and_named(
    fresh_database: Database,
    what: str,
    tamper: Callable[[Connection], None],
    field: str,
    expected: int,
) -> None:
    build_log(fresh_database)
    with write_session(fresh_database.engine) as session, session.begin():
        assert audit.verify(session, [SIGNER.vkey]).leaves == SIZE
    with fresh_database.engine.begin() as conn:
        disable_triggers(conn)
        tamper(conn)
    with (
        write_session(fresh_database.engine) as session,
        session.begin(),
        pytest.raises(IntegrityFailure) as failure,
    ):
        audit.verify(session, [SIGNER.vkey])
    assert failure.value.fields.get(field) == expected, (what, failure.value.one_line())
    assert str(expected) in failure.value.one_line()


@pytest.mark.parametrize("chunk_level", [14, 2, 0])
def test_a_sound_log_is_verified_in_bulk_without_the_row_by_row_path(
    fresh_database: Database, monkeypatch: pytest.MonkeyPatch, chunk_level: int
) -> None:
    # The bulk path must accept every sound log by itself: the row-by-row path is only for
    # naming what is wrong. (Also run on PostgreSQL, whose ORDER BY once sorted by a text
    # copy of the index and put leaf 10 before leaf 2.)
    build_log(fresh_database)

    def refuse(*_: object) -> list[bytes]:
        raise AssertionError("the bulk path rejected a sound chunk")

    monkeypatch.setattr(verification, "_slow_leaves", refuse)
    monkeypatch.setattr(verification, "_CHUNK_LEVEL", chunk_level)
    monkeypatch.setattr(verification, "VERIFY_CHUNK", 1 << chunk_level)
    fast_nodes = verification._fast_nodes
    outcomes: list[bool] = []

    def recording(*args: Any) -> bool:
        outcomes.append(fast_nodes(*args))
        return outcomes[-1]

    monkeypatch.setattr(verification, "_fast_nodes", recording)
    with write_session(fresh_database.engine) as session, session.begin():
        report = audit.verify(session, [SIGNER.vkey])
    assert (report.leaves, report.checkpoints) == (SIZE, 2)
    assert report.nodes == SIZE - bin(SIZE).count("1")
    assert outcomes == [True] * -(-SIZE // (1 << chunk_level))
