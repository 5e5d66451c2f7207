"""The audit log: appends per second, full verification rate, proof time at a million leaves.

* Appends: one `audit.record` per committed transaction (the real cost of an audited change),
  on SQLite (WAL, ``synchronous=FULL``) and PostgreSQL (``synchronous_commit=on``), fsync on.
* Verification: `audit.verify` over a bulk-loaded log of 10⁶ leaves, in leaves per second,
  beside the machine's raw ``hashlib.sha256`` rate over the same leaf bytes measured in the same
  run (target: >= 50 %), and beside the pure recomputation (leaf and node hashes, no database),
  both through the frontier and through the bulk levels `verify` uses.
* Proofs: `prove_inclusion` and `prove_consistency` at 10⁶ leaves (target: < 1 ms).

The 10⁶-leaf log is built by a bulk loader here (same leaf format, same subtree rows as the
service writes, checked by `verify`), not by 10⁶ service calls. PostgreSQL legs run when
COMITY_TEST_POSTGRES_URL is set. Run with ``make bench``; figures go to docs/performance.md.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from sqlalchemy import Engine, create_engine, insert, text, update
from sqlalchemy.engine import make_url

from comity.domain.actors import Actor
from comity.domain.audit import merkle
from comity.persistence import migrate
from comity.persistence.db import make_engine, read_only_session, write_session
from comity.persistence.models.audit import AuditHead, AuditLeaf, AuditNode
from comity.services import audit

LEAVES = int(os.environ.get("COMITY_BENCH_AUDIT_LEAVES", "1000000"))
ORIGIN = "comity/local"
STAMP = "2026-11-29T00:00:00.000000Z"
ACTOR = Actor(person="bench", party="TUR")
BACKENDS = ["sqlite", "postgresql"]


def _database(backend: str, directory: Path) -> Iterator[Engine]:
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{directory / 'bench.db'}")
        migrate.upgrade(engine)
        yield engine
        engine.dispose()
        return
    base = os.environ.get("COMITY_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("COMITY_TEST_POSTGRES_URL is not set")
    admin = create_engine(
        make_url(base).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    name = f"comity_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(drivername="postgresql+psycopg", database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    migrate.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _pedantic(benchmark: BenchmarkFixture) -> Callable[..., object]:
    # pytest-benchmark's pedantic() is untyped; one typed door keeps the benchmarks strict.
    pedantic: Callable[..., object] = benchmark.pedantic
    return pedantic


def leaf_bytes(index: int) -> bytes:
    # Canonical JSON (keys sorted, no spaces) of the service's leaf shape, without commitments.
    return (
        '{"action":"bench.append","actor":{"party":"TUR","person":"bench"},'
        f'"idx":{index},"log":"{ORIGIN}","record":{{"id":"r{index}","type":"bench"}},'
        f'"ts":"{STAMP}","v":1}}'
    ).encode()


def bulk_load(engine: Engine, count: int) -> list[bytes]:
    """Write `count` leaves, their subtrees and the head directly; returns the leaf bytes."""
    moment = datetime(2026, 11, 29, tzinfo=UTC)
    leaves = [leaf_bytes(i) for i in range(count)]
    frontier: list[bytes] = []
    batch = 20_000
    with write_session(engine) as session, session.begin():
        for start in range(0, count, batch):
            leaf_rows: list[dict[str, Any]] = []
            node_rows: list[dict[str, Any]] = []
            for index in range(start, min(start + batch, count)):
                leaf = leaves[index]
                hashed = merkle.leaf_hash(leaf)
                frontier, completed = merkle.append_with_nodes(frontier, index, hashed)
                leaf_rows.append(
                    {
                        "index": index,
                        "leaf": leaf,
                        "leaf_hash": hashed,
                        "action": "bench.append",
                        "record_type": "bench",
                        "record_id": f"r{index}",
                        "recorded_at": moment,
                    }
                )
                node_rows.extend(
                    {"level": n.level, "index": n.index, "hash": n.hash} for n in completed
                )
            session.execute(insert(AuditLeaf), leaf_rows)
            session.execute(insert(AuditNode), node_rows)
        session.execute(
            update(AuditHead)
            .where(AuditHead.id == 1)
            .values(
                size=count,
                root=merkle.root_from_frontier(frontier),
                frontier=b"".join(frontier),
                origin=ORIGIN,
            )
        )
    return leaves


@pytest.fixture(scope="module", params=BACKENDS)
def big_log(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Engine, list[bytes]]]:
    for engine in _database(request.param, tmp_path_factory.mktemp("audit")):
        started = time.perf_counter()
        leaves = bulk_load(engine, LEAVES)
        seconds = time.perf_counter() - started
        print(f"\n{request.param}: bulk-loaded {LEAVES} leaves in {seconds:.1f} s")
        yield request.param, engine, leaves


@pytest.mark.parametrize("backend", BACKENDS)
def test_appends_per_second_in_committed_transactions(
    benchmark: BenchmarkFixture, backend: str, tmp_path: Path
) -> None:
    for engine in _database(backend, tmp_path):
        counter = iter(range(10**9))

        def one_audited_transaction(
            engine: Engine = engine, counter: Iterator[int] = counter
        ) -> None:
            with write_session(engine) as session, session.begin():
                audit.record(
                    session,
                    ACTOR,
                    "bench.append",
                    audit.Target("bench", str(next(counter))),
                    {"after": {"n": 1}},
                )

        _pedantic(benchmark)(one_audited_transaction, rounds=2000, warmup_rounds=20)
        with read_only_session(engine) as session, session.begin():
            assert audit.verify(session).leaves == 2020


def test_full_verification_rate_against_raw_sha256(
    benchmark: BenchmarkFixture, big_log: tuple[str, Engine, list[bytes]]
) -> None:
    backend, engine, leaves = big_log

    def verify_all() -> None:
        with read_only_session(engine) as session, session.begin():
            assert audit.verify(session).leaves == LEAVES

    _pedantic(benchmark)(verify_all, rounds=1, iterations=1)
    assert benchmark.stats is not None
    verify_seconds = benchmark.stats.stats.min
    started = time.perf_counter()
    for leaf in leaves:
        hashlib.sha256(leaf).digest()
    raw_seconds = time.perf_counter() - started
    started = time.perf_counter()
    merkle.root(merkle.leaf_hash(leaf) for leaf in leaves)
    core_seconds = time.perf_counter() - started
    # The hashing alone as `verify` does it (leaf hashes, then the levels of complete
    # subtrees): the ceiling for verification in this interpreter, with no database at all.
    started = time.perf_counter()
    merkle.subtree_levels(merkle.leaf_hashes(leaves), LEAVES.bit_length())
    hashing_seconds = time.perf_counter() - started
    info = {
        "backend": backend,
        "leaves": LEAVES,
        "mean_leaf_bytes": sum(map(len, leaves)) / len(leaves),
        "verify_leaves_per_s": LEAVES / verify_seconds,
        "raw_sha256_per_s": LEAVES / raw_seconds,
        "recompute_root_per_s": LEAVES / core_seconds,
        "bulk_hashing_per_s": LEAVES / hashing_seconds,
        "verify_vs_raw": raw_seconds / verify_seconds,
        "recompute_vs_raw": raw_seconds / core_seconds,
        "bulk_hashing_vs_raw": raw_seconds / hashing_seconds,
    }
    benchmark.extra_info.update(info)
    print(
        "\n"
        + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in info.items())
    )


@pytest.mark.parametrize("kind", ["inclusion", "consistency"])
def test_proof_time_at_a_million_leaves(
    benchmark: BenchmarkFixture, big_log: tuple[str, Engine, list[bytes]], kind: str
) -> None:
    backend, engine, _ = big_log
    rng = random.Random(20261129)
    with read_only_session(engine) as session, session.begin():

        def one_proof() -> None:
            if kind == "inclusion":
                index = rng.randrange(LEAVES)
                size = rng.randrange(index + 1, LEAVES + 1)
                proof = audit.prove_inclusion(session, index, size)
                merkle.verify_inclusion(proof.leaf_hash, index, size, proof.proof, proof.root)
            else:
                size1 = rng.randrange(1, LEAVES)
                cons = audit.prove_consistency(session, size1, LEAVES)
                merkle.verify_consistency(size1, LEAVES, cons.root1, cons.root2, cons.proof)

        _pedantic(benchmark)(one_proof, rounds=2000, warmup_rounds=50)
    benchmark.extra_info["backend"] = backend
