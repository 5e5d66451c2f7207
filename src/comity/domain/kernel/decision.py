"""A decision is a value: allowed or not, with the reasons why, each a stable code and parameters.

Every "may I?" in comity answers with a `Decision`: the permission table (`kernel.permissions`),
access to a label (`security.decision`), a transition (`kernel.transitions`). Callers branch on
`allowed`; people read the reasons, rendered at the edge from `code` and `params` in their language
(`detail` is the English rendering, for logs, the CLI and tests). Services turn a denial into an
`AccessDenied` error that carries the same codes, so no caller ever parses an English message.

Invariants: a decision is immutable and compares and hashes as (allowed, reasons); reason codes
are ``snake_case`` identifiers and part of the public contract (documented per area); a reason's
parameters are plain values (text, numbers, dates), never records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final, NamedTuple

__all__ = ["ALLOWED", "Decision", "Param", "Reason", "allow", "deny"]

#: What a reason's parameter may hold: what every edge can render and every log can keep.
Param = str | int | date | tuple[str, ...]

_CODE: Final = re.compile(r"^[a-z][a-z0-9_]*$")


class Reason(NamedTuple):
    """Why a decision came out as it did: a stable `code`, an English `detail` for people who
    read logs and the command line, and `params`, the values a translated text needs."""

    code: str
    detail: str = ""
    params: tuple[tuple[str, Param], ...] = ()

    @classmethod
    def of(cls, code: str, detail: str = "", **params: Param) -> Reason:
        """A reason with named parameters (kept sorted, so equal reasons compare equal)."""
        if not _CODE.match(code):
            raise ValueError(f"reason code {code!r} is not a snake_case identifier")
        return cls(code, detail, tuple(sorted(params.items())))

    @property
    def parameters(self) -> Mapping[str, Param]:
        return dict(self.params)

    def as_dict(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"code": str(self.code), "detail": self.detail}
        if self.params:
            shown["params"] = {
                name: value.isoformat() if isinstance(value, date) else value
                for name, value in self.params
            }
        return shown


class Decision:
    """An immutable value (allowed, reasons), compared and hashed as that pair.

    Written with ``__slots__`` rather than as a dataclass because the security core builds
    millions of them per second and shares subclasses that work out their reasons lazily.
    """

    __slots__ = ("_reasons", "allowed")

    allowed: bool
    _reasons: tuple[Reason, ...]

    def __init__(self, allowed: bool, reasons: Iterable[Reason] = ()) -> None:
        set_ = object.__setattr__
        set_(self, "allowed", allowed)
        set_(self, "_reasons", tuple(reasons))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a decision is immutable: cannot set {name!r}")

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self._reasons

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self.allowed == other.allowed and self.reasons == other.reasons

    def __hash__(self) -> int:
        return hash((self.allowed, self.reasons))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(allowed={self.allowed!r}, reasons={self.reasons!r})"

    def as_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "reasons": [r.as_dict() for r in self.reasons]}

    def explained(self) -> str:
        """The reasons' English details in one line (for the CLI and logs)."""
        return "; ".join(reason.detail or reason.code for reason in self.reasons)


def allow(*reasons: Reason) -> Decision:
    return Decision(True, reasons)


def deny(code: str, detail: str = "", **params: Param) -> Decision:
    """A denial with one reason."""
    return Decision(False, (Reason.of(code, detail, **params),))


#: The shared plain "yes" (no reason to give).
ALLOWED: Final = Decision(True)
