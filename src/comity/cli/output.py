"""Printing results: a Rich table or summary for people, `--json` for scripts. One place so
that every read command offers both the same way."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

console = Console(highlight=False)
error_console = Console(stderr=True, highlight=False, soft_wrap=True)


class _WarningLine(logging.Handler):
    """A warning logged by comity's own modules (e.g. a data directory open to other users),
    printed as one line on stderr, after which the command goes on."""

    def emit(self, record: logging.LogRecord) -> None:
        error_console.print(f"comity: warning: {record.getMessage()}", markup=False)


def show_warnings() -> None:
    """Print the ``comity`` loggers' warnings on stderr (once per process, however often
    called)."""
    logger = logging.getLogger("comity")
    if not any(isinstance(handler, _WarningLine) for handler in logger.handlers):
        logger.addHandler(_WarningLine(logging.WARNING))


JSON_OPTION_HELP = "Print machine-readable JSON instead of a table."
#: The `--json` option every read command takes.
JsonOption = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]


def _default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    # Plain print, not Rich: scripts need the bytes exactly, with no wrapping or markup.
    print(json.dumps(data, default=_default, ensure_ascii=False, indent=2))


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    result = Table(title=title, show_lines=False)
    for column in columns:
        result.add_column(column)
    for row in rows:
        result.add_row(*("" if cell is None else str(cell) for cell in row))
    return result


def emit(data: Any, *, as_json: bool, render: Callable[[], Any]) -> None:
    """Print `data` as JSON, or whatever `render()` returns (a Rich renderable) for people."""
    if as_json:
        print_json(data)
    else:
        console.print(render())
