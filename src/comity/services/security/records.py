"""What clearances and need-to-know grants share: dated records of a person, checked alike on
the way in, and granted and revoked by one implementation (`DatedRecords`).

Invariants:
- Every change to the security records requires ``security_officer`` (`ROLE`), checked first.
- A record is granted with its ``<subject>.grant`` leaf, and revoked, never deleted: from `on`
  (the first day it no longer counts, never before the record starts) with a reason, once; the
  revocation appends its ``<subject>.revoke`` leaf with the record's state before and after.
  Each leaf is appended in the same transaction as the change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Generic, TypeVar

from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.errors import InvalidInput, InvalidTransition, NotFound
from comity.persistence.models.security import ClearanceRecord, NeedToKnowGrantRecord
from comity.services import audit, kernel

ROLE: Final = "security_officer"

_NATIONALITY = re.compile(r"[A-Z]{3}\Z")
_PERSON_MAX = 100


def checked_person(person: str) -> str:
    text = person.strip()
    if not text or len(text) > _PERSON_MAX or any(not ch.isprintable() for ch in text):
        raise InvalidInput(
            f"invalid person {person!r}",
            location="person",
            reason=f"1 to {_PERSON_MAX} printable characters",
        )
    return text


def checked_nationality(code: str) -> str:
    if not _NATIONALITY.match(code):
        raise InvalidInput(
            f"invalid nationality {code!r}",
            location="nationality",
            reason="an ISO 3166-1 alpha-3 code in capitals, e.g. AZE or TUR",
        )
    return code


def bounded_text(value: str, what: str, limit: int = 1000) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise InvalidInput(f"invalid {what}", location=what, reason=f"1 to {limit} characters")
    return text


#: A stored dated record: a clearance or a need-to-know grant.
R = TypeVar("R", ClearanceRecord, NeedToKnowGrantRecord)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class DatedRecords(Generic[R, V]):
    """One kind of dated record, granted and revoked: how it is named in the audit log
    (`target_type`), in messages (`noun`) and in actions and error codes (`subject`); how it
    is read (`load`), made the domain value returned (`value_of`), and committed (`as_dict`)."""

    target_type: str
    noun: str
    subject: str
    load: Callable[[Session, int], R | None]
    value_of: Callable[[R], V]
    as_dict: Callable[[V], dict[str, Any]]

    def grant(self, session: Session, actor: Actor, record: R) -> V:
        """Store the new `record` (its checks done by the caller) and append its leaf."""
        session.add(record)
        session.flush()
        granted = self.value_of(record)
        audit.record(
            session,
            actor,
            f"{self.subject}.grant",
            audit.Target(self.target_type, str(record.id)),
            {"after": self.as_dict(granted)},
        )
        return granted

    def revoke(self, session: Session, actor: Actor, record_id: int, *, on: date, reason: str) -> V:
        """Revoke the record `record_id` from `on` (see the module docstring)."""
        target = audit.Target(self.target_type, str(record_id))
        action = f"{self.subject}.revoke"
        kernel.require_role(actor, ROLE, action=action, target=target)
        record = self.load(session, record_id)
        if record is None:
            raise NotFound(f"no {self.noun} {record_id}", code=f"{self.subject}.not_found")
        if record.revoked_on is not None:
            raise InvalidTransition(
                f"{self.noun} {record_id} is already revoked",
                reason=f"revoked on {record.revoked_on.isoformat()}",
                code=f"{self.subject}.already_revoked",
            )
        if on < record.valid_from:
            raise InvalidInput(
                f"cannot revoke {self.noun} {record_id} before it starts",
                location="on",
                reason=f"it is valid from {record.valid_from.isoformat()}",
            )
        before = self.as_dict(self.value_of(record))
        record.revoked_on = on
        record.revocation_reason = bounded_text(reason, "reason")
        session.flush()
        after = self.value_of(record)
        audit.record(
            session, actor, action, target, {"before": before, "after": self.as_dict(after)}
        )
        return after
