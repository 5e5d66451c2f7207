"""`comity agreement …` and `comity demo` through the real CLI, on SQLite and PostgreSQL:
the happy path, and each mistake ending in one line, a non-zero exit and nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import icalendar
import pytest
from sqlalchemy import func, select

from comity.persistence.models.audit import AuditLeaf
from comity.persistence.models.lifecycle import Agreement, AgreementEvent, ExecutingBody
from tests.conftest import PROJECT_ROOT, CliResult, CliRunner, Database
from tests.integration.lifecycle.samples import COOPERATION

ID = "tr-az-cooperation"
ON = "2026-11-29"
FOUNDING = PROJECT_ROOT / "examples" / "agreements" / "tr-az-defence-industry-2017.toml"


class Cli:
    """The `comity` runner bound to one migrated database."""

    def __init__(self, comity: CliRunner, database: Database) -> None:
        self.comity = comity
        self.database = database

    def __call__(self, *args: str) -> CliResult:
        return self.comity(*args, database_url=self.database.url)

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    def rows(self, model: type[Any]) -> int:
        with self.database.engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def cli(comity: CliRunner, fresh_database: Database) -> Cli:
    runner = Cli(comity, fresh_database)
    result = runner("db", "upgrade")
    assert result.exit_code == 0, result.stderr
    return runner


@pytest.fixture
def agreement_file(tmp_path: Path) -> Path:
    path = tmp_path / "cooperation.toml"
    path.write_text(COOPERATION, encoding="utf-8")
    return path


@pytest.fixture
def imported(cli: Cli, agreement_file: Path) -> Cli:
    result = cli("agreement", "import", str(agreement_file))
    assert result.exit_code == 0, result.stderr
    return cli


def _record_tur_notification(cli: Cli) -> CliResult:
    return cli(
        "agreement", "record", ID, "--kind", "notification", "--party", "TUR",
        "--dispatched", "2021-04-05", "--received", "2021-04-06", "--evidence", "note verbale 2",
    )  # fmt: skip


def _one_line_error(result: CliResult, exit_code: int) -> str:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# --------------------------------------------------------------------------------------------
# The happy path


def test_import_reports_created_then_unchanged_then_the_changed_fields(
    cli: Cli, agreement_file: Path
) -> None:
    first = cli("agreement", "import", str(agreement_file))
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith(f"created {ID}")
    again = cli("agreement", "import", str(agreement_file))
    assert again.stdout.startswith(f"unchanged {ID}")
    agreement_file.write_text(COOPERATION.replace('"P3M"', '"P6M"'), encoding="utf-8")
    changed = cli("agreement", "import", str(agreement_file))
    assert changed.stdout.startswith(f"changed {ID}")
    assert '~ non_renewal.notice_before_expiry: "P3M" → "P6M"' in changed.stdout
    assert cli.rows(Agreement) == 1


def test_recording_an_event_changes_what_list_and_show_report(imported: Cli) -> None:
    assert imported.json("agreement", "list", "--on", ON)[0]["status"] == "signed"
    recorded = _record_tur_notification(imported)
    assert recorded.exit_code == 0, recorded.stderr
    assert "recorded notification by TUR" in recorded.stdout

    listed = imported.json("agreement", "list", "--on", ON)
    assert [(row["id"], row["status"]) for row in listed] == [(ID, "in_force")]
    assert listed[0]["next_deadline"]["date"] == "2027-01-05"
    state = imported.json("agreement", "show", ID, "--on", ON)
    assert state["entry_into_force"]["date"] == "2021-04-06"
    assert state["non_renewal_deadline"]["date"] == "2027-01-05"
    human = imported("agreement", "show", ID, "--on", ON)
    assert "5 Jan 2027" in human.stdout
    assert "in force" in human.stdout


def test_deadlines_within_a_window_are_listed_across_agreements(imported: Cli) -> None:
    _record_tur_notification(imported)
    found = imported.json("agreement", "deadlines", "--within", "60d", "--on", ON)
    assert [(d["date"], d["agreement"]) for d in found] == [("2027-01-05", ID)]
    assert imported.json("agreement", "deadlines", "--within", "1w", "--on", ON) == []


def test_the_ics_feed_written_to_a_file_parses_back(imported: Cli, tmp_path: Path) -> None:
    _record_tur_notification(imported)
    target = tmp_path / "deadlines.ics"
    result = imported("agreement", "ics", ID, "--on", ON, "--output", str(target))
    assert result.exit_code == 0, result.stderr
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    starts = [str(event.decoded("dtstart")) for event in calendar.walk("VEVENT")]
    assert "2027-01-05" in starts
    printed = imported("agreement", "ics", ID, "--on", ON)
    assert printed.stdout.replace("\r\n", "\n") == target.read_bytes().decode().replace(
        "\r\n", "\n"
    )


def test_designating_an_executing_body_shows_in_bodies_and_show(imported: Cli) -> None:
    result = imported(
        "agreement", "designate", ID, "--party", "AZE",
        "--body", "Ministry of Defence Industry", "--from", "2017-10-31",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    bodies = imported.json("agreement", "bodies", ID, "--on", ON)
    assert [(b["party"], b["body"]) for b in bodies] == [("AZE", "Ministry of Defence Industry")]
    state = imported.json("agreement", "show", ID, "--on", ON)
    assert state["executing_bodies"][0]["valid_from"] == "2017-10-31"


def test_the_demo_loads_the_founding_agreement_and_reads_its_state(cli: Cli) -> None:
    first = cli("demo", "--no-serve", "--on", ON)
    assert first.exit_code == 0, first.stderr
    assert "tr-az-defence-industry-2017: created" in first.stdout
    assert "in force" in first.stdout
    assert "6 Apr 2026 – 5 Apr 2027" in first.stdout
    assert "5 Jan 2027" in first.stdout
    assert "security data TUR: created" in first.stdout
    assert "security data tr-az-2017: created" in first.stdout
    assert "entries verified; checkpoint of size" in first.stdout
    again = cli("demo", "--no-serve", "--on", ON)
    assert "tr-az-defence-industry-2017: unchanged" in again.stdout
    assert "security data tr-az-2017: unchanged" in again.stdout
    schemes = cli.json("scheme", "list")
    assert {scheme["id"] for scheme in schemes} >= {"TUR", "AZE", "TR-AZ-2017"}
    state = cli.json("agreement", "show", "tr-az-defence-industry-2017", "--on", ON)
    assert state["status"] == "in_force"
    assert state["current_period"]["index"] == 1
    assert state["non_renewal_deadline"]["date"] == "2027-01-05"


# --------------------------------------------------------------------------------------------
# Mistakes: one line, a non-zero exit code, nothing written


def test_an_unknown_agreement_id_is_one_line_with_exit_code_3(imported: Cli) -> None:
    for args in (
        ("agreement", "show", "no-such"),
        ("agreement", "ics", "no-such"),
        ("agreement", "record", "no-such", "--kind", "signature", "--party", "TUR",
         "--date", "2017-10-31", "--evidence", "x"),
    ):  # fmt: skip
        line = _one_line_error(imported(*args), 3)
        assert "agreement.not_found" in line
        assert "no-such" in line


@pytest.mark.parametrize(
    "args",
    [
        ("agreement", "show", ID, "--on", "2026-13-01"),
        ("agreement", "list", "--on", "yesterday"),
        ("agreement", "deadlines", "--within", "three months"),
        ("agreement", "designate", ID, "--party", "TUR", "--body", "X", "--from", "2026-02-30"),
    ],
    ids=["show --on", "list --on", "deadlines --within", "designate --from"],
)
def test_a_bad_date_or_window_is_one_line_naming_the_option(
    imported: Cli, args: tuple[str, ...]
) -> None:
    leaves = imported.rows(AuditLeaf)
    line = _one_line_error(imported(*args), 2)
    assert any(option in line for option in ("--on", "--within", "--from"))
    assert imported.rows(AuditLeaf) == leaves
    assert imported.rows(ExecutingBody) == 0


@pytest.mark.parametrize(
    ("override", "field"),
    [
        (("--received", "2021-04-31"), "received"),
        (("--party", "FRA"), "party"),
        (("--kind", "handshake"), "kind"),
    ],
)
def test_a_bad_event_is_one_line_naming_the_field_and_nothing_is_recorded(
    imported: Cli, override: tuple[str, str], field: str
) -> None:
    options = {
        "--kind": "notification",
        "--party": "TUR",
        "--received": "2021-04-06",
        "--evidence": "note verbale 2",
    }
    options[override[0]] = override[1]
    args = [item for pair in options.items() for item in pair]
    leaves = imported.rows(AuditLeaf)
    line = _one_line_error(imported("agreement", "record", ID, *args), 2)
    assert field in line
    assert imported.rows(AgreementEvent) == 0
    assert imported.rows(AuditLeaf) == leaves


def test_recording_the_same_event_twice_is_a_conflict_and_records_it_once(imported: Cli) -> None:
    assert _record_tur_notification(imported).exit_code == 0
    line = _one_line_error(_record_tur_notification(imported), 6)
    assert "agreement.event_exists" in line
    assert imported.rows(AgreementEvent) == 1


def test_a_bad_agreement_file_is_one_line_naming_file_and_field(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(COOPERATION.replace('kind = "bilateral"', 'kind = "trilateral"'), "utf-8")
    line = _one_line_error(cli("agreement", "import", str(bad)), 2)
    assert "bad.toml" in line
    assert "kind" in line
    assert cli.rows(Agreement) == 0
    assert cli.rows(AuditLeaf) == 0


def test_a_missing_or_non_toml_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    _one_line_error(cli("agreement", "import", str(tmp_path / "absent.toml")), 2)
    garbage = tmp_path / "garbage.toml"
    garbage.write_text("id = [unclosed", "utf-8")
    assert "garbage.toml" in _one_line_error(cli("agreement", "import", str(garbage)), 2)
    assert cli.rows(Agreement) == 0


def test_the_bundled_example_file_exists() -> None:
    assert FOUNDING.is_file()
