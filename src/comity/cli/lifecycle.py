"""The lifecycle area on the command line: `comity agreement …` (agreements in the database:
import, list, show, record, deadlines, ics, designate, bodies) and `comity lifecycle check`
(an agreement file evaluated on a date, without any database).

Invariants: every option is checked here before any service runs (dates are YYYY-MM-DD, windows
are ``90d``/``12w``) and files are read at the edge, so a mistake ends in one line naming the
file or option, the field and the reason, with a non-zero exit code, and nothing is written; the
rules themselves are checked by the services and the lifecycle engine they call. The clock is
read here (`--on` defaults to today), never in the domain.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from comity import input_files
from comity.cli import context, inputs
from comity.cli.output import JsonOption, console, emit, table
from comity.domain.lifecycle.agreement_file import parse_agreement
from comity.domain.lifecycle.engine import evaluate
from comity.errors import InvalidInput, Unavailable
from comity.services import lifecycle

agreement_app = typer.Typer(
    help="Agreements in the database: import, record events, state, deadlines.",
    no_args_is_help=True,
)

ON_HELP = "The date to evaluate on, YYYY-MM-DD (default: today)."
_WINDOW = re.compile(r"^(\d{1,5})([dw]?)$")


# --------------------------------------------------------------------------------------------
# Input checks


def parse_window(text: str) -> int:
    """``90d``, ``12w`` or ``90`` → a number of days."""
    match = _WINDOW.match(text.strip().lower())
    if match is None:
        raise InvalidInput(
            f"bad window {text!r}",
            location="--within",
            reason="give a number of days or weeks such as 90d or 12w",
        )
    amount, unit = int(match.group(1)), match.group(2)
    return amount * 7 if unit == "w" else amount


# --------------------------------------------------------------------------------------------
# `comity agreement …`: agreements in the database


@agreement_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An agreement file (TOML).", show_default=False)],
    as_json: JsonOption = False,
) -> None:
    """Import an agreement file; importing it again shows what changed (idempotent by id)."""
    cli = context.get(ctx)
    text = input_files.read_text_file(file, inputs.AGREEMENT_FILE)
    with cli.transaction() as session:
        result = lifecycle.import_agreement(session, cli.actor, text=text, source=str(file))
    emit(result.to_json(), as_json=as_json, render=lambda: render_import(result))


@agreement_app.command("list")
def list_(
    ctx: typer.Context,
    on: Annotated[str | None, typer.Option("--on", help=ON_HELP, show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """List the agreements with their status and next deadline."""
    cli = context.get(ctx)
    as_of = inputs.as_of_date(on)
    with cli.reading() as session:
        rows = lifecycle.list_agreements(session, as_of=as_of)

    def render() -> Any:
        if not rows:
            return "no agreements yet: `comity agreement import FILE`"
        result = table(
            f"Agreements on {as_of.isoformat()}",
            ["id", "title", "status", "next deadline"],
            [
                (
                    row.agreement_id,
                    lifecycle.display_title(row.title),
                    row.status.replace("_", " "),
                    _deadline_cell(row.next_deadline),
                )
                for row in rows
            ],
        )
        # Ids are what people copy into the next command: never cut them short.
        result.columns[0].overflow = "fold"
        return result

    emit([row.to_json() for row in rows], as_json=as_json, render=render)


@agreement_app.command()
def show(
    ctx: typer.Context,
    agreement_id: Annotated[str, typer.Argument(metavar="ID", show_default=False)],
    on: Annotated[str | None, typer.Option("--on", help=ON_HELP, show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Show an agreement's derived state on a date, with the reason for every date."""
    cli = context.get(ctx)
    as_of = inputs.as_of_date(on)
    with cli.reading() as session:
        state = lifecycle.state_on(session, agreement_id, as_of=as_of)
        bodies = lifecycle.executing_bodies(session, agreement_id, on=as_of)
    data = state.to_json()
    data["executing_bodies"] = [body.to_json() for body in bodies]

    def render() -> Any:
        parts: list[Any] = [render_state(data)]
        if bodies:
            parts.append(_bodies_table(f"Executing bodies on {as_of.isoformat()}", bodies))
        return Group(*parts)

    emit(data, as_json=as_json, render=render)


