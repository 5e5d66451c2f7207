"""Shared fixtures: conformance data, migrated databases on both engines, a CLI runner.

Integration tests take `db_session`: a session on a database built by the Alembic migrations
(never `create_all`), inside a transaction that is rolled back after the test. The fixture is
parametrised over SQLite and, when COMITY_TEST_POSTGRES_URL is set, PostgreSQL, so every
integration test runs on both engines.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from comity.cli.main import run
from comity.persistence import migrate
from comity.persistence.db import make_engine

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE_DIR = PROJECT_ROOT.parent / "shared" / "conformance"
POSTGRES_URL_ENV = "COMITY_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    if not CONFORMANCE_DIR.is_dir():
        pytest.skip(f"conformance data not found at {CONFORMANCE_DIR} (../shared/conformance)")
    return CONFORMANCE_DIR


def _postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


@dataclass
class Database:
    """A scratch database for one test session (or one test, for `fresh_database`)."""

    backend: str
    url: str
    engine: Engine


def _create_database(backend: str, tmp_path: Path) -> Iterator[Database]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'comity-test.db'}"
        engine = make_engine(url)
        try:
            yield Database(backend, url, engine)
        finally:
            engine.dispose()
        return
    base_url = _postgres_url()
    if base_url is None:
        if os.environ.get("COMITY_REQUIRE_POSTGRES"):
            pytest.fail(f"COMITY_REQUIRE_POSTGRES is set but {POSTGRES_URL_ENV} is not")
        pytest.skip(f"{POSTGRES_URL_ENV} is not set: PostgreSQL leg skipped")
    admin = create_engine(
        make_url(base_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    name = f"comity_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    pg_url = make_url(base_url).set(drivername="postgresql+psycopg", database=name)
    url_text = pg_url.render_as_string(hide_password=False)
    engine = make_engine(url_text)
    try:
        yield Database(backend, url_text, engine)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """One database per engine per test session, migrated to the heads."""
    for database in _create_database(request.param, tmp_path_factory.mktemp("db")):
        migrate.upgrade(database.engine)
        yield database


@pytest.fixture(params=BACKENDS)
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database of its own for tests that commit (concurrency, migrations, CLI)."""
    yield from _create_database(request.param, tmp_path)


@pytest.fixture
def db_session(migrated_database: Database) -> Iterator[Session]:
    """A session whose work is rolled back after the test; services may flush freely and
    code under test may even call `commit()` (it only releases a savepoint)."""
    with migrated_database.engine.connect() as connection:
        transaction = connection.begin()
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


class CliRunner:
    """Runs `comity …` in-process through the real entry point, error rendering included."""

    def __init__(self, capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
        self._capsys = capsys
        self.data_dir = data_dir

    def __call__(self, *args: str, database_url: str | None = None) -> CliResult:
        argv = ["--data-dir", str(self.data_dir)]
        if database_url:
            argv += ["--database-url", database_url]
        self._capsys.readouterr()
        try:
            run([*argv, *args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = self._capsys.readouterr()
        return CliResult(code, out.out, out.err)


@pytest.fixture
def comity(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> CliRunner:
    """`comity(...)` runs the CLI against a private data directory (SQLite by default)."""
    return CliRunner(capsys, tmp_path / "data")
