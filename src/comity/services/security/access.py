"""Access questions: the subject a decision judges, the decision and its reasons, labels
translated and marked. Reads only: nothing here changes a record.

Invariant: a subject for a date holds every stored clearance and grant of the person (the domain
judges which are valid that day) and the equivalence tables in force that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from comity.domain.security.clearances import Subject
from comity.domain.security.decision import AccessDecision, Action, decide
from comity.domain.security.labels import Label
from comity.domain.security.schemes import translate
from comity.services.security.clearances import list_clearances
from comity.services.security.definitions import equivalences_in_force, get_policy
from comity.services.security.need_to_know import list_grants
from comity.services.security.records import checked_nationality


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
        nationality = checked_nationality(nationality)
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
