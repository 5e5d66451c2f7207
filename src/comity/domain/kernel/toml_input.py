"""The one rule for reading a TOML document given to comity (agreement, scheme, equivalence files).

Invariant: whatever the text, `load_toml` returns the document or raises `InvalidInput` naming
the source and, where the text has one, the line and column. Python's parser fails in two ways
that are not a `TOMLDecodeError`: arrays or inline tables nested a few hundred deep exhaust the
interpreter's stack (``RecursionError``), and a decimal integer longer than the interpreter's
int-string limit (4300 digits) raises ``ValueError``. Both are found by a scan of the text
before it is parsed, so they are reported with their position. The parsed document is then
walked (without recursion), so that dotted keys cannot build deeper tables either: nothing
that reaches a caller is nested deeper than `MAX_NESTING`, every integer fits in 64 bits as
the TOML specification has it (a larger one would fail later, in `str()` or a database), and
every key and string passes the shared text rule (`checked_text`: a ``\\u0000`` escape is
valid TOML but no database stores it).
"""

from __future__ import annotations

import functools
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any, Final

from comity.domain.kernel.text import checked_text
from comity.errors import InvalidInput

__all__ = ["MAX_NESTING", "load_toml"]

#: The deepest nesting of tables and arrays comity accepts. Its formats need five at most
#: (``entry_into_force.later_of[1].later_of[0]``); a few hundred would exhaust the stack.
MAX_NESTING: Final = 32
#: TOML integers are 64-bit signed (toml.io, "Integer"); a parser may refuse the rest.
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1


@functools.cache
def _tokens(max_digits: int) -> re.Pattern[str]:
    """What the scan stops at outside strings and comments: a comment, a string (skipped by
    `_string_end`), a bracket, and an integer longer than `int()` converts (`max_digits`; 0:
    no limit). The look-behind makes a run of digits a candidate only at its start, so the
    scan stays linear."""
    if max_digits == 0:
        return re.compile(r"""#|"|'|[\[\]{}]""")
    hexadecimal = rf"0[xob][0-9A-Fa-f](?:_?[0-9A-Fa-f]){{{max_digits - 1},}}"
    decimal = rf"[0-9](?:_?[0-9]){{{max_digits},}}"
    return re.compile(rf"""#|"|'|[\[\]{{}}]|(?<![0-9A-Za-z_])(?:{hexadecimal}|{decimal})""")


def load_toml(text: str, *, source: str, code: str) -> dict[str, Any]:
    """The document `text` holds. `source` names it in errors (usually the file's path); `code`
    is the caller's stable error code (``agreement.invalid_file``, ``scheme.invalid``)."""
    problem = _first_problem(text)
    if problem is not None:
        offset, reason = problem
        raise _invalid(source, code, f"{reason} {_position(text, offset)}")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The message ends "(at line L, column C)": it is the position.
        raise _invalid(source, code, str(exc)) from None
    except RecursionError:
        # Unreachable while the scan counts brackets as the parser does; kept so that a gap in
        # the scan is still a clear refusal, not a crash.
        raise _invalid(source, code, _too_deep()) from None
    except ValueError as exc:
        # Likewise for the int-string limit.
        raise _invalid(source, code, str(exc)) from None
    unusable = _first_unusable(document, source)
    if unusable is not None:
        raise _invalid(source, code, unusable)
    return document


def _invalid(source: str, code: str, reason: str) -> InvalidInput:
    return InvalidInput("not valid TOML", location=source, reason=reason, code=code)


def _too_deep() -> str:
    return f"tables or arrays nested deeper than {MAX_NESTING} levels"


