"""`comity serve`: run the web application under uvicorn.

The command line and the web app are independent entry points (import-linter keeps
``comity.cli`` and ``comity.web`` apart), so the app is named to uvicorn by its import string
and built by its factory in the server process, from the same ``COMITY_*`` settings this
command resolved. Invariant: the server never starts on a database that is not migrated.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from comity.cli import context
from comity.cli.context import CliContext
from comity.cli.output import console
from comity.errors import Unavailable
from comity.persistence import migrate

APP_FACTORY = "comity.web.app:app_factory"


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", help="Server processes (all share the database).", min=1)
    ] = 1,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers/--no-proxy-headers",
            help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (behind a TLS proxy).",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option("--forwarded-allow-ips", help="Proxies whose forwarded headers count."),
    ] = "127.0.0.1",
) -> None:
    """Serve the web pages and the JSON API (default http://127.0.0.1:8000)."""
    run_server(
        context.get(ctx),
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def run_server(
    cli: CliContext,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    proxy_headers: bool = False,
    forwarded_allow_ips: str = "127.0.0.1",
) -> None:
    if migrate.current_revisions(cli.engine) != migrate.head_revisions(cli.engine):
        raise Unavailable(
            "the database is not migrated", reason="run `comity db upgrade` (or `comity demo`)"
        )
    # The server process builds its own Settings from the environment: hand ours down.
    os.environ["COMITY_DATA_DIR"] = str(cli.settings.data_dir)
    if cli.settings.database_url:
        os.environ["COMITY_DATABASE_URL"] = cli.settings.database_url
    cli.close()
    import uvicorn

    console.print(f"serving on http://{host}:{port} (Ctrl-C stops)", markup=False)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_level="info",
    )


#: The command this module adds to `comity` (found by `comity.cli.main`).
COMMANDS = (("serve", serve),)
