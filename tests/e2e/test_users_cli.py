"""`comity user …`, `comity serve` and the demo's accounts, as an operator meets them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import CliRunner


@pytest.fixture
def migrated(comity: CliRunner) -> CliRunner:
    assert comity("db", "upgrade").exit_code == 0
    return comity


def test_a_new_account_gets_a_one_time_password_it_must_change(migrated: CliRunner) -> None:
    added = migrated("user", "add", "ayse", "--name", "Ayşe Yılmaz", "--party", "TUR", "--json")
    assert added.exit_code == 0, added.stderr
    data = json.loads(added.stdout)
    assert data["username"] == "ayse"
    assert len(data["one_time_password"]) >= 12
    listed = json.loads(migrated("user", "list", "--json").stdout)
    assert listed == [
        {
            "username": "ayse",
            "display_name": "Ayşe Yılmaz",
            "party": "TUR",
            "roles": [],
            "disabled": False,
            "must_change_password": True,
        }
    ]


def test_a_granted_role_shows_in_the_list_and_a_wrong_one_is_one_line(
    migrated: CliRunner,
) -> None:
    migrated("user", "add", "kamal", "--name", "Kamal", "--party", "AZE")
    granted = migrated("user", "grant-role", "kamal", "secretary", "--from", "2020-01-01")
    assert granted.exit_code == 0, granted.stderr
    assert json.loads(migrated("user", "list", "--json").stdout)[0]["roles"] == ["secretary@*"]
    wrong = migrated("user", "grant-role", "kamal", "administrator")
    assert wrong.exit_code == 2
    assert wrong.stderr.count("\n") == 1
    assert "operator accounts only" in wrong.stderr
    bad_date = migrated("user", "grant-role", "kamal", "member", "--from", "2026-02-30")
    assert bad_date.exit_code == 2
    assert "--from" in bad_date.stderr


def test_a_token_is_printed_once_and_revoked_once(migrated: CliRunner) -> None:
    migrated("user", "add", "script", "--name", "Script", "--party", "TUR")
    issued = migrated("user", "token", "script", "--name", "cron", "--scope", "read", "--json")
    assert issued.exit_code == 0, issued.stderr
    token = json.loads(issued.stdout)
    assert token["token"].startswith("cmt_")
    assert token["token"] not in migrated("user", "list", "--json").stdout
    assert migrated("user", "token", "--revoke", str(token["id"])).exit_code == 0
    again = migrated("user", "token", "--revoke", str(token["id"]))
    assert again.exit_code == 6
    assert "revoked already" in again.stderr


def test_a_disabled_account_is_shown_as_disabled(migrated: CliRunner) -> None:
    migrated("user", "add", "leaver", "--name", "Leaver", "--party", "TUR")
    assert migrated("user", "disable", "leaver").exit_code == 0
    assert json.loads(migrated("user", "list", "--json").stdout)[0]["disabled"] is True
    assert migrated("user", "disable", "nobody").exit_code == 3


def test_serve_refuses_a_database_that_is_not_migrated(comity: CliRunner) -> None:
    result = comity("serve", "--port", "8999")
    assert result.exit_code == 7
    assert "not migrated" in result.stderr


def test_the_demo_makes_an_account_per_role_and_party_and_exits_with_no_serve(
    comity: CliRunner,
) -> None:
    first = comity("demo", "--no-serve")
    assert first.exit_code == 0, first.stderr
    assert "demo accounts: 13 created" in first.stdout
    for name in ("tur-treaty-officer", "aze-security-officer", "aze-auditor", "admin"):
        assert name in first.stdout
    assert "one-time password for every demo account:" in first.stdout
    second = comity("demo", "--no-serve")
    assert second.exit_code == 0, second.stderr
    assert "demo accounts: 0 created" in second.stdout
    accounts = json.loads(comity("user", "list", "--json").stdout)
    assert len(accounts) == 13
    assert {a["party"] for a in accounts} == {"TUR", "AZE", "OPERATOR"}
