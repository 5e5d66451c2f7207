"""The data directory and the secrets in it are private to the account running comity: created
0700 and 0600 whatever the umask, and an existing one open to others is named in a warning."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from comity.crypto import signing
from comity.persistence.db import is_sqlite, make_engine
from tests.conftest import CliResult, CliRunner, Database

FOUNDING = (
    Path(__file__).resolve().parents[2] / "examples/agreements/tr-az-defence-industry-2017.toml"
)
#: What creates every private file: the database, an audit leaf to sign, the signing key.
SETUP = (("db", "upgrade"), ("agreement", "import", str(FOUNDING)), ("audit", "checkpoint"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask 022", "umask 000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def warnings_in(result: CliResult) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("comity: warning:")]


def test_a_new_data_directory_its_database_and_keys_are_private_whatever_the_umask(
    umask: int, comity: CliRunner, fresh_database: Database
) -> None:
    url = None if fresh_database.backend == "sqlite" else fresh_database.url
    for command in SETUP:
        result = comity(*command, database_url=url)
        assert result.exit_code == 0, result.stderr
        assert warnings_in(result) == []
    assert mode(comity.data_dir) == 0o700
    private = [signing.KEY_FILE, signing.PUBLIC_FILE]
    if url is None:
        private.append("comity.db")
    for name in private:
        assert mode(comity.data_dir / name) == 0o600, name


def test_the_sqlite_journal_files_are_as_private_as_the_database(
    umask: int, tmp_path: Path
) -> None:
    database = tmp_path / "data" / "comity.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE note (text TEXT)")
            connection.exec_driver_sql("INSERT INTO note VALUES ('x')")
            connection.commit()
            # While a connection is open in WAL mode, both companions exist.
            for name in ("comity.db", "comity.db-wal", "comity.db-shm"):
                assert mode(database.parent / name) == 0o600, name
    finally:
        engine.dispose()
    assert mode(database.parent) == 0o700


def test_a_command_warns_in_one_line_about_an_existing_directory_open_to_others(
    comity: CliRunner,
) -> None:
    comity.data_dir.mkdir()
    comity.data_dir.chmod(0o755)
    result = comity("db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert warnings_in(result) == [
        f"comity: warning: directory {comity.data_dir} is open to other users (mode 0755) and "
        f"holds comity's secrets: narrow it with `chmod 700 {comity.data_dir}`, or choose "
        "another data directory"
    ]
    # Left as the operator made it: comity warns, it does not change it.
    assert mode(comity.data_dir) == 0o755
    assert mode(comity.data_dir / "comity.db") == 0o600


def test_a_command_warns_about_a_database_and_a_key_open_to_others(
    comity: CliRunner,
) -> None:
    for command in SETUP:
        assert comity(*command).exit_code == 0
    database, key = comity.data_dir / "comity.db", comity.data_dir / signing.KEY_FILE
    database.chmod(0o644)
    key.chmod(0o640)
    result = comity("audit", "checkpoint")
    assert result.exit_code == 0, result.stderr
    warned = "\n".join(warnings_in(result))
    assert f"file {database} is open to other users (mode 0644)" in warned
    assert f"file {key} is open to other users (mode 0640)" in warned


def test_the_server_logs_a_warning_for_a_shared_data_directory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o750)
    with caplog.at_level(logging.WARNING, logger="comity"):
        engine = make_engine(f"sqlite:///{shared / 'comity.db'}")
    engine.dispose()
    assert is_sqlite(engine)
    [record] = [r for r in caplog.records if r.name.startswith("comity")]
    assert record.levelno == logging.WARNING
    assert f"directory {shared} is open to other users (mode 0750)" in record.getMessage()
