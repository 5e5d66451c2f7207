"""Bulk checks over audit leaves for verification: the canonical leaf shape and subtree levels.

A leaf is RFC 8785 canonical JSON, so its keys come in sorted order with no whitespace and its
shape is fixed: ``{"action":…,"actor":{"party":…,"person":…}[,"after":…][,"before":…],
"idx":…,"log":…,"record":{"id":…,"type":…},"ts":…,"v":1}``. `LeafShape` matches that shape
with one regular expression over many leaves at once (C speed, no JSON parse per leaf) and
yields, for each leaf, the values the database copies must equal.

Invariant: the shape is a *sufficient* test, never a weaker one. Whenever `LeafShape.fields`
returns a leaf's fields, ``json.loads`` of that leaf succeeds and yields an object with exactly
those values for ``action``, ``idx``, ``log``, ``record`` (only ``id`` and ``type``), ``ts`` and
``v == 1``: the captured strings admit no escape sequence, so their raw text is their value.
A leaf that does not fit (escapes in those fields, an unknown key, a raw newline…) is simply not
vouched for, and the caller falls back to parsing it. ``tests/unit/audit/test_leaf_shape.py``
checks both directions against `json.loads`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

#: A JSON string with any valid escapes (``actor`` fields, which only need to be well formed).
_ANY_STRING = (
    r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"'  # unrolled: linear
)
#: A JSON string without escapes, captured: its raw text *is* its value.
_PLAIN_STRING = r'"([^"\\\x00-\x1f]*)"'
_COMMITMENT = r'"sha256:[0-9a-f]{64}"'
_STAMP = r'"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6})Z"'

#: Fields `LeafShape.fields` yields per leaf, in this order (``ts`` without its final Z).
FIELDS = ("action", "idx", "record.id", "record.type", "ts")


class LeafShape:
    """The canonical shape of the leaves of version `version` of the log `origin`."""

    def __init__(self, origin: str, version: int = 1) -> None:
        # The origin's JSON text is written into the pattern literally: log == origin exactly.
        origin_json = json.dumps(origin, ensure_ascii=False)
        self._pattern = re.compile(
            r"^\{"
            rf'"action":{_PLAIN_STRING},'
            rf'"actor":\{{"party":{_ANY_STRING},"person":{_ANY_STRING}\}},'
            rf'(?:"after":{_COMMITMENT},)?'
            rf'(?:"before":{_COMMITMENT},)?'
            r'"idx":(0|[1-9][0-9]*),'
            rf'"log":{re.escape(origin_json)},'
            rf'"record":\{{"id":{_PLAIN_STRING},"type":{_PLAIN_STRING}\}},'
            rf'"ts":{_STAMP},'
            rf'"v":{int(version)}\}}$',
            re.MULTILINE,
        )

    def fields(self, leaves: Sequence[bytes]) -> list[tuple[str, ...]] | None:
        """``(action, idx as decimal text, record id, record type, ts without its Z)`` of every
        leaf, in order, or None unless *every* leaf is valid UTF-8 and has the canonical shape.
        The shape checks the time's layout, not that it is a real date."""
        try:
            text = b"\n".join(leaves).decode()
        except (UnicodeDecodeError, TypeError):
            return None
        # Newline separates leaves for the multi-line match, so no leaf may contain one (a
        # canonical leaf never does: control characters are escaped in JSON strings).
        if text.count("\n") != len(leaves) - 1:
            return None
        found: list[tuple[str, ...]] = self._pattern.findall(text)
        # findall skips lines that do not match: fewer results means some leaf did not fit.
        return found if len(found) == len(leaves) else None


def leaf_hashes(leaves: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 leaf hashes (SHA-256 of 0x00 || leaf), in one tight loop."""
    sha256 = hashlib.sha256
    return [sha256(b"\x00" + leaf).digest() for leaf in leaves]


def subtree_levels(hashes: list[bytes], height: int) -> list[list[bytes]]:
    """Every complete subtree over `hashes` (which start at a multiple of ``2**height``), level
    by level up to `height`: ``levels[k][j]`` covers ``hashes[j·2^k : (j+1)·2^k]``.

    An odd hash at the end of a level has no sibling yet and is left out, so each level holds
    exactly the complete subtrees. One node hash per leaf in total, in list comprehensions.
    """
    sha256 = hashlib.sha256
    levels = [hashes]
    below = hashes
    for _ in range(height):
        if len(below) < 2:
            break
        pairs = iter(below)
        below = [
            sha256(b"\x01" + left + right).digest()
            for left, right in zip(pairs, pairs, strict=False)
        ]
        levels.append(below)
    return levels
