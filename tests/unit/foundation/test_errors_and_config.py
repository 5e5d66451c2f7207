"""Errors carry what, where and why; settings resolve the database from the data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from comity.config import Settings
from comity.errors import AccessDenied, ComityError, InvalidInput, NotFound


def test_an_error_reads_as_one_line_with_where_and_why() -> None:
    error = InvalidInput("bad period 'P5'", location="tr-az.toml: term.initial", reason="no unit")
    assert error.one_line() == "tr-az.toml: term.initial: bad period 'P5' (no unit)"


def test_a_specific_code_refines_the_family_code_without_changing_the_exit_code() -> None:
    error = NotFound("no agreement 'x'", code="agreement.not_found")
    assert error.code == "agreement.not_found"
    assert error.exit_code == NotFound.exit_code
    assert NotFound("other").code == "not_found"


def test_as_dict_is_the_api_error_shape() -> None:
    error = AccessDenied("may not record", reason="needs treaty_officer", action="agreement.x")
    assert error.as_dict() == {
        "error": "access_denied",
        "detail": {
            "message": "may not record",
            "reason": "needs treaty_officer",
            "action": "agreement.x",
        },
    }


def test_every_error_family_has_its_own_exit_code() -> None:
    families = ComityError.__subclasses__()
    codes = [family.exit_code for family in families]
    assert len(set(codes)) == len(codes)
    assert all(code not in (0, 1) for code in codes)


def test_the_default_database_is_a_sqlite_file_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path / 'comity.db'}"


def test_environment_variables_with_the_comity_prefix_configure_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COMITY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COMITY_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/db")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.resolved_database_url() == "postgresql+psycopg://u@127.0.0.1/db"
