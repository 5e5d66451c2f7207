"""`comity lifecycle check`: the JSON and human forms, and bad input at the edge."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from comity.cli.lifecycle import render_state
from tests.conftest import CliRunner
from tests.unit.lifecycle.builders import ev, in_force, js, multilateral

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = str(ROOT / "examples/agreements/tr-az-defence-industry-2017.toml")


def test_check_prints_the_state_as_json(comity: CliRunner) -> None:
    result = comity("lifecycle", "check", EXAMPLE, "--on", "2026-11-29", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "in_force"
    assert data["non_renewal_deadline"]["date"] == "2027-01-05"
    assert data["current_period"]["start"] == "2026-04-06"


def test_check_prints_each_date_with_its_reason(comity: CliRunner) -> None:
    result = comity("lifecycle", "check", EXAMPLE, "--on", "2026-11-29")
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "in force" in out
    assert "5 Jan 2027" in out
    assert "3 months before the last day of period 1" in out


def test_a_bad_date_is_one_line_and_a_non_zero_exit(comity: CliRunner) -> None:
    result = comity("lifecycle", "check", EXAMPLE, "--on", "29/11/2026")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "--on" in result.stderr
    assert "YYYY-MM-DD" in result.stderr


def test_an_invalid_file_names_the_file_the_field_and_the_reason(
    comity: CliRunner, tmp_path: Path
) -> None:
    text = Path(EXAMPLE).read_text(encoding="utf-8").replace('party = "AZE"', 'party = "ARM"', 1)
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    result = comity("lifecycle", "check", str(bad), "--json")
    assert result.exit_code == 2
    assert f"{bad}: executing_bodies[1].party" in result.stderr
    assert "not in parties (TUR, AZE)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_reported(comity: CliRunner, tmp_path: Path) -> None:
    result = comity("lifecycle", "check", str(tmp_path / "none.toml"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_the_summary_shows_terminations_withdrawals_and_survival() -> None:
    spec = multilateral(
        ["AAA", "BBB", "CCC"],
        in_force("2016-11-04"),
        ev("denunciation_notice", "CCC", "2019-11-04"),
        ev("provisional_application", None, "2016-01"),
        term={"initial": "indefinite"},
        denunciation={"effect_after": "P1Y", "ends": "party"},
        survival=[{"article": "9", "text": "Classified information", "until": "P20Y"}],
    )
    console = Console(record=True, width=200)
    console.print(render_state(js(spec, "2020-01-01")))
    text = console.export_text()
    assert "CCC withdrawal" in text
    assert "4 Nov 2020" in text
    assert "survives: art. 9" in text
    assert "Jan 2016" in text
