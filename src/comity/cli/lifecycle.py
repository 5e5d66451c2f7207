"""`comity lifecycle`: evaluate an agreement file on a date, without any database.

Owns reading the file and the `--on` date at the edge (the clock is read here, never in the
domain) and the human rendering of a `LifecycleState`. Invariant: a bad file or date ends in one
line naming the file/option, the field and the reason, with a non-zero exit code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from comity.cli import inputs
from comity.cli.output import JsonOption, emit
from comity.domain.lifecycle.agreement_file import parse_agreement
from comity.domain.lifecycle.engine import evaluate

app = typer.Typer(
    help="Evaluate agreement files (rules + events) on a date, without a database.",
    no_args_is_help=True,
)


@app.command()
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
    spec = parse_agreement(inputs.read_text_file(file, inputs.AGREEMENT_FILE), source=str(file))
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
