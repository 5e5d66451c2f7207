"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production).

Invariant: on SQLite every connection has foreign keys on, WAL journalling and a busy timeout,
and a writing transaction starts with ``BEGIN IMMEDIATE`` so that two writers queue on the
database lock instead of failing half-way with SQLITE_BUSY. Read-only work can ask for
``DEFERRED`` through `read_only_session`. The SQLite file, which holds password hashes, token
digests and audit salts, is created private (0600, in a 0700 directory: `comity.private_files`)
before SQLite first opens it, so its -wal and -shm files are private too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from comity import private_files
from comity.errors import InvalidInput, Unavailable

SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`, with comity's connection rules applied."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidInput(
            f"cannot parse database URL {url!r}", location="COMITY_DATABASE_URL", reason=str(exc)
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _prepare_sqlite_file(Path(parsed.database))
        engine = create_engine(parsed, **kwargs)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    raise InvalidInput(
        f"unsupported database {backend!r}",
        location="COMITY_DATABASE_URL",
        reason="comity runs on sqlite:/// or postgresql+psycopg://",
    )


def _prepare_sqlite_file(path: Path) -> None:
    """Fail early, in one clear line, when the data directory cannot hold the database; create
    the directory and the empty database file private (or warn that existing ones are not).

    Writing a probe file is the only honest test: permission bits say nothing for root, and a
    read-only mount refuses writes whatever the bits say.
    """
    directory = path.parent
    try:
        created = private_files.ensure_private_directory(directory)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".comity-probe-"):
            pass
        if not created:
            private_files.warn_if_shared(directory)
        # An empty file is an empty SQLite database; SQLite keeps the mode it finds and gives
        # the same one to the -wal and -shm files it creates beside it.
        private_files.create_private_file(path)
    except OSError as exc:
        raise Unavailable(
            f"data directory {directory} is not writable",
            reason=f"{exc.strerror or exc}; choose another with --data-dir or COMITY_DATA_DIR",
        ) from exc
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        private_files.warn_if_shared(companion)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so that BEGIN is ours to choose.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def write_session(engine: Engine) -> Session:
    """A session whose transaction may write (the default for commands and requests)."""
    return Session(engine, expire_on_commit=False)


def read_only_session(engine: Engine) -> Session:
    """A session for reads: on SQLite it does not take the write lock."""
    if is_sqlite(engine):
        return Session(engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False)
    return Session(engine, expire_on_commit=False)