@agreement_app.command()
def record(
    ctx: typer.Context,
    agreement_id: Annotated[str, typer.Argument(metavar="ID", show_default=False)],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="signature, domestic_step, notification, …", show_default=False
        ),
    ],
    evidence: Annotated[
        str,
        typer.Option("--evidence", help="Gazette number, note verbale, URL …", show_default=False),
    ],
    party: Annotated[str | None, typer.Option("--party", help="The acting party.")] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD, or YYYY-MM if only the month.")
    ] = None,
    dispatched: Annotated[
        str | None, typer.Option("--dispatched", help="When a notification or notice was sent.")
    ] = None,
    received: Annotated[
        str | None, typer.Option("--received", help="When it was received.")
    ] = None,
    step: Annotated[
        str | None, typer.Option("--step", help="For domestic_step: approval, publication, …")
    ] = None,
    instrument: Annotated[
        str | None, typer.Option("--instrument", help="For instrument_deposited.")
    ] = None,
    effective: Annotated[
        str | None, typer.Option("--effective", help="A later effect date a notice specifies.")
    ] = None,
    withdraws: Annotated[
        str | None, typer.Option("--withdraws", help="For notice_withdrawn: the notice kind.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a dated fact (with its evidence) for an agreement."""
    cli = context.get(ctx)
    given = {
        "kind": kind,
        "party": party,
        "date": on,
        "dispatched": dispatched,
        "received": received,
        "evidence": evidence,
        "step": step,
        "instrument": instrument,
        "effective": effective,
        "withdraws": withdraws,
    }
    fields = {key: value for key, value in given.items() if value is not None}
    with cli.transaction() as session:
        recorded = lifecycle.record_event(session, cli.actor, agreement_id, event_fields=fields)

    def render() -> str:
        event = recorded.event
        when = event.get("date") or " → ".join(
            str(event[key]) for key in ("dispatched", "received") if key in event
        )
        who = f" by {event['party']}" if "party" in event else ""
        return (
            f"recorded {event['kind'].replace('_', ' ')}{who} on {when} "
            f"for {agreement_id} (event {recorded.row_id})"
        )

    emit(recorded.to_json(), as_json=as_json, render=render)


@agreement_app.command()
def deadlines(
    ctx: typer.Context,
    within: Annotated[
        str, typer.Option("--within", help="How far ahead: days or weeks (90d, 12w).")
    ] = "90d",
    on: Annotated[
        str | None, typer.Option("--on", help="Count from this date (default: today).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Upcoming dated actions across all agreements, earliest first."""
    cli = context.get(ctx)
    days = parse_window(within)
    today = inputs.as_of_date(on)
    with cli.reading() as session:
        found = lifecycle.upcoming_deadlines(session, today=today, within_days=days)

    def render() -> Any:
        if not found:
            return f"no deadlines from {today.isoformat()} within {days} days"
        result = table(
            f"Deadlines from {today.isoformat()} within {days} days",
            ["date", "agreement", "action", "party", "why"],
            [(d.date.isoformat(), d.agreement_id, d.action, d.party, d.reason) for d in found],
        )
        result.columns[0].no_wrap = True
        result.columns[1].overflow = "fold"  # ids are copied into the next command: never cut
        return result

    emit([d.to_json() for d in found], as_json=as_json, render=render)


@agreement_app.command()
def ics(
    ctx: typer.Context,
    agreement_id: Annotated[str, typer.Argument(metavar="ID", show_default=False)],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of standard output."),
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help=ON_HELP, show_default=False)] = None,
) -> None:
    """An iCalendar feed (RFC 5545) of the agreement's upcoming deadlines."""
    cli = context.get(ctx)
    today = inputs.as_of_date(on)
    with cli.reading() as session:
        feed = lifecycle.ics_feed(session, agreement_id, today=today)
    if output is None:
        print(feed.decode("utf-8"), end="")
        return
    try:
        output.write_bytes(feed)
    except OSError as exc:
        raise Unavailable(
            "cannot write the feed", location=str(output), reason=exc.strerror or str(exc)
        ) from None
    console.print(f"wrote {output}")


@agreement_app.command()
def designate(
    ctx: typer.Context,
    agreement_id: Annotated[str, typer.Argument(metavar="ID", show_default=False)],
    party: Annotated[str, typer.Option("--party", help="The designating party.")],
    body: Annotated[str, typer.Option("--body", help="The executing body's name.")],
    valid_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    evidence: Annotated[str, typer.Option("--evidence", help="Where this is stated.")] = "",
) -> None:
    """Designate a party's executing body from a date (ends its previous designation)."""
    cli = context.get(ctx)
    start = inputs.as_of_date(valid_from, "--from")
    with cli.transaction() as session:
        designation = lifecycle.designate_body(
            session,
            cli.actor,
            agreement_id,
            party=party,
            body=body,
            valid_from=start,
            evidence=evidence,
        )
    console.print(
        f"{designation.party}: {designation.name} executes {agreement_id} from {start.isoformat()}",
        markup=False,
    )


@agreement_app.command()
def bodies(
    ctx: typer.Context,
    agreement_id: Annotated[str, typer.Argument(metavar="ID", show_default=False)],
    on: Annotated[
        str | None, typer.Option("--on", help="Only those in effect on this date.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The executing bodies designated by each party, over time."""
    cli = context.get(ctx)
    as_of = None if on is None else inputs.as_of_date(on)
    with cli.reading() as session:
        found = lifecycle.executing_bodies(session, agreement_id, on=as_of)
    title = "Executing bodies" + ("" if as_of is None else f" on {as_of.isoformat()}")
    emit(
        [b.to_json() for b in found],
        as_json=as_json,
        render=lambda: _bodies_table(title, found) if found else "no executing bodies recorded",
    )


# --------------------------------------------------------------------------------------------
# Rendering


def render_import(result: lifecycle.ImportResult) -> str:
    head = f"{result.status} {result.agreement_id} (sha256 {result.sha256[:12]})"
    if result.status != "changed":
        return head
    if not result.changes:
        return f"{head}: only the text changed (comments or layout), not the agreement"
    lines = [f"{head}: {len(result.changes)} field(s) changed"]
    sign = {"added": "+", "removed": "-", "changed": "~"}
    for change in result.changes:
        if change.kind == "changed":
            text = f"{_short(change.before)} → {_short(change.after)}"
        else:
            text = _short(change.after if change.kind == "added" else change.before)
        lines.append(f"  {sign[change.kind]} {change.path}: {text}")
    return "\n".join(lines)


def _short(value: Any, limit: int = 100) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _deadline_cell(deadline: Any) -> str:
    if deadline is None:
        return ""
    party = f" ({deadline['party']})" if deadline.get("party") else ""
    return f"{deadline['date']} {deadline['action']}{party}"


def _bodies_table(title: str, found: list[lifecycle.BodyDesignation]) -> Table:
    return table(
        title,
        ["party", "body", "from", "until", "source"],
        [
            (
                b.party,
                b.name,
                "" if b.valid_from is None else str(b.valid_from),
                "" if b.valid_until is None else str(b.valid_until),
                b.source,
            )
            for b in found
        ],
    )


# --------------------------------------------------------------------------------------------
# `comity lifecycle check`: an agreement file on a date, without a database


lifecycle_app = typer.Typer(
    help="Evaluate agreement files (rules + events) on a date, without a database.",
    no_args_is_help=True,
)


@lifecycle_app.command()
def check(
    file: Annotated[Path, typer.Argument(help="An agreement file (TOML).", show_default=False)],
    on: Annotated[
        str | None,
        typer.Option("--on", help="Evaluate on this date (YYYY-MM-DD); default: today."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show an agreement's status, periods, deadlines and the reason for every date."""
    as_of = inputs.as_of_date(on)
    spec = parse_agreement(
        input_files.read_text_file(file, inputs.AGREEMENT_FILE), source=str(file)
    )
    data = evaluate(spec, as_of=as_of).to_json()
    emit(data, as_json=as_json, render=lambda: render_state(data))


# --------------------------------------------------------------------------------------------
# Human rendering (reusable by other commands that show a state, e.g. `agreement show`)


def _human(iso: str | None) -> str:
    if iso is None:
        return "—"
    parts = iso.split("-")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    if len(parts) == 2:
        return f"{months[int(parts[1]) - 1]} {parts[0]}"
    return f"{int(parts[2])} {months[int(parts[1]) - 1]} {parts[0]}"


def render_state(data: dict[str, Any]) -> RenderableType:
    """A summary of `LifecycleState.to_json()`: each date with its one-line reason."""
    rows = Table.grid(padding=(0, 2))
    rows.add_column(style="bold")
    rows.add_column()
    rows.add_column(style="dim")

    def row(label: str, value: str, reason: str | None = "") -> None:
        rows.add_row(label, value, reason or "")

    status = data["status"].replace("_", " ")
    row("status", status, data.get("status_reason"))
    eif = data["entry_into_force"]
    row("entry into force", _human(eif["date"]), eif["explanation"])
    if eif["basis"] == "recorded" and eif["computed"] is not None:
        row("  computed", _human(eif["computed"]), "from the rule")
    pa = data["provisional_application"]
    if pa is not None:
        row("provisional application", f"{_human(pa['start'])} – {_human(pa['end'])}", pa["reason"])
    for period in data["periods"]:
        marker = " (current)" if data["current_period"] == period else ""
        row(
            f"period {period['index']}{marker}",
            f"{_human(period['start'])} – {_human(period['last_day'])}",
            period["reason"],
        )
    deadline = data["non_renewal_deadline"]
    if deadline is not None:
        row("non-renewal notice by", _human(deadline["date"]), deadline["reason"])
    termination = data["termination"]
    if termination is not None:
        state = "valid" if termination["valid"] else "not valid"
        row(
            f"{termination['kind'].replace('_', '-')} notice",
            f"{_human(termination['notice'])} ({state})",
            termination["reason"],
        )
        row("  last day in force", _human(termination["last_day_in_force"]))
    end = data.get("end")
    if end is not None:
        row("ends", _human(end["date"]), end["reason"])
    for code, party in data["parties"].items():
        if party["entry_into_force"] != eif["date"] or party["withdrawal"] is not None:
            row(f"  {code}", _human(party["entry_into_force"]), party["reason"])
        if party["withdrawal"] is not None:
            row(
                f"  {code} withdrawal",
                _human(party["withdrawal"]["effective"]),
                party["withdrawal"]["reason"],
            )
    for item in data["surviving_obligations"]:
        state = "active" if item["active"] else "after termination"
        row(f"survives: art. {item['article']}", state, item["until"] or item["text"])
    parts: list[RenderableType] = [
        Text(f"{data['id']} on {_human(data['as_of'])}", style="bold"),
        rows,
    ]
    if data["deadlines"]:
        upcoming = Table(title="upcoming", show_lines=False)
        for column in ("date", "action", "reason"):
            upcoming.add_column(column)
        for item in data["deadlines"]:
            upcoming.add_row(_human(item["date"]), item["action"], item["reason"])
        parts.append(upcoming)
    for warning in data["warnings"]:
        parts.append(Text(f"warning: {warning}", style="yellow"))
    return Group(*parts)


#: The command groups this module adds to `comity` (found by `comity.cli.main`).
COMMANDS = (("agreement", agreement_app), ("lifecycle", lifecycle_app))
