"""`comity audit …` through the real command line, on the embedded SQLite database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from comity.domain.actors import Actor
from comity.persistence.db import make_engine, write_session
from comity.services import audit
from tests.conftest import CliRunner


def seed(comity: CliRunner, count: int) -> Path:
    assert comity("db", "upgrade").exit_code == 0
    database = comity.data_dir / "comity.db"
    engine = make_engine(f"sqlite:///{database}")
    with write_session(engine) as session, session.begin():
        for i in range(count):
            audit.record(
                session,
                Actor("ayse", "TUR"),
                "agreement.record_event",
                audit.Target("agreement", f"tr-az-{i % 2}"),
                {"after": {"n": i}},
            )
    engine.dispose()
    return database


def test_verify_checkpoint_prove_and_log_work_on_a_healthy_log(comity: CliRunner) -> None:
    seed(comity, 12)
    result = comity("audit", "checkpoint", "--json")
    assert result.exit_code == 0, result.stderr
    signed = json.loads(result.stdout)
    assert signed["size"] == 12
    assert signed["note"].startswith("comity/local\n12\n")
    verified = comity("audit", "verify", "--json")
    assert verified.exit_code == 0, verified.stderr
    assert json.loads(verified.stdout)["checkpoints_checked"] == 1
    proof = json.loads(comity("audit", "prove", "3", "--size", "10", "--json").stdout)
    assert proof["index"] == 3
    assert len(proof["proof"]) == 4
    entries = json.loads(comity("audit", "log", "--record", "agreement:tr-az-1", "--json").stdout)
    assert [e["index"] for e in entries] == [1, 3, 5, 7, 9, 11]
    assert comity("audit", "consistency", "5").exit_code == 0
    assert "ayse (TUR)" in comity("audit", "log").stdout


def test_an_export_verifies_with_the_printed_key_alone(comity: CliRunner, tmp_path: Path) -> None:
    seed(comity, 5)
    vkey = comity("audit", "key").stdout.strip()
    assert vkey.startswith("comity/local+")
    exported = comity("audit", "export", str(tmp_path / "out"))
    assert exported.exit_code == 0, exported.stderr
    checked = comity("audit", "verify-export", str(tmp_path / "out"), "--key", vkey, "--json")
    assert checked.exit_code == 0, checked.stderr
    assert json.loads(checked.stdout)["size"] == 5
    (tmp_path / "vkey").write_text(vkey + "\n")
    by_file = comity(
        "audit", "verify-export", str(tmp_path / "out"), "--key", str(tmp_path / "vkey")
    )
    assert by_file.exit_code == 0, by_file.stderr


def test_a_changed_leaf_fails_verify_with_exit_8_and_its_index(comity: CliRunner) -> None:
    database = seed(comity, 9)
    with sqlite3.connect(database) as conn:
        conn.execute("DROP TRIGGER audit_leaf_no_update")
        leaf = conn.execute("SELECT leaf FROM audit_leaf WHERE leaf_index = 6").fetchone()[0]
        conn.execute(
            "UPDATE audit_leaf SET leaf = ? WHERE leaf_index = 6",
            (leaf.replace(b"ayse", b"ayze"),),
        )
    result = comity("audit", "verify")
    assert result.exit_code == 8
    assert "leaf 6" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_input_is_one_line_with_its_exit_code(comity: CliRunner, tmp_path: Path) -> None:
    seed(comity, 2)
    assert comity("audit", "prove", "5").exit_code == 2
    assert comity("audit", "log", "--record", "nocolon").exit_code == 2
    bad_key = comity("audit", "verify-export", str(tmp_path), "--key", "a+b+c")
    assert bad_key.exit_code == 2
    assert bad_key.stderr.count("\n") == 1


def test_the_configured_origin_names_every_leaf_and_checkpoint_of_a_node(
    comity: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMITY_LOG_ORIGIN", "comity.example/tr-az")
    assert comity("db", "upgrade").exit_code == 0
    example = Path(__file__).resolve().parents[3] / "examples" / "agreements"
    imported = comity("agreement", "import", str(example / "tr-az-defence-industry-2017.toml"))
    assert imported.exit_code == 0, imported.stderr
    signed = json.loads(comity("audit", "checkpoint", "--json").stdout)
    assert signed["note"].startswith("comity.example/tr-az\n")
    leaves = sqlite3.connect(comity.data_dir / "comity.db").execute("SELECT leaf FROM audit_leaf")
    assert all(b'"comity.example/tr-az"' in leaf for (leaf,) in leaves)

    monkeypatch.setenv("COMITY_LOG_ORIGIN", "comity.example/other")
    refused = comity("agreement", "import", str(example / "tr-az-defence-industry-2017.toml"))
    assert refused.exit_code == 0, "an unchanged import appends nothing, so it is not refused"
    designated = comity(
        "agreement", "designate", "tr-az-defence-industry-2017", "--party", "TUR",
        "--body", "Ministry of National Defence", "--from", "2017-10-31",
    )  # fmt: skip
    assert designated.exit_code == 6
    assert "origin" in designated.stderr


def test_the_verifier_key_is_printed_for_people_and_as_json(comity: CliRunner) -> None:
    seed(comity, 1)
    plain = comity("audit", "key")
    as_json = comity("audit", "key", "--json")
    assert plain.exit_code == as_json.exit_code == 0
    assert plain.stdout.strip() == json.loads(as_json.stdout)["vkey"]
    assert plain.stdout.startswith("comity/local+")
