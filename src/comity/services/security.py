"""Security in the database: schemes, equivalences, clearances, need-to-know, access questions.

This module owns every change to the `security_scheme`, `security_equivalence`,
`security_clearance` and `security_need_to_know_grant` tables, and builds the `Subject` a
decision judges from what is stored.

Invariants:
- Each change is one service call by an actor holding ``security_officer`` (checked first, with
  `authz.require_role`), and appends its audit leaf in the same transaction: ``scheme.load``,
  ``equivalence.load``, ``clearance.grant``, ``clearance.revoke``, ``need_to_know.grant``,
  ``need_to_know.revoke``. Loading a file that is already stored unchanged writes nothing.
- What is stored was validated by the pure domain first: a scheme can only be replaced if every
  stored equivalence and clearance still names existing levels, and an equivalence only names
  loaded schemes and levels.
- Clearances and grants are revoked, never deleted; a subject for a date sees exactly the
  records valid on that date (the domain's `valid_on`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.security.clearances import (
    Clearance,
    NeedToKnowGrant,
    Subject,
    parse_category_key,
)
from comity.domain.security.decision import AccessDecision, Action, decide
from comity.domain.security.labels import Label
from comity.domain.security.schemes import (
    Equivalence,
    Policy,
    equivalence_from_data,
    parse_equivalence,
    parse_policy,
    policy_from_data,
    translate,
)
from comity.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from comity.persistence.models.security import (
    ClearanceRecord,
    NeedToKnowGrantRecord,
    SecurityEquivalence,
    SecurityScheme,
)
from comity.persistence.repositories import security as repo
from comity.services import audit, authz

ROLE = "security_officer"
LoadStatus = Literal["created", "unchanged", "changed"]

_NATIONALITY = re.compile(r"[A-Z]{3}\Z")
_PERSON_MAX = 100


@dataclass(frozen=True, slots=True)
class LoadResult:
    id: str
    status: LoadStatus
    sha256: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status, "sha256": self.sha256}


def _now() -> datetime:
    return datetime.now(UTC)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Dates as ISO text, sets as sorted lists: what audit commitments can canonicalise."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, date):
            out[key] = value.isoformat()
        elif isinstance(value, set | frozenset):
            out[key] = sorted(value)
        else:
            out[key] = value
    return out


def _person(person: str) -> str:
    text = person.strip()
    if not text or len(text) > _PERSON_MAX or any(not ch.isprintable() for ch in text):
        raise InvalidInput(
            f"invalid person {person!r}",
            location="person",
            reason=f"1 to {_PERSON_MAX} printable characters",
        )
    return text


def _nationality(code: str) -> str:
    if not _NATIONALITY.match(code):
        raise InvalidInput(
            f"invalid nationality {code!r}",
            location="nationality",
            reason="an ISO 3166-1 alpha-3 code in capitals, e.g. AZE or TUR",
        )
    return code


def _text(value: str, what: str, limit: int = 1000) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise InvalidInput(f"invalid {what}", location=what, reason=f"1 to {limit} characters")
    return text


# --- schemes and equivalences ----------------------------------------------------------------


def policies(session: Session) -> dict[str, Policy]:
    return {
        row.id: policy_from_data(row.definition, source=f"scheme {row.id}")
        for row in repo.all_schemes(session)
    }


def get_policy(session: Session, policy_id: str) -> Policy:
    row = repo.scheme(session, policy_id)
    if row is None:
        raise NotFound(
            f"no classification scheme {policy_id!r}",
            reason="load it with `comity scheme load FILE`",
            code="scheme.not_found",
        )
    return policy_from_data(row.definition, source=f"scheme {row.id}")


def _equivalence(row: SecurityEquivalence) -> Equivalence:
    return equivalence_from_data(row.definition, source=f"equivalence {row.id}")


def all_equivalences(session: Session) -> list[Equivalence]:
    return [_equivalence(row) for row in repo.all_equivalences(session)]


def equivalences_in_force(
    session: Session, on: date, *, agreement: str | None = None
) -> tuple[Equivalence, ...]:
    """The tables decisions use on `on`: the agreement's own (if given), latest first."""
    rows = repo.equivalences_in_force(session, on, agreement=agreement)
    if agreement is not None and not rows:
        raise NotFound(
            f"no equivalence table of agreement {agreement!r} is in force on {on.isoformat()}",
            reason="load it with `comity equivalence load FILE`",
            code="equivalence.not_found",
        )
    return tuple(_equivalence(row) for row in rows)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_scheme(session: Session, actor: Actor, *, text: str, source: str) -> LoadResult:
    """Store (or replace) a classification scheme from the text of its TOML file."""
    policy = parse_policy(text, source=source)
    target = audit.Target("security_scheme", policy.id)
    authz.require_role(actor, ROLE, action="scheme.load", target=target)
    digest = _sha256(text)
    row = repo.scheme(session, policy.id)
    if row is not None and row.source_sha256 == digest:
        return LoadResult(policy.id, "unchanged", digest)
    definition = policy.as_data()
    if row is not None:
        _check_replacement(session, policy, source)
    before = row.definition if row is not None else None
    if row is None:
        row = SecurityScheme(id=policy.id)
        session.add(row)
    row.name = policy.name
    row.party = policy.party
    row.definition = definition
    row.source_sha256 = digest
    row.loaded_at = _now()
    session.flush()
    audit.record(
        session,
        actor,
        "scheme.load",
        target,
        {"before": before, "after": definition} if before else {"after": definition},
    )
    return LoadResult(policy.id, "changed" if before else "created", digest)


