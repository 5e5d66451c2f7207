"""The security commands as a security officer uses them: load the schemes, clear a person,
grant need-to-know, explain a decision; labels in text, marking and XML form; and mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner, Database

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "security"
LABEL = "TUR | GİZLİ | Need To Know (restrictive): ALPHA | Releasable To (permissive): AZE, TUR"


def _ok(comity: CliRunner, *args: str) -> str:
    result = comity(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def officer(comity: CliRunner) -> CliRunner:
    """A database with the example schemes and the agreement's table loaded."""
    _ok(comity, "db", "upgrade")
    for name in ("tur", "aze", "tr-az-2017"):
        assert "created" in _ok(comity, "scheme", "load", str(EXAMPLES / f"{name}.toml"))
    _ok(comity, "equivalence", "load", str(EXAMPLES / "tr-az-2017-equivalence.toml"))
    return comity


def _clear_elvin(comity: CliRunner, *extra: str) -> None:
    _ok(
        comity,
        "clearance", "grant", "elvin",
        "--policy", "AZE", "--level", "tam məxfi", "--nationality", "AZE",
        "--authority", "AZE State Security Service", "--from", "2024-01-01",
        "--until", "2026-12-31", *extra,
    )  # fmt: skip


def test_an_officer_clears_a_person_and_explains_their_access(officer: CliRunner) -> None:
    _clear_elvin(officer)
    denied = officer(
        "access", "explain", "--person", "elvin", "--label", LABEL, "--on", "2026-11-29"
    )
    assert denied.exit_code == 0, denied.stderr
    assert "DENIED" in denied.stdout
    assert "missing_compartment: no need-to-know grant for compartment ALPHA" in denied.stdout

    _ok(officer, "grant", "add", "elvin", "--compartment", "ALPHA", "--reason", "project ALPHA",
        "--from", "2026-01-01")  # fmt: skip
    allowed = json.loads(
        _ok(
            officer,
            "access",
            "explain",
            "--person",
            "elvin",
            "--label",
            LABEL,
            "--on",
            "2026-11-29",
            "--json",
        )
    )
    assert allowed["allowed"] is True
    assert allowed["reasons"][0]["code"] == "granted"
    assert "via equivalence tr-az-2017" in allowed["reasons"][0]["detail"]

    expired = json.loads(
        _ok(
            officer,
            "access",
            "explain",
            "--person",
            "elvin",
            "--label",
            LABEL,
            "--on",
            "2027-01-01",
            "--json",
        )
    )
    assert [r["code"] for r in expired["reasons"]] == ["clearance_expired"]
    assert expired["reasons"][0]["detail"].endswith("expired on 2026-12-31")


def test_clearances_and_grants_are_listed_and_revoked(officer: CliRunner) -> None:
    _clear_elvin(officer, "--category", "Special Category Designators:ATOMAL")
    listed = json.loads(_ok(officer, "clearance", "list", "--person", "elvin", "--json"))
    assert listed[0]["categories"] == ["Special Category Designators:ATOMAL"]
    assert listed[0]["classifications"] == ["məxfi", "tam məxfi"]
    _ok(officer, "clearance", "revoke", listed[0]["id"], "--on", "2026-12-01", "--reason", "moved")
    assert json.loads(_ok(officer, "clearance", "list", "--json"))[0]["revoked_on"] == "2026-12-01"

    _ok(officer, "grant", "add", "elvin", "--compartment", "ALPHA", "--reason", "project")
    grants = json.loads(_ok(officer, "grant", "list", "--json"))
    assert grants[0]["compartment"] == "ALPHA"
    _ok(officer, "grant", "revoke", grants[0]["id"], "--reason", "done")
    assert json.loads(_ok(officer, "grant", "list", "--json"))[0]["revoked_on"] is not None
    assert "ALPHA" in _ok(officer, "grant", "list")


def test_every_change_is_in_the_audit_log(officer: CliRunner) -> None:
    _clear_elvin(officer)
    _ok(officer, "grant", "add", "elvin", "--compartment", "ALPHA", "--reason", "project")
    leaves = json.loads(_ok(officer, "audit", "log", "--json"))
    assert [(leaf["action"], leaf["record"]["type"]) for leaf in leaves] == [
        ("scheme.load", "security_scheme"),
        ("scheme.load", "security_scheme"),
        ("scheme.load", "security_scheme"),
        ("equivalence.load", "security_equivalence"),
        ("clearance.grant", "clearance"),
        ("need_to_know.grant", "need_to_know_grant"),
    ]


