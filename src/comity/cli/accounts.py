"""`comity user`: accounts, dated roles and API tokens, administered from the command line.

The command line acts as the local operator, who holds the administrator role. Invariant:
a password is never taken from the command line (it would land in shell history): it is read
from standard input (`--password-stdin`) or made here as a one-time password, and secrets
(one-time passwords, tokens) are printed once and stored only hashed.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from comity.cli import context, inputs
from comity.cli.output import JsonOption, console, emit, print_json, table
from comity.domain.kernel.text import checked_text
from comity.errors import InvalidInput
from comity.services import accounts

app = typer.Typer(help="Accounts, roles and API tokens.", no_args_is_help=True)


def _read_password() -> str:
    # Bounded: standard input may be /dev/zero. A line cut at the bound is longer than the
    # longest password, and the service refuses it as such.
    line = sys.stdin.readline(accounts.MAX_PASSWORD_LENGTH + 3)
    password = line.rstrip("\r\n")
    if not password:
        raise InvalidInput(
            "no password on standard input", location="--password-stdin", reason="pipe it in"
        )
    # Bytes that are not UTF-8 arrive as lone surrogates, which no hash function can encode.
    return checked_text(password, location="--password-stdin")


@app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name (lower-case letters, digits).")],
    name: Annotated[str, typer.Option("--name", help="Display name, e.g. 'Ayşe Yılmaz'.")],
    party: Annotated[str, typer.Option("--party", help="Party code (TUR, AZE, …) or OPERATOR.")],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input (else one-time)."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create an account; prints a one-time password unless one is piped in."""
    cli = context.get(ctx)
    password = _read_password() if password_stdin else None
    with cli.transaction() as session:
        created = accounts.add_user(
            session, cli.actor, username, display_name=name, party=party, password=password
        )
        data = {
            "username": created.account.username,
            "display_name": created.account.display_name,
            "party": created.account.party,
            "one_time_password": created.one_time_password,
        }

    def render() -> str:
        line = f"account {data['username']} ({data['party']}) created"
        if data["one_time_password"]:
            line += f"\none-time password (shown once): {data['one_time_password']}"
        return line

    emit(data, as_json=as_json, render=render)


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: JsonOption = False,
) -> None:
    """Every account with the roles it holds today."""
    cli = context.get(ctx)
    today = datetime.now(UTC).date()
    with cli.reading() as session:
        rows: list[dict[str, Any]] = []
        for account in accounts.list_users(session, cli.actor):
            actor = accounts.actor_for(session, account, today=today)
            rows.append(
                {
                    "username": account.username,
                    "display_name": account.display_name,
                    "party": account.party,
                    "roles": sorted(f"{role}@{scope}" for role, scope in actor.grants),
                    "disabled": account.disabled,
                    "must_change_password": account.must_change_password,
                }
            )
    emit(
        rows,
        as_json=as_json,
        render=lambda: table(
            "accounts",
            ["username", "name", "party", "roles today", "state"],
            [
                (
                    r["username"],
                    r["display_name"],
                    r["party"],
                    ", ".join(r["roles"]) or "-",
                    "disabled" if r["disabled"] else "active",
                )
                for r in rows
            ],
        ),
    )


@app.command("disable")
def disable(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="Sign-in name.")]
) -> None:
    """Disable an account: its sessions end and its tokens stop working at once."""
    cli = context.get(ctx)
    with cli.transaction() as session:
        account = accounts.disable_user(session, cli.actor, username)
        console.print(f"account {account.username} disabled", markup=False)


@app.command("reset-password")
def reset_password(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="Sign-in name.")]
) -> None:
    """Give an account a new one-time password (printed once); its sessions end."""
    cli = context.get(ctx)
    with cli.transaction() as session:
        password = accounts.reset_password(session, cli.actor, username)
    console.print(f"one-time password for {username} (shown once): {password}", markup=False)