def _check_replacement(session: Session, policy: Policy, source: str) -> None:
    known = policies(session)
    known[policy.id] = policy
    for equivalence in all_equivalences(session):
        if policy.id in equivalence.policies:
            try:
                equivalence.check(known, source=f"equivalence {equivalence.id}")
            except InvalidInput as exc:
                raise Conflict(
                    f"{source} would break equivalence {equivalence.id}",
                    location=exc.location,
                    reason=exc.reason,
                    code="scheme.in_use",
                ) from None
    for record in repo.clearances(session):
        if record.policy_id == policy.id:
            missing = [c for c in record.classifications if not policy.has(c)]
            if missing:
                raise Conflict(
                    f"{source} drops {missing[0]!r}, held by clearance {record.id}",
                    location=f"clearance {record.id}",
                    reason="revoke or re-grant the clearance first",
                    code="scheme.in_use",
                )


def load_equivalence(session: Session, actor: Actor, *, text: str, source: str) -> LoadResult:
    """Store (or replace) an agreement's equivalence table from the text of its TOML file."""
    equivalence = parse_equivalence(text, source=source)
    target = audit.Target("security_equivalence", equivalence.id)
    authz.require_role(actor, ROLE, action="equivalence.load", target=target)
    equivalence.check(policies(session), source=source)
    digest = _sha256(text)
    row = repo.equivalence(session, equivalence.id)
    if row is not None and row.source_sha256 == digest:
        return LoadResult(equivalence.id, "unchanged", digest)
    definition = equivalence.as_data()
    before = row.definition if row is not None else None
    if row is None:
        row = SecurityEquivalence(id=equivalence.id)
        session.add(row)
    row.agreement = equivalence.agreement
    row.effective_from = equivalence.effective_from
    row.effective_until = equivalence.effective_until
    row.definition = definition
    row.source_sha256 = digest
    row.loaded_at = _now()
    session.flush()
    audit.record(
        session,
        actor,
        "equivalence.load",
        target,
        {"before": before, "after": definition} if before else {"after": definition},
    )
    return LoadResult(equivalence.id, "changed" if before else "created", digest)


# --- clearances ------------------------------------------------------------------------------


def _clearance(record: ClearanceRecord) -> Clearance:
    return Clearance(
        person=record.person,
        policy=record.policy_id,
        classifications=frozenset(record.classifications),
        nationality=record.nationality,
        issuing_authority=record.issuing_authority,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        categories=frozenset(record.categories),
        level=record.level,
        id=str(record.id),
        revoked_on=record.revoked_on,
    )