def test_labels_are_parsed_formatted_marked_translated_and_exported(officer: CliRunner) -> None:
    messy = "TUR|GİZLİ|Releasable To (PERMISSIVE):TUR,AZE"
    canonical = "TUR | GİZLİ | Releasable To (permissive): AZE, TUR"
    assert _ok(officer, "label", "format", messy).strip() == canonical
    parsed = json.loads(_ok(officer, "label", "parse", messy, "--json"))
    assert parsed["access_expression"] == '"TUR/GİZLİ"&("Releasable To:AZE"|"Releasable To:TUR")'
    assert _ok(officer, "label", "marking", messy).strip() == "GİZLİ — Releasable to AZE, TUR"
    in_aze = _ok(officer, "label", "marking", messy, "--in", "AZE", "--on", "2026-11-29")
    assert in_aze.strip() == "TAM MƏXFİ — Releasable to AZE, TUR"
    translated = json.loads(
        _ok(officer, "label", "translate", "TUR | ÖZEL", "--to", "TR-AZ-2017", "--json")
    )
    assert translated["to"] == "TR-AZ-2017 | CONFIDENTIAL"

    document = _ok(officer, "label", "xml", messy)
    assert "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0" in document
    path = officer.data_dir / "label.xml"
    path.write_text(document, encoding="utf-8")
    assert _ok(officer, "label", "xml", "--from", str(path)).strip() == canonical


def test_schemes_and_tables_are_listed(officer: CliRunner) -> None:
    schemes = json.loads(_ok(officer, "scheme", "list", "--json"))
    assert [s["id"] for s in schemes] == ["AZE", "TR-AZ-2017", "TUR"]
    tables = json.loads(_ok(officer, "equivalence", "list", "--json"))
    assert tables[0]["level"][3] == {"TR-AZ-2017": "RESTRICTED", "TUR": "HİZMETE ÖZEL"}
    assert "—" in _ok(officer, "equivalence", "list")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("label", "parse", "TUR | GİZ|Lİ"), 2, "label, index 12"),
        (("label", "translate", "TUR | HİZMETE ÖZEL", "--to", "AZE"), 2,
         "no equivalent for HİZMETE ÖZEL in the AZE scheme"),
        (("access", "explain", "--person", "x", "--label", "TUR | GİZLİ", "--on", "29.11.2026"),
         2, "--on: bad date"),
        (("access", "explain", "--person", "x", "--label", "TUR | GİZLİ", "--action", "burn"),
         2, "unknown action 'burn'"),
        (("access", "explain", "--person", "x", "--label", "FRA | SECRET"), 3,
         "no classification scheme 'FRA'"),
        (("clearance", "revoke", "99", "--reason", "x"), 3, "no clearance 99"),
        (("label", "xml"), 2, "give a label to export or --from FILE"),
    ],
)  # fmt: skip
def test_a_mistake_ends_in_one_line_and_its_exit_code(
    officer: CliRunner, args: tuple[str, ...], code: int, message: str
) -> None:
    result = officer(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_malformed_scheme_file_names_the_file_field_and_reason(officer: CliRunner) -> None:
    bad = officer.data_dir / "bad.toml"
    bad.write_text(
        '[policy]\nid = "FRA"\nname = "France"\n\n[[classification]]\nname = "SECRET"\n',
        encoding="utf-8",
    )
    result = officer("scheme", "load", str(bad))
    assert result.exit_code == 2
    assert f"{bad}: classification[1].hierarchy: invalid data in {bad} (missing)" in result.stderr
    missing = officer("scheme", "load", str(officer.data_dir / "none.toml"))
    assert missing.exit_code == 2
    assert "no such file" in missing.stderr


def test_brackets_in_a_label_are_printed_as_they_are_not_as_styles(comity: CliRunner) -> None:
    result = comity("label", "parse", "TUR | GİZLİ | Note (informative): [/], [bold]x")
    assert result.exit_code == 0, result.stderr
    assert "TUR | GİZLİ | Note (informative): [/], [bold]x" in result.stdout


def test_the_officers_workflow_runs_on_either_engine(
    comity: CliRunner, fresh_database: Database
) -> None:
    url = fresh_database.url

    def run(*args: str) -> str:
        result = comity(*args, database_url=url)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    run("db", "upgrade")
    for name in ("tur", "aze", "tr-az-2017"):
        run("scheme", "load", str(EXAMPLES / f"{name}.toml"))
    run("equivalence", "load", str(EXAMPLES / "tr-az-2017-equivalence.toml"))
    run("clearance", "grant", "elvin", "--policy", "AZE", "--level", "məxfi",
        "--nationality", "AZE", "--authority", "DTX", "--from", "2024-01-01")  # fmt: skip
    decision = json.loads(
        run("access", "explain", "--person", "elvin", "--label", "TUR | ÖZEL", "--json")
    )
    assert decision["allowed"] is True


def test_label_format_gives_the_canonical_form_as_text_and_json(comity: CliRunner) -> None:
    plain = comity("label", "format", "TUR|GİZLİ")
    assert plain.exit_code == 0, plain.stderr
    assert plain.stdout.strip() == "TUR | GİZLİ"
    assert json.loads(comity("label", "format", "TUR|GİZLİ", "--json").stdout) == {
        "label": "TUR | GİZLİ"
    }
