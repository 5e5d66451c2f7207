"""Reading what a person types or names on the command line: dates and files.

One place, so that every command rejects a bad date or an unreadable file with the same clear
line (the option or file, what is wrong, what is expected). The clock is read only here, at the
edge: services and the domain take dates as values.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from comity.errors import InvalidInput


def parse_date(text: str | None, option: str) -> date | None:
    """An optional ISO calendar date (`YYYY-MM-DD`) given to `option`."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"bad date {text!r}", location=option, reason="expected a calendar date YYYY-MM-DD"
        ) from None


def as_of_date(text: str | None, option: str = "--on") -> date:
    """The as-of date of a command: the date given, or today."""
    return parse_date(text, option) or date.today()


def read_text_file(path: Path) -> str:
    """The UTF-8 text of a file the person named."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(
            "cannot read the file", location=str(path), reason="no such file"
        ) from None
    except IsADirectoryError:
        raise InvalidInput(
            "cannot read the file", location=str(path), reason="it is a directory"
        ) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "cannot read the file", location=f"{path}: byte {exc.start}", reason="not UTF-8"
        ) from None
    except OSError as exc:
        raise InvalidInput(
            "cannot read the file", location=str(path), reason=exc.strerror or str(exc)
        ) from None