def grant_clearance(
    session: Session,
    actor: Actor,
    person: str,
    *,
    policy: str,
    nationality: str,
    issuing_authority: str,
    valid_from: date,
    level: str | None = None,
    classifications: Iterable[str] = (),
    categories: Iterable[str] = (),
    valid_until: date | None = None,
) -> Clearance:
    """Grant `person` a clearance at `level` (that level and every lower one) or for an
    explicit set of `classifications` of `policy`."""
    authz.require_role(actor, ROLE, action="clearance.grant", target=audit.Target("person", person))
    who = _person(person)
    scheme = get_policy(session, policy)
    explicit = frozenset(classifications)
    if (level is None) == (not explicit):
        raise InvalidInput(
            "give either a level or a set of classifications",
            location="level",
            reason="a clearance is a level (and every lower one) or an explicit set",
        )
    if level is not None:
        covered = scheme.at_or_below(level)
    else:
        for name in explicit:
            scheme.classification(name)
        covered = explicit
    clearance = Clearance(
        person=who,
        policy=scheme.id,
        classifications=covered,
        nationality=_nationality(nationality),
        issuing_authority=_text(issuing_authority, "issuing_authority", 200),
        valid_from=valid_from,
        valid_until=valid_until,
        categories=frozenset(parse_category_key(c) for c in categories),
        level=level,
    )
    record = ClearanceRecord(
        person=clearance.person,
        policy_id=clearance.policy,
        level=clearance.level,
        classifications=sorted(clearance.classifications),
        categories=sorted(clearance.categories),
        nationality=clearance.nationality,
        issuing_authority=clearance.issuing_authority,
        valid_from=clearance.valid_from,
        valid_until=clearance.valid_until,
        granted_by=actor.person,
        granted_at=_now(),
    )
    session.add(record)
    session.flush()
    granted = _clearance(record)
    audit.record(
        session,
        actor,
        "clearance.grant",
        audit.Target("clearance", str(record.id)),
        {"after": _jsonable(granted.as_dict())},
    )
    return granted


def revoke_clearance(
    session: Session, actor: Actor, clearance_id: int, *, on: date, reason: str
) -> Clearance:
    """Revoke a clearance from `on` (the first day it no longer counts)."""
    target = audit.Target("clearance", str(clearance_id))
    authz.require_role(actor, ROLE, action="clearance.revoke", target=target)
    record = repo.clearance(session, clearance_id)
    if record is None:
        raise NotFound(f"no clearance {clearance_id}", code="clearance.not_found")
    if record.revoked_on is not None:
        raise InvalidTransition(
            f"clearance {clearance_id} is already revoked",
            reason=f"revoked on {record.revoked_on.isoformat()}",
            code="clearance.already_revoked",
        )
    if on < record.valid_from:
        raise InvalidInput(
            f"cannot revoke clearance {clearance_id} before it starts",
            location="on",
            reason=f"it is valid from {record.valid_from.isoformat()}",
        )
    before = _jsonable(_clearance(record).as_dict())
    record.revoked_on = on
    record.revocation_reason = _text(reason, "reason")
    session.flush()
    after = _clearance(record)
    audit.record(
        session,
        actor,
        "clearance.revoke",
        target,
        {"before": before, "after": _jsonable(after.as_dict())},
    )
    return after


def list_clearances(session: Session, *, person: str | None = None) -> list[Clearance]:
    return [_clearance(record) for record in repo.clearances(session, person=person)]


# --- need-to-know ----------------------------------------------------------------------------


def _grant(record: NeedToKnowGrantRecord) -> NeedToKnowGrant:
    return NeedToKnowGrant(
        person=record.person,
        compartment=record.compartment,
        granted_by=record.granted_by,
        valid_until=record.valid_until,
        reason=record.reason,
        valid_from=record.valid_from,
        id=str(record.id),
        revoked_on=record.revoked_on,
    )


