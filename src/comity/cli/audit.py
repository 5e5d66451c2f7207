"""`comity audit`: verify, prove, checkpoint, export and read the verifiable audit log.

Invariant: every verification failure ends as an `IntegrityFailure` (exit code 8) naming the
first bad index or checkpoint size; the commands never "repair" anything.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from comity import input_files
from comity.cli import context, inputs
from comity.cli.output import JsonOption, console, emit, print_json, table
from comity.crypto import signing
from comity.domain.audit import note
from comity.services import audit

app = typer.Typer(help="Verify, prove, sign and export the audit log.", no_args_is_help=True)


def _origin(cli: context.CliContext) -> str:
    """The log's origin: the one its head carries, else the configured one (not yet fixed)."""
    with cli.reading() as session:
        stored = audit.stored_origin(session)
    return stored or cli.settings.log_origin


def signer(cli: context.CliContext) -> signing.NoteSigner:
    """This node's checkpoint signer (the key is created in the data directory on first use)."""
    return signing.load_or_create(
        cli.settings.data_dir,
        cli.settings.log_origin,
        cli.settings.key_passphrase.get_secret_value(),
    )


def own_vkeys(cli: context.CliContext) -> list[str]:
    """This node's verifier key, pinned when verifying its own checkpoints."""
    public = signing.public_key(cli.settings.data_dir)
    return [] if public is None else [note.format_vkey(_origin(cli), public)]


def _emit_text(data: Any, *, as_json: bool, render: Callable[[], str]) -> None:
    """Like `output.emit`, but never wraps: hashes, keys and notes must be copied exactly."""
    if as_json:
        print_json(data)
    else:
        console.print(render(), soft_wrap=True, markup=False, highlight=False)


def _read_vkey(value: str) -> str:
    """A verifier key given inline or as a path to a file holding it."""
    path = Path(value)
    if "+" not in value or path.is_file():
        value = input_files.read_text_file(path, inputs.VERIFIER_KEY_FILE).strip()
    note.parse_vkey(value)
    return value


