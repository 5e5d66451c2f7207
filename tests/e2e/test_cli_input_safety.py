"""Hostile input on the command line: deep or huge files, devices, pipes, dates at the end of the
calendar, bytes that are not UTF-8. Each ends in one line on stderr and exit code 2, on either
engine; nothing hangs, grows without bound or prints a traceback."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from comity import input_files
from comity.cli import inputs
from comity.errors import InvalidInput
from comity.services import accounts
from tests.conftest import CliResult, CliRunner, Database

ROOT = Path(__file__).resolve().parents[2]
FOUNDING = ROOT / "examples/agreements/tr-az-defence-industry-2017.toml"
SECURITY = ROOT / "examples/security"
ID = "tr-az-defence-industry-2017"
DEEP_ARRAY = "x = " + "[" * 10_000 + "]" * 10_000 + "\n"
DEEP_TABLE = "x = " + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n"
LONG_INTEGER = "x = " + "7" * 5_000 + "\n"


class Cli:
    """The CLI on one engine, with the founding agreement and the example schemes loaded."""

    def __init__(self, runner: CliRunner, url: str, files: Path) -> None:
        self.runner = runner
        self.url = url
        self.files = files

    def __call__(self, *args: str) -> CliResult:
        return self.runner(*args, database_url=self.url)

    def file(self, name: str, text: str) -> str:
        path = self.files / name
        path.write_text(text, encoding="utf-8")
        return str(path)


@pytest.fixture
def cli(comity: CliRunner, fresh_database: Database, tmp_path: Path) -> Cli:
    ready = Cli(comity, fresh_database.url, tmp_path)
    for args in (
        ("db", "upgrade"),
        ("agreement", "import", str(FOUNDING)),
        ("scheme", "load", str(SECURITY / "tur.toml")),
        ("scheme", "load", str(SECURITY / "aze.toml")),
    ):
        result = ready(*args)
        assert result.exit_code == 0, result.stderr
    return ready


def one_line(result: CliResult, exit_code: int = 2) -> str:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def founding_with(extra: str = "", **replace: str) -> str:
    text = FOUNDING.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text + extra


# --------------------------------------------------------------------------------------------
# What used to print a traceback


def test_deep_arrays_in_an_imported_agreement_are_refused_with_the_line(cli: Cli) -> None:
    line = one_line(cli("agreement", "import", cli.file("deep.toml", founding_with(DEEP_ARRAY))))
    assert line.startswith("comity: agreement.invalid_file: ")
    assert "not valid TOML (tables or arrays nested deeper than 32 levels (at line" in line


def test_deep_inline_tables_in_a_checked_agreement_are_refused(cli: Cli) -> None:
    line = one_line(cli("lifecycle", "check", cli.file("deep.toml", founding_with(DEEP_TABLE))))
    assert "nested deeper than 32 levels" in line


@pytest.mark.parametrize("nesting", [DEEP_ARRAY, DEEP_TABLE], ids=["arrays", "inline tables"])
def test_deep_nesting_in_scheme_and_equivalence_files_is_refused(cli: Cli, nesting: str) -> None:
    scheme = (SECURITY / "tur.toml").read_text(encoding="utf-8") + nesting
    assert "nested deeper than 32 levels" in one_line(
        cli("scheme", "load", cli.file("scheme.toml", scheme))
    )
    table = (SECURITY / "tr-az-2017-equivalence.toml").read_text(encoding="utf-8") + nesting
    line = one_line(cli("equivalence", "load", cli.file("equivalence.toml", table)))
    assert line.startswith("comity: scheme.invalid: ")
    assert "nested deeper than 32 levels" in line


@pytest.mark.parametrize("command", [("agreement", "import"), ("lifecycle", "check")])
def test_a_five_thousand_digit_integer_is_refused_with_its_position(
    cli: Cli, command: tuple[str, ...]
) -> None:
    line = one_line(cli(*command, cli.file("long.toml", founding_with(LONG_INTEGER))))
    assert "a number with more than 4300 digits (at line" in line


@pytest.mark.parametrize("command", [("agreement", "import"), ("lifecycle", "check")])
def test_a_period_longer_than_the_calendar_names_the_field(
    cli: Cli, command: tuple[str, ...]
) -> None:
    text = founding_with(**{'initial = "P5Y"': 'initial = "P999999999Y"'})
    line = one_line(cli(*command, cli.file("long-term.toml", text)))
    assert "term.initial: bad period ('P999999999Y' is longer than the calendar can count" in line


@pytest.mark.parametrize(
    "command",
    [
        ("agreement", "show", ID, "--on", "9999-12-31"),
        ("agreement", "list", "--on", "9999-12-31"),
        ("agreement", "deadlines", "--on", "9999-12-31"),
        ("agreement", "ics", ID, "--on", "9999-12-31"),
        ("lifecycle", "check", str(FOUNDING), "--on", "9999-12-31"),
    ],
    ids=["show", "list", "deadlines", "ics", "lifecycle check"],
)
def test_an_as_of_date_at_the_end_of_the_calendar_is_refused_in_one_line(
    cli: Cli, command: tuple[str, ...]
) -> None:
    assert one_line(cli(*command)) == (
        f"comity: lifecycle.date_out_of_range: agreement {ID}: cannot evaluate the agreement "
        "on 9999-12-31 (a date it needs falls after 9999-12-31)"
    )


def test_a_deadline_window_past_the_calendars_end_covers_the_rest_of_it(cli: Cli) -> None:
    result = cli("agreement", "deadlines", "--on", "2024-01-01", "--within", "99999d", "--json")
    assert result.exit_code == 0, result.stderr


# --------------------------------------------------------------------------------------------
# Input files: regular files within their documented size


def test_a_fifo_is_refused_without_waiting_for_a_writer(cli: Cli, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    line = one_line(cli("agreement", "import", str(fifo)))
    assert line == (
        f"comity: file.not_regular: {fifo}: cannot read the file "
        "(it is a FIFO (named pipe), not a regular file)"
    )


@pytest.mark.parametrize(
    ("path", "what"),
    [("/dev/zero", "a character device"), ("/tmp", "a directory")],
)
def test_devices_and_directories_are_refused_before_reading(
    comity: CliRunner, path: str, what: str
) -> None:
    line = one_line(comity("lifecycle", "check", path))
    assert f"{path}: cannot read the file (it is {what}" in line


KINDS = {
    "agreement import": (("agreement", "import"), inputs.AGREEMENT_FILE),
    "lifecycle check": (("lifecycle", "check"), inputs.AGREEMENT_FILE),
    "scheme load": (("scheme", "load"), inputs.SCHEME_FILE),
    "equivalence load": (("equivalence", "load"), inputs.EQUIVALENCE_FILE),
    "label xml --from": (("label", "xml", "--from"), inputs.LABEL_XML),
    "audit verify --key": (("audit", "verify", "--key"), inputs.VERIFIER_KEY_FILE),
}


@pytest.mark.parametrize("command", list(KINDS), ids=list(KINDS))
def test_a_file_one_byte_over_its_kinds_limit_is_refused_and_one_at_the_limit_is_read(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    args, kind = KINDS[command]
    # A comment line in both TOML and XML-less formats; its content is refused later, if at all.
    at_limit, over = tmp_path / "at-limit", tmp_path / "over"
    at_limit.write_bytes(b"#" + b"a" * (kind.limit - 2) + b"\n")
    over.write_bytes(b"#" + b"a" * (kind.limit - 1) + b"\n")
    refused = one_line(cli(*args, str(over)))
    assert refused.startswith(f"comity: file.too_large: {over}: cannot read the file (larger ")
    assert f"the limit for {kind.name}s)" in refused
    read = cli(*args, str(at_limit))
    assert "file.too_large" not in read.stderr
    assert "Traceback" not in read.stderr


def test_no_more_than_the_limit_and_one_byte_is_ever_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b" " * (10 * inputs.LABEL_XML.limit))
    read: list[int] = []
    original = os.fdopen

    def counting(descriptor: int, *args: object, **kwargs: object) -> io.RawIOBase:
        handle = original(descriptor, *args, **kwargs)  # type: ignore[call-overload]
        real_read = handle.read

        def read_counted(size: int = -1) -> bytes:
            data: bytes = real_read(size)
            read.append(len(data))
            return data

        handle.read = read_counted
        return handle  # type: ignore[no-any-return]

    monkeypatch.setattr(input_files.os, "fdopen", counting)
    with pytest.raises(InvalidInput, match="cannot read the file"):
        input_files.read_text_file(big, inputs.LABEL_XML)
    assert sum(read) == inputs.LABEL_XML.limit + 1


# --------------------------------------------------------------------------------------------
# Text that is not valid Unicode


def test_evidence_with_bytes_that_are_not_utf8_is_refused_before_anything_is_stored(
    cli: Cli,
) -> None:
    before = cli("agreement", "show", ID, "--on", "2024-06-01", "--json").stdout
    evidence = os.fsdecode(b"note verbale \xff")
    record = ("agreement", "record", ID, "--kind", "amendment", "--date", "2024-01-01")
    line = one_line(cli(*record, "--evidence", evidence))
    assert line.startswith("comity: text.unstorable: argument ")
    assert "(note verbale \\xff): the text cannot be stored (character 14 is a lone" in line
    assert cli("agreement", "show", ID, "--on", "2024-06-01", "--json").stdout == before


@pytest.mark.parametrize(
    "args",
    [
        ("agreement", "show", os.fsdecode(b"tr-\xff")),
        ("clearance", "list", "--person", os.fsdecode(b"\xfe")),
        ("--as", os.fsdecode(b"ali\xff"), "agreement", "list"),
    ],
    ids=["an id", "a person", "the acting person"],
)
def test_any_argument_that_is_not_utf8_is_refused_in_one_line(
    cli: Cli, args: tuple[str, ...]
) -> None:
    assert one_line(cli(*args)).startswith("comity: text.unstorable: argument ")


def test_a_login_name_that_is_not_utf8_asks_for_as(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: os.fsdecode(b"ay\xfee"))
    assert one_line(cli("agreement", "list")) == (
        "comity: text.unstorable: the login name (give --as NAME): the text cannot be stored "
        "(character 3 is a lone surrogate (not valid Unicode))"
    )
    assert cli("--as", "ayse", "agreement", "list").exit_code == 0


def test_a_password_on_stdin_is_read_within_bounds_and_must_be_unicode(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    endless = io.StringIO("\0" * 10_000_000)
    monkeypatch.setattr(sys, "stdin", endless)
    add = ("user", "add", "ayse", "--name", "Ayşe", "--party", "TUR", "--password-stdin")
    line = one_line(cli(*add))
    assert line.startswith("comity: text.unstorable: --password-stdin:")
    assert endless.tell() <= accounts.MAX_PASSWORD_LENGTH + 3
    monkeypatch.setattr(sys, "stdin", io.StringIO(os.fsdecode(b"correct horse \xff battery\n")))
    assert "lone surrogate" in one_line(cli(*add))