@app.command("grant-role")
def grant_role(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Argument(help=f"One of: {', '.join(accounts.ROLES)}.")],
    scope: Annotated[
        str, typer.Option("--scope", help="An agreement id, or * for every agreement.")
    ] = "*",
    valid_from: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: today).")
    ] = None,
    valid_until: Annotated[
        str | None,
        typer.Option("--until", help="First day it no longer holds, YYYY-MM-DD (default: open)."),
    ] = None,
) -> None:
    """Assign a role to an account for its party, from a date, optionally until a date."""
    cli = context.get(ctx)
    start = inputs.parse_date(valid_from, "--from") or datetime.now(UTC).date()
    end = inputs.parse_date(valid_until, "--until")
    with cli.transaction() as session:
        row = accounts.grant_role(
            session, cli.actor, username, role=role, scope=scope, valid_from=start, valid_until=end
        )
        until = row.valid_until.isoformat() if row.valid_until else "open"
        console.print(
            f"role assignment {row.id}: {username} is {row.role} for {row.party} "
            f"on {row.scope} from {row.valid_from.isoformat()} until {until}",
            markup=False,
        )


@app.command("revoke-role")
def revoke_role(
    ctx: typer.Context,
    assignment_id: Annotated[int, typer.Argument(help="The role assignment's id.", min=1)],
) -> None:
    """End a role assignment from today on (its history stays)."""
    cli = context.get(ctx)
    with cli.transaction() as session:
        row = accounts.revoke_role(
            session, cli.actor, assignment_id, today=datetime.now(UTC).date()
        )
        console.print(f"role assignment {row.id} ends on {row.valid_until}", markup=False)


@app.command("roles")
def roles(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    as_json: JsonOption = False,
) -> None:
    """Every role assignment of an account, past and present."""
    cli = context.get(ctx)
    with cli.reading() as session:
        rows = [
            {
                "id": r.id,
                "role": r.role,
                "party": r.party,
                "scope": r.scope,
                "valid_from": r.valid_from,
                "valid_until": r.valid_until,
            }
            for r in accounts.roles_of(session, cli.actor, username)
        ]
    emit(
        rows,
        as_json=as_json,
        render=lambda: table(
            f"roles of {username}",
            ["id", "role", "party", "scope", "from", "until"],
            [
                (r["id"], r["role"], r["party"], r["scope"], r["valid_from"], r["valid_until"])
                for r in rows
            ],
        ),
    )


@app.command("token")
def token(
    ctx: typer.Context,
    username: Annotated[
        str | None, typer.Argument(help="Sign-in name of the token's holder.")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "api",
    scopes: Annotated[
        list[str] | None,
        typer.Option("--scope", help="read, write or calendar; repeat for several (default read)."),
    ] = None,
    revoke: Annotated[
        int | None, typer.Option("--revoke", help="Revoke the token with this id instead.", min=1)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Issue an API token (printed once), or revoke one with --revoke ID."""
    cli = context.get(ctx)
    if revoke is not None:
        with cli.transaction() as session:
            row = accounts.revoke_token(session, cli.actor, revoke)
            data: dict[str, Any] = {"id": row.id, "revoked": True}
        emit(data, as_json=as_json, render=lambda: f"token {data['id']} revoked")
        return
    if username is None:
        raise InvalidInput(
            "whose token?", location="USERNAME", reason="give a sign-in name, or --revoke ID"
        )
    with cli.transaction() as session:
        issued = accounts.issue_token(
            session, cli.actor, username, name=name, scopes=scopes or ["read"]
        )
        data = {
            "id": issued.token.id,
            "username": username,
            "name": issued.token.name,
            "scopes": issued.token.scopes.split(),
            "token": issued.secret,
        }
    if as_json:
        print_json(data)
        return
    console.print(
        f"token {data['id']} for {username} ({' '.join(data['scopes'])}), shown once:",
        markup=False,
    )
    # Plain print: the secret must be copyable exactly, with no wrapping.
    print(data["token"])


#: The command group this module adds to `comity` (found by `comity.cli.main`).
COMMANDS = (("user", app),)
