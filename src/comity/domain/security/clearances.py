"""Clearances, need-to-know grants and the subject (a person with both) that decisions judge.

A `Clearance` is issued to a person under one policy for a *set* of classifications (ADatP-4774
clearances carry a classification list; `Clearance.up_to` builds the usual "this level and every
lower one"), with the category values the person holds, a nationality, the issuing authority and
a validity window. A `NeedToKnowGrant` gives one compartment ("Need To Know" tag) until a date.

Invariants this module protects:

* A clearance or grant counts only on days inside its window and before its revocation: the
  same record answers "valid on 2026-11-29?" the same way everywhere (`valid_on`).
* A `Subject` is immutable; what decisions derive from it for a day (levels covered, category
  values held) is computed once per day and cached on the subject by `comity...decision`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from comity.domain.security.labels import (
    NEED_TO_KNOW,
    NameProblem,
    category_key,
    check_name,
    level_token,
)
from comity.domain.security.schemes import Equivalence, Policy
from comity.errors import InvalidInput

__all__ = ["Clearance", "NeedToKnowGrant", "Subject", "parse_category_key"]


def parse_category_key(text: str) -> str:
    """Validate ``"Tag:value"`` (how clearances name the category values they hold)."""
    tag, colon, value = text.partition(":")
    if not colon:
        raise InvalidInput(
            f"invalid category {text!r}",
            location="category",
            reason="write it as 'Tag:value', e.g. 'Special Category Designators:ATOMAL'",
            code="clearance.invalid_category",
        )
    try:
        return category_key(check_name(tag, "tag", ":"), check_name(value, "value"))
    except NameProblem as exc:
        raise InvalidInput(
            f"invalid category {text!r}",
            location="category",
            reason=exc.reason,
            code="clearance.invalid_category",
        ) from None


def _window(valid_from: date | None, valid_until: date | None, revoked_on: date | None) -> None:
    if valid_from and valid_until and valid_until < valid_from:
        raise InvalidInput(
            "the validity ends before it starts",
            location="valid_until",
            reason=f"{valid_until.isoformat()} is before {valid_from.isoformat()}",
        )


@dataclass(frozen=True, slots=True)
class Clearance:
    person: str
    policy: str
    #: Every classification the clearance admits (a set, as in ADatP-4774 clearances).
    classifications: frozenset[str]
    nationality: str
    issuing_authority: str
    valid_from: date
    valid_until: date | None = None
    #: Category values held, as ``"Tag:value"`` keys (see `labels.category_key`).
    categories: frozenset[str] = frozenset()
    #: The level the clearance was granted at, for display (None for an explicit set).
    level: str | None = None
    id: str | None = None
    revoked_on: date | None = None
    #: ``"POLICY/CLASSIFICATION"`` for each classification (what decisions look up).
    level_tokens: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "level_tokens",
            frozenset(level_token(self.policy, c) for c in self.classifications),
        )
        if not self.classifications:
            raise InvalidInput(
                "a clearance needs at least one classification",
                location="classifications",
                code="clearance.invalid",
            )
        _window(self.valid_from, self.valid_until, self.revoked_on)

    @classmethod
    def up_to(
        cls,
        policy: Policy,
        level: str,
        *,
        person: str,
        nationality: str,
        issuing_authority: str,
        valid_from: date,
        valid_until: date | None = None,
        categories: Iterable[str] = (),
        id: str | None = None,
        revoked_on: date | None = None,
    ) -> Clearance:
        """A clearance at `level` of `policy`: that level and every lower one."""
        return cls(
            person=person,
            policy=policy.id,
            classifications=policy.at_or_below(level),
            nationality=nationality,
            issuing_authority=issuing_authority,
            valid_from=valid_from,
            valid_until=valid_until,
            categories=frozenset(parse_category_key(c) for c in categories),
            level=level,
            id=id,
            revoked_on=revoked_on,
        )

    @property
    def shown(self) -> str:
        """How a reason names the clearance: ``tam məxfi (AZE)``."""
        level = self.level or ", ".join(sorted(self.classifications))
        return f"{level} ({self.policy})" + (f" #{self.id}" if self.id else "")

    def valid_on(self, today: date) -> bool:
        return (
            self.valid_from <= today
            and (self.valid_until is None or today <= self.valid_until)
            and (self.revoked_on is None or today < self.revoked_on)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "person": self.person,
            "policy": self.policy,
            "level": self.level,
            "classifications": sorted(self.classifications),
            "categories": sorted(self.categories),
            "nationality": self.nationality,
            "issuing_authority": self.issuing_authority,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "revoked_on": self.revoked_on,
        }


@dataclass(frozen=True, slots=True)
class NeedToKnowGrant:
    person: str
    compartment: str
    granted_by: str
    valid_until: date | None
    reason: str
    valid_from: date | None = None
    id: str | None = None
    revoked_on: date | None = None
    #: The "Need To Know:compartment" value the grant makes its holder hold.
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "compartment", check_name(self.compartment, "compartment"))
        except NameProblem as exc:
            raise InvalidInput(
                f"invalid compartment {self.compartment!r}",
                location="compartment",
                reason=exc.reason,
                code="need_to_know.invalid",
            ) from None
        _window(self.valid_from, self.valid_until, self.revoked_on)
        object.__setattr__(self, "key", category_key(NEED_TO_KNOW, self.compartment))

    def valid_on(self, today: date) -> bool:
        return (
            (self.valid_from is None or self.valid_from <= today)
            and (self.valid_until is None or today <= self.valid_until)
            and (self.revoked_on is None or today < self.revoked_on)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "person": self.person,
            "compartment": self.compartment,
            "granted_by": self.granted_by,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "reason": self.reason,
            "revoked_on": self.revoked_on,
        }


@dataclass(frozen=True, slots=True, eq=False)
class Subject:
    """A person as an access decision sees them.

    `equivalences` are the tables used to read labels of other policies (first match wins, so
    put the agreement's own table first); `authorities` are the originators this person may
    act for when downgrading or declassifying (e.g. ``{"TUR"}`` for a Turkish security officer).
    Subjects compare by identity: each is a snapshot built for a decision or a batch of them.
    """

    person: str
    nationality: str
    clearances: tuple[Clearance, ...] = ()
    grants: tuple[NeedToKnowGrant, ...] = ()
    equivalences: tuple[Equivalence, ...] = ()
    authorities: frozenset[str] = frozenset()
    #: Per-day derived views (owned by the decision module).
    _views: dict[date, Any] = field(default_factory=dict, init=False, repr=False)
