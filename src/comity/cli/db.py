"""`comity db`: create and inspect the database schema."""

from __future__ import annotations

import typer

from comity.cli import context
from comity.cli.output import JsonOption, console, emit
from comity.persistence import migrate

app = typer.Typer(help="Create, upgrade and inspect the database.", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Apply every pending migration."""
    cli = context.get(ctx)
    migrate.upgrade(cli.engine)
    revisions = ", ".join(migrate.current_revisions(cli.engine))
    url = cli.engine.url.render_as_string(hide_password=True)
    console.print(f"database {url} is at {revisions}")


@app.command()
def current(
    ctx: typer.Context,
    as_json: JsonOption = False,
) -> None:
    """Show the schema revision of the database and whether it is up to date."""
    cli = context.get(ctx)
    current_revs = migrate.current_revisions(cli.engine)
    heads = migrate.head_revisions(cli.engine)
    data = {
        "database": cli.engine.url.render_as_string(hide_password=True),
        "current": list(current_revs),
        "heads": list(heads),
        "up_to_date": current_revs == heads,
    }

    def render() -> str:
        state = "up to date" if data["up_to_date"] else "behind: run `comity db upgrade`"
        return f"{data['database']}: {', '.join(current_revs) or 'empty'} ({state})"

    emit(data, as_json=as_json, render=render)


#: The command group this module adds to `comity` (found by `comity.cli.main`).
COMMANDS = (("db", app),)
