"""`comity demo`: build the database, load the bundled examples, then show what they hold.

The body is a sequence of small steps (one function each) so that later areas can add theirs
(accounts, serving) without reworking the ones before. Invariant: running the demo again changes
nothing that is already there: migrations are idempotent and so are agreement imports.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from comity import input_files
from comity.cli import audit as audit_cli
from comity.cli import context, demo_accounts, inputs, serve
from comity.cli.context import CliContext
from comity.cli.lifecycle import render_state
from comity.cli.output import console
from comity.errors import Unavailable
from comity.persistence import migrate
from comity.services import audit, lifecycle, security

#: The bundled examples live in the source tree next to `src/` (the demo runs from a checkout).
EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "examples"
#: The founding case of DESIGN.md, whose state the demo prints.
FOUNDING_AGREEMENT = "tr-az-defence-industry-2017"


def demo(
    ctx: typer.Context,
    on: Annotated[
        str | None,
        typer.Option("--on", help="Show the state on this date (YYYY-MM-DD); default: today."),
    ] = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Prepare everything, then exit without serving.")
    ] = False,
    host: Annotated[str, typer.Option("--host", help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to serve on.", min=1, max=65535)] = 8000,
) -> None:
    """Create or upgrade the database, load the bundled examples and summarise them."""
    cli = context.get(ctx)
    as_of = inputs.as_of_date(on)
    migrate_database(cli)
    import_example_agreements(cli)
    load_example_security_data(cli)
    show_founding_agreement(cli, as_of)
    password = demo_accounts.create_demo_accounts(cli)
    demo_accounts.show_demo_accounts(password)
    sign_and_verify_audit_log(cli)
    if not no_serve:
        serve.run_server(cli, host=host, port=port)


def migrate_database(cli: CliContext) -> None:
    migrate.upgrade(cli.engine)
    url = cli.engine.url.render_as_string(hide_password=True)
    console.print(f"database ready: {url}", markup=False)


def import_example_agreements(cli: CliContext) -> None:
    """Import every `examples/agreements/*.toml` (in name order), each in its own transaction."""
    directory = EXAMPLES_DIR / "agreements"
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise Unavailable(
            "no example agreements found",
            location=str(directory),
            reason="the demo runs from a source checkout",
        )
    for path in files:
        text = input_files.read_text_file(path, inputs.AGREEMENT_FILE)
        with cli.transaction() as session:
            result = lifecycle.import_agreement(
                session, cli.actor, text=text, source=f"examples/agreements/{path.name}"
            )
        console.print(f"agreement {result.agreement_id}: {result.status}", markup=False)


def load_example_security_data(cli: CliContext) -> None:
    """Load the classification schemes, then the equivalence tables that refer to them."""
    directory = EXAMPLES_DIR / "security"
    files = sorted(directory.glob("*.toml"))
    equivalences = [path for path in files if path.stem.endswith("-equivalence")]
    schemes = [path for path in files if path not in equivalences]
    for loader, kind, paths in (
        (security.load_scheme, inputs.SCHEME_FILE, schemes),
        (security.load_equivalence, inputs.EQUIVALENCE_FILE, equivalences),
    ):
        for path in paths:
            with cli.transaction() as session:
                result = loader(
                    session,
                    cli.actor,
                    text=input_files.read_text_file(path, kind),
                    source=f"examples/security/{path.name}",
                )
            console.print(f"security data {result.id}: {result.status}", markup=False)


def sign_and_verify_audit_log(cli: CliContext) -> None:
    """Sign a checkpoint of everything the demo recorded, then verify the whole log."""
    with cli.transaction() as session:
        signed = audit.checkpoint(session, cli.actor, audit_cli.signer(cli))
    with cli.reading() as session:
        report = audit.verify(session, audit_cli.own_vkeys(cli))
    console.print(
        f"audit log {report.origin}: {report.size} entries verified; "
        f"checkpoint of size {signed.size} signed (verifier key: `comity audit key`)",
        markup=False,
    )


def show_founding_agreement(cli: CliContext, as_of: date) -> None:
    with cli.reading() as session:
        state = lifecycle.state_on(session, FOUNDING_AGREEMENT, as_of=as_of)
    console.print(render_state(state.to_json()))


#: The command this module adds to `comity` (found by `comity.cli.main`).
COMMANDS = (("demo", demo),)
