"""The `comity` command as a new user meets it: help, the database commands, and mistakes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import CliRunner, Database


def test_help_lists_the_command_groups(comity: CliRunner) -> None:
    result = comity("--help")
    assert result.exit_code == 0
    for group in ("db", "demo"):
        assert group in result.stdout


def test_db_upgrade_creates_the_sqlite_file_in_the_data_directory(comity: CliRunner) -> None:
    result = comity("db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert (comity.data_dir / "comity.db").is_file()
    current = comity("db", "current", "--json")
    assert json.loads(current.stdout)["up_to_date"] is True


def test_db_current_reports_an_empty_database_as_behind(comity: CliRunner) -> None:
    result = comity("db", "current", "--json")
    data = json.loads(result.stdout)
    assert data["current"] == []
    assert data["up_to_date"] is False


def test_db_commands_work_on_postgresql_too(comity: CliRunner, fresh_database: Database) -> None:
    result = comity("db", "upgrade", database_url=fresh_database.url)
    assert result.exit_code == 0, result.stderr
    current = comity("db", "current", "--json", database_url=fresh_database.url)
    assert json.loads(current.stdout)["up_to_date"] is True


def _one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_an_unknown_command_is_one_line_and_exit_code_2(comity: CliRunner) -> None:
    result = comity("frobnicate")
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in _one_line_error(result.stderr)


def test_a_bad_option_is_one_line_and_exit_code_2(comity: CliRunner) -> None:
    result = comity("db", "upgrade", "--colour")
    assert result.exit_code == 2
    assert "--colour" in _one_line_error(result.stderr)


def test_an_unreachable_database_is_one_line_and_exit_code_7(comity: CliRunner) -> None:
    result = comity("db", "current", database_url="postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert result.exit_code == 7
    line = _one_line_error(result.stderr)
    assert "cannot use the database" in line
    assert "127.0.0.1" in line


def test_an_unsupported_database_url_names_the_setting(comity: CliRunner) -> None:
    result = comity("db", "upgrade", database_url="mysql://root@127.0.0.1/test")
    assert result.exit_code == 2
    assert "COMITY_DATABASE_URL" in _one_line_error(result.stderr)


@pytest.fixture
def read_only_directory(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        # Permission bits do not bind root; sysfs refuses new files to everyone.
        return Path("/sys/kernel")
    directory = tmp_path / "read-only"
    directory.mkdir()
    directory.chmod(0o555)
    return directory


def test_a_read_only_data_directory_is_one_line_and_exit_code_7(
    capsys: pytest.CaptureFixture[str], read_only_directory: Path
) -> None:
    runner = CliRunner(capsys, read_only_directory)
    result = runner("db", "upgrade")
    assert result.exit_code == 7
    assert "not writable" in _one_line_error(result.stderr)


def test_a_database_that_was_never_migrated_says_to_run_db_upgrade(comity: CliRunner) -> None:
    result = comity("agreement", "list")
    assert result.exit_code == 7
    assert "run `comity db upgrade`" in _one_line_error(result.stderr)
