"""The demo's accounts: one person per role per party of the founding agreement, and an
operator administrator, all sharing one one-time password printed at the end.

Invariant: running the demo again creates no duplicates; existing demo accounts get the new
one-time password (so the printed password always works) and keep their roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from comity.cli.context import CliContext
from comity.cli.output import console, table
from comity.crypto import tokens
from comity.domain.actors import OPERATOR
from comity.persistence.repositories import accounts as account_repo
from comity.services import accounts

#: The parties of the founding agreement (examples/agreements/tr-az-defence-industry-2017.toml).
DEMO_PARTIES = ("TUR", "AZE")
#: Roles each party's demo people hold (the administrator is the operator's).
DEMO_ROLES = ("treaty_officer", "co_chair", "secretary", "member", "security_officer", "auditor")
#: Roles start on this day, so that history before today can be shown with today's people.
ROLES_FROM = date(2017, 1, 1)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    display_name: str
    party: str
    role: str


def demo_accounts() -> list[DemoAccount]:
    people = [
        DemoAccount(
            username=f"{party.lower()}-{role.replace('_', '-')}",
            display_name=f"{party} {role.replace('_', ' ')}",
            party=party,
            role=role,
        )
        for party in DEMO_PARTIES
        for role in DEMO_ROLES
    ]
    people.append(DemoAccount("admin", "Operator administrator", OPERATOR, "administrator"))
    return people


def create_demo_accounts(cli: CliContext) -> str:
    """Create (or refresh) the demo accounts in one transaction; return the one-time password."""
    password = tokens.one_time_password()
    created = 0
    with cli.transaction() as session:
        for person in demo_accounts():
            if account_repo.by_username(session, person.username) is None:
                accounts.add_user(
                    session,
                    cli.actor,
                    person.username,
                    display_name=person.display_name,
                    party=person.party,
                    password=password,
                    must_change_password=True,
                )
                accounts.grant_role(
                    session, cli.actor, person.username, role=person.role, valid_from=ROLES_FROM
                )
                created += 1
            else:
                accounts.reset_password(session, cli.actor, person.username, password=password)
    console.print(f"demo accounts: {created} created", markup=False)
    return password


def show_demo_accounts(password: str) -> None:
    console.print(
        table(
            "demo accounts (sign in at /sign-in)",
            ["sign-in name", "party", "role"],
            [(p.username, p.party, p.role) for p in demo_accounts()],
        )
    )
    console.print(
        f"one-time password for every demo account: {password}\n"
        "(each person chooses a new password after signing in)",
        markup=False,
    )
