"""Statements: what one party says to the other, in a form that can be signed and checked alone.

A statement is a typed JSON object (``{"type": "comity.consent/v1", …}``) whose canonical JSON
(RFC 8785, `kernel.canonical`) is its one and only byte form. Its text form is that JSON on one
line followed by a newline, which is exactly the text of a C2SP signed note: a node signs a
statement with its Ed25519 key (`crypto.signing`), and any holder of the node's verifier key
checks it without the database, the node, or anything else the statement points to. Consents
(the dual key), transmissions and receipts travel between the parties' nodes as such notes.

Invariant: `parse` accepts only text that is canonical (parse, re-serialise, compare): two
encodings of the same statement cannot both be valid, so a signature covers one meaning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from comity.domain.kernel.canonical import canonical_json, content_hash
from comity.errors import InvalidInput

__all__ = ["Statement"]

#: ``comity.<kind>/v<version>``: what a statement is, and which version of its fields.
STATEMENT_TYPE: Final = re.compile(r"^comity\.[a-z][a-z_]*/v[1-9][0-9]*$")
#: A statement is small: consents and receipts, never the content they are about.
MAX_STATEMENT_BYTES: Final = 16 * 1024


@dataclass(frozen=True, slots=True)
class Statement:
    """A typed statement: its `type` and its `fields` (plain JSON values)."""

    type: str
    fields: Mapping[str, Any]

    def __post_init__(self) -> None:
        if not STATEMENT_TYPE.match(self.type):
            raise ValueError(f"statement type {self.type!r} does not read comity.<kind>/v<n>")
        if "type" in self.fields:
            raise ValueError("a statement's fields cannot hold another 'type'")
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, **self.fields}

    def canonical(self) -> bytes:
        return canonical_json(self.as_json())

    def text(self) -> str:
        """The note text a node signs: the canonical JSON on one line, then a newline."""
        return self.canonical().decode() + "\n"

    @property
    def hash(self) -> str:
        """``sha256:…`` of the canonical bytes: how records point to a statement."""
        return content_hash(self.as_json())

    @classmethod
    def parse(cls, text: str, *, location: str = "statement") -> Statement:
        """The statement whose note text is `text`, refusing anything not canonical."""
        if len(text.encode("utf-8", "surrogatepass")) > MAX_STATEMENT_BYTES:
            raise InvalidInput(
                "the statement is too large",
                location=location,
                reason=f"at most {MAX_STATEMENT_BYTES} bytes",
                code="statement.too_large",
            )
        body = text[:-1] if text.endswith("\n") else text
        try:
            value = json.loads(body)
        except ValueError as exc:
            raise InvalidInput(
                "the statement is not JSON",
                location=location,
                reason=str(exc),
                code="statement.malformed",
            ) from None
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            raise InvalidInput(
                "the statement is not a typed JSON object",
                location=location,
                reason='expected {"type": "comity.<kind>/v<n>", …}',
                code="statement.malformed",
            )
        kind = value.pop("type")
        if not STATEMENT_TYPE.match(kind):
            raise InvalidInput(
                f"unknown statement type {kind!r}",
                location=f"{location}.type",
                reason="expected comity.<kind>/v<n>",
                code="statement.malformed",
            )
        statement = cls(kind, value)
        if statement.text() != body + "\n":
            raise InvalidInput(
                "the statement is not in canonical form",
                location=location,
                reason="RFC 8785 canonical JSON on one line, then a newline",
                code="statement.not_canonical",
            )
        return statement