@app.command()
def verify(
    ctx: typer.Context,
    key: Annotated[
        str | None,
        typer.Option("--key", help="Pinned verifier key (or file) for checkpoint signatures."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Recompute every leaf, subtree, the head and every checkpoint; exit 8 on tampering."""
    cli = context.get(ctx)
    vkeys = [_read_vkey(key)] if key else own_vkeys(cli)
    with cli.reading() as session:
        report = audit.verify(session, vkeys)
    data = report.as_dict()

    def render() -> str:
        lines = [
            f"audit log {report.origin or '(no origin yet)'}: {report.size} leaves verified",
            f"root {report.root.hex()}",
            f"{report.nodes} subtrees and {report.checkpoints} checkpoints match",
            *report.notes,
        ]
        return "\n".join(lines)

    _emit_text(data, as_json=as_json, render=render)


@app.command()
def prove(
    ctx: typer.Context,
    index: Annotated[int, typer.Argument(help="Leaf index (from 0).")],
    size: Annotated[
        int | None, typer.Option("--size", help="Tree size to prove against (default: now).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the inclusion proof of leaf INDEX in the tree of --size leaves."""
    cli = context.get(ctx)
    with cli.reading() as session:
        proof = audit.prove_inclusion(session, index, size)
    data = proof.as_dict()

    def render() -> str:
        lines = [
            f"leaf {proof.index} of {proof.size}: {proof.leaf.decode()}",
            f"leaf hash {proof.leaf_hash.hex()}",
            f"root      {proof.root.hex()}",
            "proof (leaf side first):",
            *(f"  {h.hex()}" for h in proof.proof),
        ]
        return "\n".join(lines)

    _emit_text(data, as_json=as_json, render=render)


@app.command()
def consistency(
    ctx: typer.Context,
    size1: Annotated[int, typer.Argument(help="The older tree size.")],
    size: Annotated[
        int | None, typer.Option("--size", help="The newer tree size (default: now).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the proof that the tree of SIZE1 leaves is a prefix of the tree of --size."""
    cli = context.get(ctx)
    with cli.reading() as session:
        proof = audit.prove_consistency(session, size1, size)
    data = proof.as_dict()

    def render() -> str:
        lines = [
            f"{proof.size1} → {proof.size2}",
            f"root {proof.size1}: {proof.root1.hex()}",
            f"root {proof.size2}: {proof.root2.hex()}",
            "proof:",
            *(f"  {h.hex()}" for h in proof.proof),
        ]
        return "\n".join(lines)

    _emit_text(data, as_json=as_json, render=render)


@app.command()
def checkpoint(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Sign a checkpoint of the log as it stands (after a consistency check with the last)."""
    cli = context.get(ctx)
    node_signer = signer(cli)
    with cli.transaction() as session:
        info = audit.checkpoint(session, cli.actor, node_signer)
    data = info.as_dict()

    def render() -> str:
        state = "signed" if info.created else "already signed"
        return f"checkpoint of size {info.size} {state}:\n{info.note.rstrip()}"

    _emit_text(data, as_json=as_json, render=render)


@app.command()
def export(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Directory to write the export into.")],
    as_json: JsonOption = False,
) -> None:
    """Sign a checkpoint if the log grew, then write it with its leaves and C2SP tiles to DIR."""
    cli = context.get(ctx)
    node_signer = signer(cli)
    with cli.transaction() as session:
        audit.checkpoint(session, cli.actor, node_signer)
    with cli.reading() as session:
        summary = audit.export(session, directory)
    data = {**summary.as_dict(), "vkey": node_signer.vkey}

    def render() -> str:
        return (
            f"exported {summary.size} leaves of {summary.origin} to {summary.directory} "
            f"({summary.files} files)\nverify with: comity audit verify-export "
            f"{summary.directory} --key {node_signer.vkey}"
        )

    _emit_text(data, as_json=as_json, render=render)


@app.command("verify-export")
def verify_export(
    directory: Annotated[Path, typer.Argument(help="An export written by `comity audit export`.")],
    key: Annotated[str, typer.Option("--key", help="The log's verifier key, or a file with it.")],
    as_json: JsonOption = False,
) -> None:
    """Check an export with nothing but the log's public key, as the other party does."""
    report = audit.verify_export(directory, _read_vkey(key))
    data = report.as_dict()

    def render() -> str:
        return (
            f"export of {report.origin} verified: {report.size} leaves, {report.tiles} tiles, "
            f"root {data['root']}"
        )

    _emit_text(data, as_json=as_json, render=render)


@app.command("log")
def log_(
    ctx: typer.Context,
    record: Annotated[
        str | None, typer.Option("--record", help="Only entries about TYPE:ID.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N entries.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List log entries in order: who did what to which record, and when."""
    cli = context.get(ctx)
    target = audit.Target.parse(record) if record else None
    with cli.reading() as session:
        entries = audit.log_entries(session, record=target, limit=limit)
    data: list[dict[str, Any]] = [entry.as_dict() for entry in entries]
    emit(
        data,
        as_json=as_json,
        render=lambda: table(
            None,
            ["#", "time (UTC)", "actor", "action", "record"],
            [
                (
                    e.index,
                    e.time[:19].replace("T", " "),
                    f"{e.person} ({e.party})",
                    e.action,
                    f"{e.record_type}:{e.record_id}",
                )
                for e in entries
            ],
        ),
    )


@app.command()
def key(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Print the log's verifier key (C2SP vkey) to give to the other party."""
    cli = context.get(ctx)
    public = signing.public_key(cli.settings.data_dir)
    if public is None:
        public = signer(cli).public_key
    vkey = note.format_vkey(_origin(cli), public)
    _emit_text({"vkey": vkey}, as_json=as_json, render=lambda: vkey)


#: The command group this module adds to `comity` (found by `comity.cli.main`).
COMMANDS = (("audit", app),)
