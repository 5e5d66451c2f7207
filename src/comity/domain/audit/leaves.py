"""The audit leaf format: how a leaf is written, and how it is read back, one by one or in bulk.

A leaf is the RFC 8785 canonical JSON of one act: ``{"action":…,"actor":{"party":…,"person":…}
[,"after":…][,"before":…],"idx":…,"log":…,"record":{"id":…,"type":…},"ts":…,"v":1}`` (keys in
sorted order, no whitespace). `Leaf` is that act as a value: `Leaf.new` builds it (text in
Unicode NFC, the time in UTC at microsecond precision), `Leaf.to_bytes` writes it and
`Leaf.parse` reads it back, refusing anything that is not exactly this shape. The record's
states never enter a leaf: only salted `commitment`s to them, whose salts stay on this node.

Verification reads millions of leaves, so `LeafShape` also reads them in bulk: one regular
expression over many leaves at once (C speed, no JSON parse per leaf) yields, for each leaf, the
values the database copies must equal.

Invariants:
- ``Leaf.parse(leaf.to_bytes()) == leaf`` for every leaf `Leaf.new` builds.
- The shape is a *sufficient* test, never a weaker one. Whenever `LeafShape.fields` returns a
  leaf's fields, ``json.loads`` of that leaf succeeds and yields an object with exactly those
  values for ``action``, ``idx``, ``log``, ``record`` (only ``id`` and ``type``), ``ts`` and
  ``v == 1``: the captured strings admit no escape sequence, so their raw text is their value.
  A leaf that does not fit (escapes in those fields, an unknown key, a raw newline…) is simply
  not vouched for, and the caller falls back to `Leaf.parse`. ``tests/unit/audit/
  test_leaf_shape.py`` checks both directions against `json.loads`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final, Literal

import rfc8785

from comity.errors import InvalidInput

__all__ = [
    "LEAF_VERSION",
    "MAX_LEAF_BYTES",
    "Leaf",
    "LeafShape",
    "Target",
    "commitment",
]

LEAF_VERSION: Final = 1
#: Entry bundles use uint16 lengths, so a leaf must stay below 64 KiB.
MAX_LEAF_BYTES: Final = (1 << 16) - 1

Which = Literal["before", "after"]


@dataclass(frozen=True, slots=True)
class Target:
    """The record a change is about: its type (``agreement``) and id (``tr-az-2017``)."""

    type: str
    id: str

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"

    @classmethod
    def parse(cls, text_value: str, *, location: str = "--record") -> Target:
        """``TYPE:ID`` as typed on the command line."""
        kind, sep, ident = text_value.partition(":")
        if not sep or not kind or not ident:
            raise InvalidInput(f"record {text_value!r} does not read TYPE:ID", location=location)
        return cls(kind, ident)


# --- Commitments ---------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """A state as plain JSON values (dates as ISO text, decimals as text) for canonical JSON."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, str):
        return _nfc(value)
    return value


def commitment(state: Any, salt: bytes) -> str:
    """A salted SHA-256 commitment to a record state: proves what it was to whoever holds the
    state and the salt, and reveals nothing to whoever holds only the log."""
    return "sha256:" + hashlib.sha256(salt + rfc8785.dumps(_jsonable(state))).hexdigest()


# --- One leaf ------------------------------------------------------------------------------------


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _timestamp(moment: datetime) -> str:
    # Fixed precision, so that equal instants always give equal bytes.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``: the only time text a leaf holds.
_STAMP_LENGTH: Final = 27
_KEYS: Final = frozenset({"v", "log", "idx", "ts", "actor", "action", "record"})
_COMMITMENT_KEYS: Final = frozenset({"before", "after"})


