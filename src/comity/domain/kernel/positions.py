"""The one rule for saying *where* an input is wrong: file, field path, line and column.

Every reader of a file or request (agreement files, scheme files, equivalence tables, label XML,
API bodies) reports a `Position`, rendered the same way everywhere:

    agreement.toml:41:1: events[3].date

- the source (a file name, or ``request`` for an HTTP body), then line and column where the
  reader knows them (both count from 1, as editors do);
- then the field path: names joined by dots, list items in brackets counted **from 1** (the
  third ``[[events]]`` table is ``events[3]``: people count tables from one, and so do the error
  messages of every comity file format).

A `ComityError`'s ``location`` is ``str(position)``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Position"]


@dataclass(frozen=True, slots=True)
class Position:
    source: str | None = None
    #: Field names (text) and list items (numbers counted from 1).
    path: tuple[str | int, ...] = ()
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        for part in self.path:
            if isinstance(part, int) and part < 1:
                raise ValueError(f"list items count from 1, not {part}")

    def field(self, *parts: str | int) -> Position:
        """The position of a field (or list item) inside this one."""
        return Position(self.source, (*self.path, *parts), self.line, self.column)

    def item(self, index0: int) -> Position:
        """The list item at Python index `index0` (shown counted from 1)."""
        return self.field(index0 + 1)

    def at_line(self, line: int | None, column: int | None = None) -> Position:
        return Position(self.source, self.path, line, column)

    @property
    def field_path(self) -> str:
        text = ""
        for part in self.path:
            if isinstance(part, int):
                text += f"[{part}]"
            else:
                text += f".{part}" if text else part
        return text

    def __str__(self) -> str:
        head = self.source or ""
        if self.line is not None:
            head += f":{self.line}"
            if self.column is not None:
                head += f":{self.column}"
        field = self.field_path
        if head and field:
            return f"{head}: {field}"
        return head or field
