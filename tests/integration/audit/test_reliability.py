"""Several processes appending at once, and a process killed mid-change, on both engines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from comity.domain.actors import Actor
from comity.domain.audit import merkle
from comity.persistence import migrate
from comity.persistence.db import write_session
from comity.persistence.models.audit import AuditHead, AuditLeaf
from comity.services import audit
from tests.conftest import PROJECT_ROOT, Database

pytestmark = pytest.mark.slow

PROCESSES = 8
APPENDS_EACH = 25


def prepare(database: Database) -> None:
    migrate.upgrade(database.engine)
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (id VARCHAR(100) PRIMARY KEY)"))


def spawn(
    database: Database, name: str, count: int, go: Path, hold: float
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.audit.appender",
            database.url,
            name,
            str(count),
            str(go),
            str(hold),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )


def leaves_and_probes(database: Database) -> tuple[list[AuditLeaf], set[str], AuditHead]:
    with write_session(database.engine) as session, session.begin():
        leaves = list(session.scalars(select(AuditLeaf).order_by(AuditLeaf.index)))
        probes = set(session.scalars(text("SELECT id FROM probe")))
        head = session.get(AuditHead, 1)
        assert head is not None
        audit.verify(session)
    return leaves, probes, head


def test_eight_processes_appending_at_once_leave_no_gap_and_the_right_root(
    fresh_database: Database, tmp_path: Path
) -> None:
    prepare(fresh_database)
    go = tmp_path / "go"
    workers = [spawn(fresh_database, f"p{n}", APPENDS_EACH, go, 0.0) for n in range(PROCESSES)]
    # All eight are connected and waiting before any starts, so their transactions race.
    # (On SQLite the busy handler may still let one writer run several in a row; the
    # invariant checked below holds whatever the interleaving.)
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    go.touch()
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    leaves, probes, head = leaves_and_probes(fresh_database)
    total = PROCESSES * APPENDS_EACH
    assert [leaf.index for leaf in leaves] == list(range(total))
    assert head.size == total
    assert head.root == merkle.root(merkle.leaf_hash(leaf.leaf) for leaf in leaves)
    assert {leaf.record_id for leaf in leaves} == probes


def test_a_process_killed_mid_change_leaves_the_change_and_its_leaf_or_neither(
    fresh_database: Database, tmp_path: Path
) -> None:
    prepare(fresh_database)
    go = tmp_path / "go"
    go.touch()
    victim = spawn(fresh_database, "victim", 0, go, 0.02)
    assert victim.stdout is not None
    assert victim.stdout.readline().strip() == "ready"
    for _ in range(5):  # let a few changes commit, then kill one in the middle of the next
        assert victim.stdout.readline(), victim.stderr.read() if victim.stderr else ""
    time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    victim.stdout.close()
    if victim.stderr is not None:
        victim.stderr.close()
    leaves, probes, head = leaves_and_probes(fresh_database)
    assert len(leaves) >= 5
    assert {leaf.record_id for leaf in leaves} == probes
    assert [leaf.index for leaf in leaves] == list(range(head.size))
    # The log is usable afterwards: the killed transaction left no lock behind.
    with write_session(fresh_database.engine) as session, session.begin():
        leaf = audit.record(
            session, Actor("after", "TUR"), "probe.check", audit.Target("probe", "x")
        )
        assert leaf.index == head.size
        audit.verify(session)
