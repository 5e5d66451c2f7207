"""Canonical JSON (RFC 8785, JCS) and content hashes: one way to turn a value into bytes.

Whatever is hashed or signed in comity — an audit leaf and its commitments, the content a
party consents to (the dual key), a statement or bundle that travels to the other party — is
first made plain JSON by `plain` (dates as ISO text, sets as sorted lists, enums by value,
text in Unicode NFC), then serialised by `canonical_json` (RFC 8785 through the `rfc8785`
library). Equal values give equal bytes on every node and in every Python process.

Invariant: `plain` is total over the values comity hashes and refuses anything else (an arbitrary
object, a NaN or infinite float, an integer beyond JSON's exact range) instead of guessing.
Finite floats are kept: RFC 8785 gives each one a single text form (ECMAScript's shortest
round-trip representation), so they hash the same everywhere.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final

import rfc8785

__all__ = ["HASH_PREFIX", "canonical_json", "content_hash", "plain", "salted_commitment"]

#: How a hash names its algorithm in every text form comity writes.
HASH_PREFIX: Final = "sha256:"


def plain(value: Any) -> Any:
    """`value` as plain JSON values (see the module docstring)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} has no JSON form")
        return value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, Mapping):
        return {plain_key(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, set | frozenset):
        # Natural order of the plain values (text, numbers): what audit commitments always used.
        return sorted(plain(item) for item in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot make a canonical JSON value of {type(value).__name__}")


def plain_key(key: Any) -> str:
    if isinstance(key, Enum):
        key = key.value
    if not isinstance(key, str):
        raise TypeError(f"a JSON object key must be text, not {type(key).__name__}")
    return unicodedata.normalize("NFC", key)


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 bytes of `value` (made `plain` first)."""
    return rfc8785.dumps(plain(value))


def content_hash(value: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of `value`: what two parties compare to know they
    mean the same content."""
    return HASH_PREFIX + hashlib.sha256(canonical_json(value)).hexdigest()


def salted_commitment(value: Any, salt: bytes) -> str:
    """A salted commitment to `value`: proves what it was to whoever holds the value and the
    salt, and reveals nothing to whoever holds only the commitment (audit leaves)."""
    return HASH_PREFIX + hashlib.sha256(salt + canonical_json(value)).hexdigest()
