"""The `comity` command: global options, the command groups, and error rendering.

Each module of `comity.cli` that adds commands declares them in a module-level ``COMMANDS``
tuple of ``(name, Typer app or command function)``; `main` adds every one it finds, in the
order of the modules' names, so a new area adds its module and edits nothing here.

Invariants: a user mistake ends in one line on stderr and a documented exit code (docs/cli.md),
never a traceback; and every argument is valid Unicode before any command sees it (bytes that
are not UTF-8 reach Python as lone surrogates, which no database, audit leaf or hash can take),
so names, evidence, ids and every other text option pass the shared text rule in one place.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import DBAPIError, OperationalError
from typer._click import exceptions as click_errors  # Typer vendors Click

import comity.cli
from comity.cli import context
from comity.cli.output import error_console, show_warnings
from comity.discovery import submodules
from comity.domain.kernel.text import checked_text
from comity.errors import ComityError

app = typer.Typer(
    name="comity",
    help="Records, workflow and information security for a cooperation agreement.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _add(name: str, commands: typer.Typer | Callable[..., Any]) -> None:
    """A command group (a Typer app) or a single command under `name`."""
    if isinstance(commands, typer.Typer):
        app.add_typer(commands, name=name)
    else:
        app.command(name=name)(commands)


for _module in submodules(comity.cli):
    for _name, _commands in getattr(_module, "COMMANDS", ()):
        _add(_name, _commands)


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Where comity keeps its database and keys (env COMITY_DATA_DIR).",
            show_default=False,
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="SQLAlchemy URL; default: SQLite in the data directory (env COMITY_DATABASE_URL).",
            show_default=False,
        ),
    ] = None,
    as_person: Annotated[
        str | None,
        typer.Option("--as", help="Name recorded as the acting person in the audit log."),
    ] = None,
) -> None:
    ctx.obj = context.build_context(data_dir, database_url, as_person or _login_name())
    ctx.call_on_close(ctx.obj.close)


def _login_name() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        return "cli"
    # It becomes the acting person of every audit leaf, like a name given with --as.
    return checked_text(name, location="the login name (give --as NAME)")


def _check_arguments(arguments: list[str]) -> None:
    """Refuse, as `text.unstorable`, the first argument that is not valid Unicode, naming it
    by position and by the bytes that were typed."""
    for index, argument in enumerate(arguments, start=1):
        typed = os.fsencode(argument).decode("utf-8", "backslashreplace")
        checked_text(argument, location=f"argument {index} ({typed})")


#: Exit codes for failures that are not ComityErrors (the rest come from `ComityError.exit_code`).
EXIT_USAGE = 2
EXIT_DATABASE = 7


def _database_message(exc: DBAPIError) -> str:
    first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    if "no such table" in first or ("does not exist" in first and "relation" in first):
        return f"the database is not migrated ({first}); run `comity db upgrade`"
    return f"cannot use the database: {first}"


def run(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    arguments = sys.argv[1:] if argv is None else argv
    show_warnings()
    try:
        _check_arguments(arguments)
        app(args=arguments, standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        error_console.print("comity: aborted")
        sys.exit(130)
    except click_errors.NoArgsIsHelpError as exc:
        # A bare group name (`comity db`) is a request for its help, not a mistake.
        print(exc.ctx.get_help() if exc.ctx else exc.format_message())
        sys.exit(0)
    except click_errors.ClickException as exc:
        hint = "" if isinstance(exc, click_errors.BadParameter) else " (see `comity --help`)"
        error_console.print(f"comity: error: {exc.format_message()}{hint}", markup=False)
        sys.exit(exc.exit_code or EXIT_USAGE)
    except ComityError as exc:
        error_console.print(f"comity: {exc.code}: {exc.one_line()}", markup=False)
        sys.exit(exc.exit_code)
    except OperationalError as exc:
        error_console.print(f"comity: unavailable: {_database_message(exc)}", markup=False)
        sys.exit(EXIT_DATABASE)
    except DBAPIError as exc:
        error_console.print(f"comity: unavailable: {_database_message(exc)}", markup=False)
        sys.exit(EXIT_DATABASE)
