"""Reading what a person types or names on the command line: dates and files.

One place, so that every command rejects a bad date or an unreadable file with the same clear
line (the option or file, what is wrong, what is expected). The clock is read only here, at the
edge: services and the domain take dates as values.

Invariant: every file a command reads goes through `comity.input_files.read_text_file` with
its `InputKind` from here, so it is a regular file of at most that kind's documented size
(docs/cli.md, "Input files"), read without ever holding more than the limit and one byte.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from comity.errors import InvalidInput
from comity.input_files import KIB, MIB, InputKind


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


#: The kinds of file commands read, and their limits (docs/cli.md, "Input files").
AGREEMENT_FILE: Final = InputKind("agreement file", 1 * MIB)
SCHEME_FILE: Final = InputKind("scheme file", 256 * KIB)
EQUIVALENCE_FILE: Final = InputKind("equivalence file", 256 * KIB)
LABEL_XML: Final = InputKind("label XML file", 64 * KIB)
VERIFIER_KEY_FILE: Final = InputKind("verifier key file", 4 * KIB)
