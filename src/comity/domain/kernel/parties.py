"""The one rule for party codes, in agreements, accounts, schemes and clearances alike.

A party is a state (its ISO 3166-1 alpha-3 code: ``TUR``, ``AZE``) or an organisation that
can be party to an agreement (``EU``, ``NATO``, ``OSCE``, ``UN``): 2 to 12 upper-case letters
or digits, starting with a letter. Such a party can have accounts like a state. `OPERATOR` (the
accounts that run a node) and `UNKNOWN` (who an anonymous request claims to be) are reserved and
never the party of an agreement.
"""

from __future__ import annotations

import re
from typing import Final

from comity.domain.kernel.actors import OPERATOR
from comity.errors import InvalidInput

__all__ = ["PARTY_CODE", "RESERVED", "UNKNOWN", "party_code"]

PARTY_CODE: Final = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")
#: Who an anonymous request is recorded as.
UNKNOWN: Final = "UNKNOWN"
RESERVED: Final = frozenset({OPERATOR, UNKNOWN})

_EXPECTED: Final = (
    "a state's ISO 3166-1 alpha-3 code (TUR, AZE) or an organisation's code (EU, NATO): "
    "2-12 upper-case letters or digits, starting with a letter"
)


def party_code(text: str, *, location: str = "party", operator: bool = False) -> str:
    """`text` as a party code (trimmed, upper-cased), or `InvalidInput` naming `location`.

    `operator` admits `OPERATOR` (accounts of the node's operator); nothing admits `UNKNOWN`.
    """
    code = text.strip().upper()
    if code == OPERATOR and operator:
        return code
    if code in RESERVED:
        raise InvalidInput(
            f"{text!r} is reserved", location=location, reason=_EXPECTED, code="party.reserved"
        )
    if not PARTY_CODE.match(code):
        raise InvalidInput(
            f"{text!r} is not a party code", location=location, reason=_EXPECTED, code="party.bad"
        )
    return code