@dataclass(frozen=True, slots=True)
class Leaf:
    """One act in the log: `action` (``<subject>.<verb>``) on `record` by `person` of `party`,
    the `index`-th leaf of the log `log`, appended at `recorded_at` (aware, UTC); `before` and
    `after` are the commitments to the record's states, when given."""

    log: str
    index: int
    recorded_at: datetime
    party: str
    person: str
    action: str
    record: Target
    before: str | None = None
    after: str | None = None

    @classmethod
    def new(
        cls,
        *,
        log: str,
        index: int,
        moment: datetime,
        party: str,
        person: str,
        action: str,
        record: Target,
        commitments: Mapping[Which, str] | None = None,
    ) -> Leaf:
        """The leaf of an act being appended: its text in NFC, its time in UTC."""
        commitments = commitments or {}
        return cls(
            log=log,
            index=index,
            recorded_at=moment.astimezone(UTC),
            party=_nfc(party),
            person=_nfc(person),
            action=_nfc(action),
            record=Target(_nfc(record.type), _nfc(record.id)),
            before=commitments.get("before"),
            after=commitments.get("after"),
        )

    @property
    def timestamp(self) -> str:
        """The leaf's time as it writes it (``2026-11-29T09:00:00.000000Z``)."""
        return _timestamp(self.recorded_at)

    def commitment(self, which: Which) -> str | None:
        return self.before if which == "before" else self.after

    def to_bytes(self) -> bytes:
        """The leaf's canonical JSON; refused when it would not fit an entry bundle."""
        body: dict[str, Any] = {
            "v": LEAF_VERSION,
            "log": self.log,
            "idx": self.index,
            "ts": self.timestamp,
            "actor": {"party": self.party, "person": self.person},
            "action": self.action,
            "record": {"type": self.record.type, "id": self.record.id},
        }
        if self.before is not None:
            body["before"] = self.before
        if self.after is not None:
            body["after"] = self.after
        data = rfc8785.dumps(body)
        if len(data) > MAX_LEAF_BYTES:
            raise InvalidInput(
                f"audit leaf for {self.record} is {len(data)} bytes", reason="the limit is 64 KiB"
            )
        return data

    @classmethod
    def parse(cls, data: bytes) -> Leaf:
        """Read a leaf back; `ValueError` unless `data` is a leaf of this version and shape."""
        body = json.loads(data.decode())
        if not isinstance(body, dict) or not _KEYS <= body.keys() <= _KEYS | _COMMITMENT_KEYS:
            raise ValueError("not a leaf: its keys are not a leaf's")
        if type(body["v"]) is not int or body["v"] != LEAF_VERSION or type(body["idx"]) is not int:
            raise ValueError("not a leaf of this version, or its index is not a number")
        actor, record = body["actor"], body["record"]
        if not isinstance(actor, dict) or actor.keys() != {"party", "person"}:
            raise ValueError("the leaf's actor is not a party and a person")
        if not isinstance(record, dict) or record.keys() != {"type", "id"}:
            raise ValueError("the leaf's record is not a type and an id")
        texts = (body["log"], body["action"], body["ts"], *actor.values(), *record.values())
        commitments = [body.get(key) for key in ("before", "after")]
        if not all(isinstance(value, str) for value in texts) or not all(
            value is None or isinstance(value, str) for value in commitments
        ):
            raise ValueError("a field of the leaf that holds text does not")
        stamp = body["ts"]
        if len(stamp) != _STAMP_LENGTH or not stamp.endswith("Z"):
            raise ValueError(f"the leaf's time {stamp!r} is not in the leaf format")
        return cls(
            log=body["log"],
            index=body["idx"],
            recorded_at=datetime.fromisoformat(stamp[:-1]).replace(tzinfo=UTC),
            party=actor["party"],
            person=actor["person"],
            action=body["action"],
            record=Target(record["type"], record["id"]),
            before=commitments[0],
            after=commitments[1],
        )


# --- Many leaves at once -------------------------------------------------------------------------

#: A JSON string with any valid escapes (``actor`` fields, which only need to be well formed).
_ANY_STRING = (
    r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"'  # unrolled: linear
)
#: A JSON string without escapes, captured: its raw text *is* its value.
_PLAIN_STRING = r'"([^"\\\x00-\x1f]*)"'
_COMMITMENT = r'"sha256:[0-9a-f]{64}"'
_STAMP = r'"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6})Z"'


class LeafShape:
    """The canonical shape of the leaves of version `version` of the log `origin`."""

    def __init__(self, origin: str, version: int = LEAF_VERSION) -> None:
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