def _position(text: str, offset: int) -> str:
    """ "(at line L, column C)", counted from 1 as `TOMLDecodeError` counts them."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"(at line {line}, column {column})"


def _first_problem(text: str) -> tuple[int, str] | None:
    """The offset and reason of the first bracket past `MAX_NESTING` or the first integer
    too long to convert, outside strings and comments; None when there is neither."""
    limit = sys.get_int_max_str_digits()
    tokens = _tokens(limit)
    depth = 0
    position = 0
    while True:
        found = tokens.search(text, position)
        if found is None:
            return None
        lexeme, start = found.group(), found.start()
        position = found.end()
        if lexeme == "#":
            newline = text.find("\n", position)
            position = len(text) if newline < 0 else newline
        elif lexeme in ('"', "'"):
            position = _string_end(text, start)
        elif lexeme in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                return start, _too_deep()
        elif lexeme in ("]", "}"):
            depth = max(depth - 1, 0)
        else:
            return start, f"a number with more than {limit} digits"


def _string_end(text: str, start: int) -> int:
    """The offset just past the string that opens at `start` (the end of the text, or of the
    line for a one-line string, when it is not closed: the parser reports that)."""
    quote = text[start]
    basic = quote == '"'
    if text.startswith(quote * 3, start):
        close = _closing(text, start + 3, quote * 3, basic)
        if close < 0:
            return len(text)
        end = close + 3
        # Up to two quotes just before the delimiter belong to the string: `"""a"""""`.
        extra = 0
        while extra < 2 and text.startswith(quote, end):
            end += 1
            extra += 1
        return end
    newline = text.find("\n", start + 1)
    line_end = len(text) if newline < 0 else newline
    close = _closing(text, start + 1, quote, basic, line_end)
    return line_end if close < 0 else close + 1


def _closing(text: str, start: int, delimiter: str, basic: bool, stop: int | None = None) -> int:
    """The offset of the first `delimiter` from `start` not escaped by a backslash (in a basic
    string), before `stop`; -1 when there is none."""
    end = len(text) if stop is None else stop
    position = start
    while True:
        found = text.find(delimiter, position, end)
        if found < 0:
            return -1
        if basic and _escaped(text, found, start):
            position = found + 1
            continue
        return found


def _escaped(text: str, offset: int, floor: int) -> bool:
    """Whether the character at `offset` follows an odd run of backslashes."""
    backslashes = 0
    while offset - backslashes - 1 >= floor and text[offset - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _first_unusable(document: Mapping[str, Any], source: str) -> str | None:
    """Why the parsed document cannot be used, with where (``a.b.c…``), else None: a table or
    array nested deeper than `MAX_NESTING`, or an integer outside the 64-bit range the TOML
    specification gives integers (a hexadecimal literal can hold a number whose decimal form
    no `str()` would print). A key or string holding a character no database stores (a
    ``\\u0000`` escape) is refused by the shared text rule, `checked_text`. A walk with its
    own stack: dotted keys make a document as deep as they are long."""
    stack: list[tuple[object, int, tuple[str, ...]]] = [(document, 0, ())]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            checked_text(value, location=f"{source}: {_shown(path)}")
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            if not _INT64_MIN <= value <= _INT64_MAX:
                return f"an integer outside the 64-bit range (at {_shown(path)})"
            continue
        if not isinstance(value, Mapping | list):
            continue
        if depth > MAX_NESTING:
            return f"{_too_deep()} (at {_shown(path)})"
        if isinstance(value, Mapping):
            for key in value:  # keys are stored too; checked before a path shows them
                checked_text(key, location=f"{source}: a key in {_shown(path) or 'the top level'}")
        # Reversed onto the stack so that the first problem in the document is the one named.
        children = [(child, depth + 1, (*path, step)) for step, child in _children(value)]
        stack.extend(reversed(children))
    return None


def _shown(path: tuple[str, ...]) -> str:
    shown = "".join(path[:3]).lstrip(".")
    return f"{shown}…" if len(path) > 3 else shown


def _children(value: object) -> Iterator[tuple[str, object]]:
    """The values directly inside a table or array, each with the step that reaches it."""
    if isinstance(value, Mapping):
        yield from ((f".{key}", child) for key, child in value.items())
    elif isinstance(value, list):
        yield from ((f"[{index}]", child) for index, child in enumerate(value))
