"""The one rule for text a person gives comity: a field name, an evidence line, a title.

Invariant: text that reaches a record, a database column or an audit commitment is valid Unicode
that every engine stores as given. NUL (PostgreSQL refuses it, SQLite truncates at it in some
tools) and lone surrogates (not encodable as UTF-8: a JSON ``"\\ud800"`` or an undecodable command
line byte) are refused with the field's location, never passed on to fail later as a 500.
"""

from __future__ import annotations

import re
from typing import Final

from comity.errors import InvalidInput

# NUL and the UTF-16 surrogate range: neither can be stored as UTF-8 text.
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")


def unstorable_character(value: str) -> int | None:
    """The index of the first character no database can store as text, or None."""
    found = _UNSTORABLE.search(value)
    return None if found is None else found.start()


def checked_text(value: str, *, location: str) -> str:
    """`value` unchanged when it can be stored; otherwise an `InvalidInput` at `location`
    naming the character's position (counted from 1) and what is wrong with it."""
    index = unstorable_character(value)
    if index is None:
        return value
    what = "a NUL character" if value[index] == "\x00" else "a lone surrogate (not valid Unicode)"
    raise InvalidInput(
        "the text cannot be stored",
        location=location,
        reason=f"character {index + 1} is {what}",
        code="text.unstorable",
    )
