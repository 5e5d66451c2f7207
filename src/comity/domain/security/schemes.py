"""Classification schemes (policies) and per-agreement equivalence tables, read from TOML data.

A `Policy` (alias `ClassificationScheme`) is a policy identifier with ordered classifications:
a higher hierarchy number is more sensitive. An `Equivalence` belongs to one agreement, has an
effective date, and lists rows of equivalent classifications across policies; a policy missing
from a row is a gap ("no equivalent"), and a label that falls in a gap cannot be translated.

Invariants this module protects:

* Classification names and hierarchy numbers are unique within a policy, so `rank` is a total
  order on its classifications and the label algebra is well defined.
* An equivalence only names classifications of the policies it lists, each at most once per
  policy; and it uses a retired classification (Turkey's ÖZEL after 26 April 2022) only if the
  agreement was signed before the classification was retired.
* A scheme or equivalence file that does not meet these rules is refused with the file, the
  field (``classification[2].hierarchy``) or line and column, and the reason.

Pure: the caller reads the file and passes its text; nothing here touches the disk or clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from comity.domain.kernel.toml_input import load_toml
from comity.domain.security.labels import (
    RELEASABLE_TO,
    Label,
    NameProblem,
    TagType,
    check_name,
)
from comity.errors import InvalidInput

__all__ = [
    "Classification",
    "ClassificationScheme",
    "Equivalence",
    "Policy",
    "equivalence_from_data",
    "parse_equivalence",
    "parse_policy",
    "policy_from_data",
    "translate",
]

DEFAULT_SEPARATOR: Final = " — "
DEFAULT_RELEASABLE_TO: Final = "Releasable to"


def _bad(source: str, where: str, reason: str, *, code: str = "scheme.invalid") -> InvalidInput:
    location = f"{source}: {where}" if where else source
    return InvalidInput(f"invalid data in {source}", location=location, reason=reason, code=code)


def _field(
    data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], source: str, where: str
) -> Any:
    if key not in data:
        raise _bad(source, f"{where}.{key}" if where else key, "missing")
    value = data[key]
    # bool is an int in Python; a hierarchy of `true` is a mistake, not the number 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise _bad(source, f"{where}.{key}" if where else key, f"expected {names}")
    return value


def _optional(data: Mapping[str, Any], key: str, kind: type, source: str, where: str) -> Any | None:
    return _field(data, key, kind, source, where) if key in data else None


def _name(value: str, what: str, source: str, where: str, forbidden: str = "") -> str:
    try:
        return check_name(value, what, forbidden)
    except NameProblem as exc:
        raise _bad(source, where, exc.reason) from None


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = _field(data, key, dict, source, "")
    assert isinstance(value, dict)
    return value


def _tables(data: Mapping[str, Any], key: str, source: str) -> list[Mapping[str, Any]]:
    value = _field(data, key, list, source, "")
    if not value:
        raise _bad(source, key, "needs at least one entry")
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise _bad(source, f"{key}[{index}]", "expected a table ([[...]])")
    return list(value)


def _unknown_keys(data: Mapping[str, Any], allowed: Iterable[str], source: str, where: str) -> None:
    extra = sorted(set(data) - set(allowed))
    if extra:
        # A misspelt key would otherwise be silently ignored (e.g. `retierd_on`).
        raise _bad(source, f"{where}.{extra[0]}" if where else extra[0], "unknown key")


@dataclass(frozen=True, slots=True)
class Classification:
    name: str
    hierarchy: int
    #: How the level is written on a document (e.g. "TAM MƏXFİ" for "tam məxfi").
    marking: str
    #: The day the level stopped being national; only agreements signed before may use it.
    retired_on: date | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Policy:
    """A classification scheme: policy id, classifications (highest first), marking phrases."""

    id: str
    name: str
    classifications: tuple[Classification, ...]
    party: str | None = None
    language: str = "en"
    releasable_to: str = DEFAULT_RELEASABLE_TO
    separator: str = DEFAULT_SEPARATOR
    _by_name: dict[str, Classification] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.classifications, key=lambda c: -c.hierarchy))
        object.__setattr__(self, "classifications", ordered)
        object.__setattr__(self, "_by_name", {c.name: c for c in ordered})

    def __hash__(self) -> int:
        return hash((self.id, self.classifications))

    def has(self, classification: str) -> bool:
        return classification in self._by_name

    def classification(self, name: str) -> Classification:
        try:
            return self._by_name[name]
        except KeyError:
            raise InvalidInput(
                f"{name!r} is not a classification of policy {self.id}",
                location="classification",
                reason=f"known: {', '.join(c.name for c in self.classifications)}",
                code="label.unknown_classification",
            ) from None

    def rank(self, classification: str) -> int:
        return self.classification(classification).hierarchy

    def at_or_below(self, name: str) -> frozenset[str]:
        """The classifications a clearance at `name` covers (its level and every lower one)."""
        top = self.rank(name)
        return frozenset(c.name for c in self.classifications if c.hierarchy <= top)

    def validate(self, label: Label) -> Label:
        """Raise InvalidInput unless `label` is under this policy with one of its levels."""
        if label.policy != self.id:
            raise InvalidInput(
                f"label {label} is not under policy {self.id}",
                location="label",
                code="label.policy_mismatch",
            )
        self.classification(label.classification)
        return label

    def marking(self, label: Label) -> str:
        """The display marking in this policy's language: ``GİZLİ — Releasable to AZE, TUR``.

        Restrictive values follow the classification; then "Releasable to" countries; then other
        permissive tags and informative values, each after the separator."""
        self.validate(label)
        head = [self.classification(label.classification).marking]
        releasable: list[str] = []
        permissive: list[str] = []
        notes: list[str] = []
        for category in label.categories:
            values = ", ".join(category.values)
            if category.type is TagType.RESTRICTIVE:
                head.extend(category.values)
            elif category.tag == RELEASABLE_TO:
                releasable.append(f"{self.releasable_to} {values}")
            elif category.type is TagType.PERMISSIVE:
                permissive.append(f"{category.tag}: {values}")
            else:
                notes.append(values)
        tail = releasable + permissive + notes
        return self.separator.join([" ".join(head), *tail])

    def as_data(self) -> dict[str, Any]:
        """The policy as plain data (what `policy_from_data` reads back; stored as JSON)."""
        policy: dict[str, Any] = {"id": self.id, "name": self.name, "language": self.language}
        if self.party:
            policy["party"] = self.party
        classifications = []
        for c in self.classifications:
            entry: dict[str, Any] = {"name": c.name, "hierarchy": c.hierarchy, "marking": c.marking}
            if c.retired_on:
                entry["retired_on"] = c.retired_on.isoformat()
            if c.note:
                entry["note"] = c.note
            classifications.append(entry)
        return {
            "policy": policy,
            "marking": {"releasable_to": self.releasable_to, "separator": self.separator},
            "classification": classifications,
        }


ClassificationScheme = Policy


def _as_date(value: Any, source: str, where: str) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _bad(source, where, "expected a date (YYYY-MM-DD)")


def policy_from_data(data: Mapping[str, Any], *, source: str = "scheme") -> Policy:
    """Build a policy from parsed TOML (or stored JSON); refuse anything malformed."""
    _unknown_keys(data, ("policy", "marking", "classification"), source, "")
    head = _table(data, "policy", source)
    _unknown_keys(head, ("id", "name", "party", "language"), source, "policy")
    policy_id = _name(
        _field(head, "id", str, source, "policy"), "policy", source, "policy.id", ":/"
    )
    name = _field(head, "name", str, source, "policy")
    party = _optional(head, "party", str, source, "policy")
    language = _optional(head, "language", str, source, "policy") or "en"
    marking = data.get("marking", {})
    if not isinstance(marking, dict):
        raise _bad(source, "marking", "expected a table")
    _unknown_keys(marking, ("releasable_to", "separator"), source, "marking")
    releasable_to = _optional(marking, "releasable_to", str, source, "marking")
    separator = _optional(marking, "separator", str, source, "marking")
    classifications: list[Classification] = []
    names: dict[str, int] = {}
    ranks: dict[int, int] = {}
    for index, entry in enumerate(_tables(data, "classification", source), start=1):
        where = f"classification[{index}]"
        _unknown_keys(entry, ("name", "hierarchy", "marking", "retired_on", "note"), source, where)
        level = _name(
            _field(entry, "name", str, source, where),
            "classification",
            source,
            f"{where}.name",
            ":",
        )
        hierarchy = _field(entry, "hierarchy", int, source, where)
        if level in names:
            raise _bad(
                source, f"{where}.name", f"{level!r} is already classification[{names[level]}]"
            )
        if hierarchy in ranks:
            raise _bad(
                source,
                f"{where}.hierarchy",
                f"{hierarchy} is already used by classification[{ranks[hierarchy]}]",
            )
        names[level] = index
        ranks[hierarchy] = index
        shown = _optional(entry, "marking", str, source, where) or level
        retired = entry.get("retired_on")
        classifications.append(
            Classification(
                name=level,
                hierarchy=hierarchy,
                marking=_name(shown, "marking", source, f"{where}.marking"),
                retired_on=_as_date(retired, source, f"{where}.retired_on") if retired else None,
                note=_optional(entry, "note", str, source, where) or "",
            )
        )
    return Policy(
        id=policy_id,
        name=name,
        classifications=tuple(classifications),
        party=party,
        language=language,
        releasable_to=releasable_to or DEFAULT_RELEASABLE_TO,
        separator=separator if separator is not None else DEFAULT_SEPARATOR,
    )


def parse_policy(text: str, *, source: str = "scheme.toml") -> Policy:
    """Parse a scheme file (see examples/security/*.toml)."""
    return policy_from_data(load_toml(text, source=source, code="scheme.invalid"), source=source)


# --- equivalence -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Equivalence:
    """One agreement's table of equivalent classifications, in force from `effective_from`."""

    id: str
    agreement: str
    policies: tuple[str, ...]
    #: Each row maps policy id → classification; a policy absent from a row is a gap.
    rows: tuple[tuple[tuple[str, str], ...], ...]
    effective_from: date
    effective_until: date | None = None
    signed: date | None = None
    article: str = ""
    _map: dict[tuple[str, str, str], str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[tuple[str, str, str], str | None] = {}
        for row in self.rows:
            cells = dict(row)
            for source, level in cells.items():
                for target in self.policies:
                    if target != source:
                        lookup[(source, level, target)] = cells.get(target)
        object.__setattr__(self, "_map", lookup)

    def __hash__(self) -> int:
        return hash((self.id, self.effective_from))

    def in_force(self, on: date) -> bool:
        if on < self.effective_from:
            return False
        return self.effective_until is None or on <= self.effective_until

    def covers(self, one: str, other: str) -> bool:
        return one in self.policies and other in self.policies

    def equivalent(self, policy: str, classification: str, to_policy: str) -> str | None:
        """The equivalent level in `to_policy`, or None for a gap (or a level not in the table)."""
        if policy == to_policy:
            return classification
        return self._map.get((policy, classification, to_policy))

    def translate(self, label: Label, to_policy: str, *, on: date) -> Label:
        """The label under `to_policy` (categories kept); InvalidInput if it cannot be."""
        if not self.in_force(on):
            raise InvalidInput(
                f"equivalence {self.id} is not in force on {on.isoformat()}",
                location=f"equivalence {self.id}",
                reason=f"in force from {self.effective_from.isoformat()}"
                + (f" until {self.effective_until.isoformat()}" if self.effective_until else ""),
                code="security.equivalence_not_in_force",
            )
        if not self.covers(label.policy, to_policy):
            raise InvalidInput(
                f"equivalence {self.id} does not relate {label.policy} and {to_policy}",
                location=f"equivalence {self.id}",
                reason=f"it covers {', '.join(self.policies)}",
                code="security.no_equivalence",
            )
        level = self.equivalent(label.policy, label.classification, to_policy)
        if level is None:
            raise InvalidInput(
                f"no equivalent for {label.classification} in the {to_policy} scheme",
                location=f"equivalence {self.id}",
                reason="the agreement's table has a gap here: the label cannot be released "
                "to that party",
                code="security.no_equivalent",
            )
        return label.with_classification(to_policy, level)

    def check(self, policies: Mapping[str, Policy], *, source: str = "equivalence") -> None:
        """Refuse a table that names unknown policies or levels, or a retired level in an
        agreement signed after the retirement."""
        for policy_id in self.policies:
            if policy_id not in policies:
                raise _bad(
                    source,
                    "equivalence.policies",
                    f"unknown policy {policy_id!r}; load its scheme first",
                )
        for index, row in enumerate(self.rows, start=1):
            for policy_id, level in row:
                where = f"level[{index}].{policy_id}"
                policy = policies[policy_id]
                if not policy.has(level):
                    raise _bad(source, where, f"{level!r} is not a classification of {policy_id}")
                retired = policy.classification(level).retired_on
                if retired and (self.signed is None or self.signed >= retired):
                    raise _bad(
                        source,
                        where,
                        f"{level} was retired on {retired.isoformat()}; only agreements signed "
                        "before then may use it"
                        + ("" if self.signed else " (give equivalence.signed)"),
                    )

    def as_data(self) -> dict[str, Any]:
        head: dict[str, Any] = {
            "id": self.id,
            "agreement": self.agreement,
            "policies": list(self.policies),
            "effective_from": self.effective_from.isoformat(),
        }
        if self.effective_until:
            head["effective_until"] = self.effective_until.isoformat()
        if self.signed:
            head["signed"] = self.signed.isoformat()
        if self.article:
            head["article"] = self.article
        return {"equivalence": head, "level": [dict(row) for row in self.rows]}


def equivalence_from_data(data: Mapping[str, Any], *, source: str = "equivalence") -> Equivalence:
    _unknown_keys(data, ("equivalence", "level"), source, "")
    head = _table(data, "equivalence", source)
    _unknown_keys(
        head,
        ("id", "agreement", "policies", "effective_from", "effective_until", "signed", "article"),
        source,
        "equivalence",
    )
    ident = _name(_field(head, "id", str, source, "equivalence"), "id", source, "equivalence.id")
    agreement = _field(head, "agreement", str, source, "equivalence")
    policies = _field(head, "policies", list, source, "equivalence")
    if len(policies) < 2 or not all(isinstance(p, str) for p in policies):
        raise _bad(source, "equivalence.policies", "expected two or more policy ids")
    if len(set(policies)) != len(policies):
        raise _bad(source, "equivalence.policies", "a policy is listed twice")
    effective_from = _as_date(
        _field(head, "effective_from", (date, str), source, "equivalence"),
        source,
        "equivalence.effective_from",
    )
    until = head.get("effective_until")
    signed = head.get("signed")
    rows: list[tuple[tuple[str, str], ...]] = []
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(_tables(data, "level", source), start=1):
        cells: list[tuple[str, str]] = []
        for policy_id, level in entry.items():
            where = f"level[{index}].{policy_id}"
            if policy_id not in policies:
                raise _bad(source, where, "policy not listed in equivalence.policies")
            if not isinstance(level, str):
                raise _bad(source, where, "expected a classification name")
            level = _name(level, "classification", source, where, ":")
            if (policy_id, level) in seen:
                raise _bad(
                    source, where, f"{level!r} is already in level[{seen[(policy_id, level)]}]"
                )
            seen[(policy_id, level)] = index
            cells.append((policy_id, level))
        if len(cells) < 2:
            raise _bad(source, f"level[{index}]", "a row needs levels of at least two policies")
        rows.append(tuple(sorted(cells)))
    return Equivalence(
        id=ident,
        agreement=agreement,
        policies=tuple(policies),
        rows=tuple(rows),
        effective_from=effective_from,
        effective_until=_as_date(until, source, "equivalence.effective_until") if until else None,
        signed=_as_date(signed, source, "equivalence.signed") if signed else None,
        article=_optional(head, "article", str, source, "equivalence") or "",
    )


def parse_equivalence(text: str, *, source: str = "equivalence.toml") -> Equivalence:
    """Parse an equivalence file (see examples/security/*-equivalence.toml)."""
    return equivalence_from_data(
        load_toml(text, source=source, code="scheme.invalid"), source=source
    )


def translate(
    label: Label, to_policy: str | Policy, *, on: date, equivalences: Sequence[Equivalence]
) -> Label:
    """Translate `label` with the first equivalence in force on `on` that relates both
    policies (callers order them: the agreement's own table first)."""
    target = to_policy.id if isinstance(to_policy, Policy) else to_policy
    if label.policy == target:
        return label
    for equivalence in equivalences:
        if equivalence.in_force(on) and equivalence.covers(label.policy, target):
            return equivalence.translate(label, target, on=on)
    raise InvalidInput(
        f"no equivalence in force on {on.isoformat()} relates {label.policy} and {target}",
        location="equivalence",
        reason="load the agreement's equivalence table",
        code="security.no_equivalence",
    )
