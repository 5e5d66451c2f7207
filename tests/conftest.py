"""Shared fixtures: conformance data, scratch databases on both engines, a CLI runner, and the
hooks that make a required leg's skips fail.

Integration tests take `db_session`: a session on a database built by the Alembic migrations
(never `create_all`), inside a transaction that is rolled back after the test. The fixture is
parametrised over SQLite and, when COMITY_TEST_POSTGRES_URL is set, PostgreSQL, so every
integration test runs on both engines (without the URL the PostgreSQL leg is skipped, or fails
when COMITY_REQUIRE_POSTGRES is set: `tests/legs.py`).

Databases are copied, not rebuilt: each test process (each xdist worker) builds a `Template` once
per engine — migrated, or migrated and seeded by a conftest that defines one — and a test's
database is a copy of it (SQLite: SQLite's backup API into a new file under the test's tmp
directory; PostgreSQL: `CREATE DATABASE … TEMPLATE …`). Every name carries the worker's id and a
random part, so parallel workers never share a database. Argon2id work is done once per distinct
input and test process (`_hash_each_password_once`).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import uuid
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from comity.cli.main import run
from comity.crypto import passwords
from comity.persistence import migrate
from comity.persistence.db import make_engine
from tests.legs import LEGS, POSTGRES

pytest_plugins = ["pytester"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE_DIR = PROJECT_ROOT / "tests" / "conformance"
POSTGRES_URL_ENV = "COMITY_TEST_POSTGRES_URL"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses a leg's fixture belongs to that leg, marked or not."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for leg in LEGS:
            if leg.fixture is not None and leg.fixture in fixtures:
                item.add_marker(leg.marker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """With a leg's switch set, a skipped test of that leg is a failed one, whatever skipped it
    (the report is made where the test ran, so this holds under xdist too)."""
    report = yield
    if not report.skipped or hasattr(report, "wasxfail"):
        return report
    for leg in LEGS:
        if leg.required and item.get_closest_marker(leg.marker) is not None:
            skip = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            reason = str(skip).removeprefix("Skipped: ")
            report.outcome = "failed"
            report.longrepr = f"{leg.switch} is set, but this {leg.name} test was skipped: {reason}"
            break
    return report


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    """The public test vectors kept in the repository (their sources: its README.md)."""
    if not CONFORMANCE_DIR.is_dir():
        pytest.fail(
            f"conformance data missing: {CONFORMANCE_DIR} is part of the repository", pytrace=False
        )
    return CONFORMANCE_DIR


@pytest.fixture(scope="session", autouse=True)
def _hash_each_password_once() -> Iterator[None]:
    """Compute each distinct argon2id hash and verification once per test process.

    Argon2id is slow on purpose (about 0.15 s of both cores a call) and fixtures make hundreds of
    accounts with the same few passwords. The functions stay the real ones with the production
    parameters; only a call repeating an earlier one with the same arguments gets that call's
    result (a salted hash made for one account is as valid for another with the same password).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "hash_password", functools.cache(passwords.hash_password))
        patch.setattr(passwords, "verify_password", functools.cache(passwords.verify_password))
        yield


@dataclass
class Database:
    """A scratch database for one test session, module or test."""

    backend: str
    url: str
    engine: Engine


@dataclass(frozen=True)
class Template:
    """A database state tests start from: `build` runs once per engine and test process on an
    empty database, and every database made from the template is a copy of the result."""

    name: str
    build: Callable[[Engine], None]


MIGRATED = Template("migrated", migrate.upgrade)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page (what is still in its WAL included) into `target`."""
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


class Databases:
    """The scratch databases of this test process, on each engine: empty, or a template's copy.

    PostgreSQL is reached only when a test asks for it, so that without the URL only the tests
    of that leg skip (or fail, when it is required).
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._templates: dict[tuple[str, Template], Database] = {}
        self._admin: Engine | None = None
        self._postgres: URL | None = None

    @contextmanager
    def create(
        self, backend: str, directory: Path, template: Template | None = None
    ) -> Iterator[Database]:
        """A new database (SQLite: a file in `directory`), empty or a copy of `template`."""
        source = self._template(backend, template) if template else None
        database = self._create(backend, directory, source)
        try:
            yield database
        finally:
            self._drop(database)

    def close(self) -> None:
        for template in self._templates.values():
            self._drop(template)
        self._templates.clear()
        if self._admin is not None:
            self._admin.dispose()

    def _template(self, backend: str, template: Template) -> Database:
        key = (backend, template)
        if key not in self._templates:
            database = self._create(backend, self._directory, None)
            try:
                template.build(database.engine)
            except BaseException:
                self._drop(database)
                raise
            # A PostgreSQL template cannot be copied while anyone is connected to it.
            database.engine.dispose()
            self._templates[key] = database
        return self._templates[key]

    def _create(self, backend: str, directory: Path, source: Database | None) -> Database:
        name = f"comity_{_worker()}_{uuid.uuid4().hex[:12]}"
        if backend == "sqlite":
            path = directory / f"{name}.db"
            url = f"sqlite:///{path}"
            engine = make_engine(url)  # creates the file, private, before anything opens it
            if source is not None:
                _copy_sqlite(Path(str(source.engine.url.database)), path)
            return Database(backend, url, engine)
        admin, base = self._postgres_admin()
        copy_of = f' TEMPLATE "{source.engine.url.database}"' if source is not None else ""
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
        url = base.set(database=name).render_as_string(hide_password=False)
        return Database(backend, url, make_engine(url))

    def _drop(self, database: Database) -> None:
        database.engine.dispose()
        if database.backend == "postgresql":
            admin, _ = self._postgres_admin()
            with admin.connect() as connection:
                name = database.engine.url.database
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def _postgres_admin(self) -> tuple[Engine, URL]:
        if self._admin is None or self._postgres is None:
            url = os.environ.get(POSTGRES_URL_ENV)
            if not url:
                POSTGRES.unavailable(f"{POSTGRES_URL_ENV} is not set")
            self._postgres = make_url(url).set(drivername="postgresql+psycopg")
            self._admin = create_engine(self._postgres, isolation_level="AUTOCOMMIT")
        return self._admin, self._postgres


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    registry = Databases(tmp_path_factory.mktemp("templates"))
    try:
        yield registry
    finally:
        registry.close()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_database(
    request: pytest.FixtureRequest,
    databases: Databases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Database]:
    """One database per engine per test process, migrated to the heads."""
    with databases.create(request.param, tmp_path_factory.mktemp("db"), MIGRATED) as database:
        yield database


@pytest.fixture(params=BACKENDS)
def fresh_database(
    request: pytest.FixtureRequest, databases: Databases, tmp_path: Path
) -> Iterator[Database]:
    """An empty database of its own for tests that commit (concurrency, migrations, CLI)."""
    with databases.create(request.param, tmp_path) as database:
        yield database


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