def add_need_to_know(
    session: Session,
    actor: Actor,
    person: str,
    *,
    compartment: str,
    reason: str,
    valid_from: date,
    valid_until: date | None = None,
) -> NeedToKnowGrant:
    """Give `person` need-to-know for `compartment`, granted by the acting person."""
    authz.require_role(
        actor, ROLE, action="need_to_know.grant", target=audit.Target("person", person)
    )
    grant = NeedToKnowGrant(
        person=_person(person),
        compartment=compartment,
        granted_by=actor.person,
        valid_until=valid_until,
        reason=_text(reason, "reason"),
        valid_from=valid_from,
    )
    record = NeedToKnowGrantRecord(
        person=grant.person,
        compartment=grant.compartment,
        granted_by=grant.granted_by,
        valid_from=valid_from,
        valid_until=valid_until,
        reason=grant.reason,
        granted_at=_now(),
    )
    session.add(record)
    session.flush()
    stored = _grant(record)
    audit.record(
        session,
        actor,
        "need_to_know.grant",
        audit.Target("need_to_know_grant", str(record.id)),
        {"after": _jsonable(stored.as_dict())},
    )
    return stored


def revoke_need_to_know(
    session: Session, actor: Actor, grant_id: int, *, on: date, reason: str
) -> NeedToKnowGrant:
    target = audit.Target("need_to_know_grant", str(grant_id))
    authz.require_role(actor, ROLE, action="need_to_know.revoke", target=target)
    record = repo.grant(session, grant_id)
    if record is None:
        raise NotFound(f"no need-to-know grant {grant_id}", code="need_to_know.not_found")
    if record.revoked_on is not None:
        raise InvalidTransition(
            f"need-to-know grant {grant_id} is already revoked",
            reason=f"revoked on {record.revoked_on.isoformat()}",
            code="need_to_know.already_revoked",
        )
    before = _jsonable(_grant(record).as_dict())
    record.revoked_on = on
    record.revocation_reason = _text(reason, "reason")
    session.flush()
    after = _grant(record)
    audit.record(
        session,
        actor,
        "need_to_know.revoke",
        target,
        {"before": before, "after": _jsonable(after.as_dict())},
    )
    return after


def list_grants(session: Session, *, person: str | None = None) -> list[NeedToKnowGrant]:
    return [_grant(record) for record in repo.grants(session, person=person)]


# --- subjects and access questions -----------------------------------------------------------


def build_subject(
    session: Session,
    person: str,
    *,
    on: date,
    agreement: str | None = None,
    authorities: Sequence[str] = (),
    nationality: str | None = None,
) -> Subject:
    """The person as decisions on `on` see them: every stored clearance and grant (the domain
    judges validity), the equivalence tables in force, and the originators they act for.

    The nationality is the one given, else that of the person's latest clearance valid on `on`
    (else their latest clearance)."""
    clearances = tuple(list_clearances(session, person=person))
    grants = tuple(list_grants(session, person=person))
    if nationality is None:
        valid = [c for c in clearances if c.valid_on(on)] or list(clearances)
        nationality = valid[-1].nationality if valid else ""
    else:
        nationality = _nationality(nationality)
    return Subject(
        person=person,
        nationality=nationality,
        clearances=clearances,
        grants=grants,
        equivalences=equivalences_in_force(session, on, agreement=agreement),
        authorities=frozenset(authorities),
    )


def explain_access(
    session: Session,
    person: str,
    label: Label,
    *,
    today: date,
    action: Action | str = Action.READ,
    agreement: str | None = None,
    authorities: Sequence[str] = (),
) -> AccessDecision:
    """The decision for `person` on `label` and every reason for it (a read: nothing changes)."""
    get_policy(session, label.policy).validate(label)
    subject = build_subject(session, person, on=today, agreement=agreement, authorities=authorities)
    return decide(subject, label, action, today=today)


def translate_label(
    session: Session, label: Label, to_policy: str, *, on: date, agreement: str | None = None
) -> Label:
    """The label under `to_policy`, by the equivalence table in force on `on`."""
    get_policy(session, label.policy).validate(label)
    target = get_policy(session, to_policy)
    return translate(
        label, target, on=on, equivalences=equivalences_in_force(session, on, agreement=agreement)
    )


def marking(
    session: Session,
    label: Label,
    *,
    on: date,
    in_policy: str | None = None,
    agreement: str | None = None,
) -> str:
    """The display marking, in `in_policy`'s language when given (translated first)."""
    if in_policy is not None and in_policy != label.policy:
        label = translate_label(session, label, in_policy, on=on, agreement=agreement)
    return get_policy(session, label.policy).marking(label)
