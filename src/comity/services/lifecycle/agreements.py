"""Agreements in the database: import from the exchange file, list them, their derived state.

This module owns every change to the `agreement` table, the questions asked of one agreement
or all of them (state on a date, the spec with its recorded events, the listing), and the
parsed-spec cache every lifecycle service reads through.

Invariants:
- The lifecycle state is never stored: it is recomputed by the pure engine from the stored file
  text plus the events recorded since, for whatever date is asked (`state_on`).
- An import appends its audit leaf (`agreement.import`, `agreement.update`) in the same
  transaction, after `require_role(actor, "treaty_officer", …, scope=<agreement id>)` (a role
  scoped to another agreement does not count); an import that changes nothing writes nothing.
- A stored file is parsed once per process and text: parsed specs are cached by the text's
  SHA-256 (`spec_of`), which every writer of `source_text` keeps in `source_sha256`; a new text
  has a new hash, so a cached spec is never stale. Specs are frozen, so readers share them.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from difflib import SequenceMatcher
from types import MappingProxyType
from typing import Any, Final, Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.kernel.text import checked_text
from comity.domain.lifecycle.agreement_file import parse_agreement, parse_event, spec_to_dict
from comity.domain.lifecycle.engine import evaluate
from comity.domain.lifecycle.model import AgreementSpec, Event
from comity.domain.lifecycle.state import LifecycleState
from comity.errors import Conflict, IntegrityFailure, InvalidInput, NotFound
from comity.persistence.models.lifecycle import Agreement, AgreementEvent
from comity.persistence.repositories import lifecycle as repo
from comity.services import audit, kernel

ROLE = "treaty_officer"

#: Distinct agreement files whose parsed spec is kept (a spec is a few kilobytes). Reads over
#: more distinct files than this, in a cycle, miss every time (least recently used goes first).
SPEC_CACHE_SIZE: Final = 1024

ImportStatus = Literal["created", "unchanged", "changed"]
ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One difference between the stored and the imported agreement, at a field path of the
    file's shape (``term.initial``, ``events[3].date``). Removed list items carry their index in
    the old list, added ones their index in the new list."""

    path: str
    kind: ChangeKind
    before: Any = None
    after: Any = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class ImportResult:
    agreement_id: str
    status: ImportStatus
    sha256: str
    previous_sha256: str | None = None
    changes: tuple[FieldChange, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.agreement_id,
            "status": self.status,
            "sha256": self.sha256,
            "previous_sha256": self.previous_sha256,
            "changes": [change.to_json() for change in self.changes],
        }


@dataclass(frozen=True, slots=True)
class AgreementOverview:
    """An agreement as listed: what it is, and its derived status and next deadline on a date."""

    agreement_id: str
    title: Mapping[str, str]
    parties: tuple[str, ...]
    kind: str
    sha256: str
    as_of: date
    status: str
    next_deadline: Mapping[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.agreement_id,
            "title": dict(self.title),
            "parties": list(self.parties),
            "kind": self.kind,
            "sha256": self.sha256,
            "as_of": self.as_of.isoformat(),
            "status": self.status,
            "next_deadline": None if self.next_deadline is None else dict(self.next_deadline),
        }


def import_agreement(
    session: Session, actor: Actor, *, text: str, source: str, now: datetime | None = None
) -> ImportResult:
    """Store the agreement file `text` (named `source` in errors), idempotently by its id.

    Same text: "unchanged", nothing written. Different text: the stored text is replaced and the
    result lists what changed, field by field, in the parsed agreement.
    """
    checked_text(source, location="source")
    checked_text(text, location=source)
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    spec = _parsed(_StoredText(sha256, text, source))
    target = audit.Target("agreement", spec.id)
    existing = repo.get(session, spec.id)
    action = "agreement.import" if existing is None else "agreement.update"
    # Scoped by the agreement's id whether it is new or not: a role for agreement A lets its
    # holder import A (and update it), never another agreement.
    kernel.require_role(actor, ROLE, action=action, target=target, scope=spec.id)
    moment = kernel.utc_now(now)
    after = {"sha256": sha256, "agreement": spec_to_dict(spec)}

    if existing is None:
        session.add(
            Agreement(
                id=spec.id,
                title=dict(spec.title),
                parties=list(spec.parties),
                kind=spec.kind,
                source_name=source,
                source_text=text,
                source_sha256=sha256,
                imported_at=moment,
                updated_at=moment,
            )
        )
        try:
            session.flush()
        except IntegrityError as exc:
            # Another transaction imported the same id since we looked (PostgreSQL; on SQLite
            # writers are serialised by BEGIN IMMEDIATE): retrying makes it an update.
            raise Conflict(
                f"agreement {spec.id!r} was imported at the same time by someone else",
                location=source,
                reason="run the import again",
                code="agreement.concurrent_import",
            ) from exc
        audit.record(session, actor, action, target, {"after": after}, now=moment)
        return ImportResult(spec.id, "created", sha256)

    if existing.source_sha256 == sha256:
        return ImportResult(spec.id, "unchanged", sha256, previous_sha256=sha256)

    old_spec = spec_of(existing)
    before = {"sha256": existing.source_sha256, "agreement": spec_to_dict(old_spec)}
    changes = diff(before["agreement"], after["agreement"])
    # Facts recorded since the last import must still make sense under the new rules
    # (a party removed from the file would orphan its recorded notices).
    for row in repo.events_of(session, spec.id):
        parse_recorded(row, spec, purpose="the new file")
    previous = existing.source_sha256
    existing.title = dict(spec.title)
    existing.parties = list(spec.parties)
    existing.kind = spec.kind
    existing.source_name = source
    existing.source_text = text
    existing.source_sha256 = sha256
    existing.updated_at = moment
    session.flush()
    audit.record(session, actor, action, target, {"before": before, "after": after}, now=moment)
    return ImportResult(spec.id, "changed", sha256, previous_sha256=previous, changes=changes)


def state_on(session: Session, agreement_id: str, *, as_of: date) -> LifecycleState:
    """The derived state on `as_of`, from the stored file and the events recorded since."""
    agreement = find_agreement(session, agreement_id)
    spec = spec_of(agreement)
    return evaluate_recorded(spec, repo.events_of(session, agreement_id), as_of)


def get_spec(session: Session, agreement_id: str) -> AgreementSpec:
    """The stored agreement as parsed from its file, with the recorded events appended."""
    agreement = find_agreement(session, agreement_id)
    spec = spec_of(agreement)
    recorded = tuple(parse_recorded(r, spec) for r in repo.events_of(session, agreement_id))
    return spec.with_events(recorded)


def list_agreements(session: Session, *, as_of: date) -> list[AgreementOverview]:
    """Every agreement, by id, with its status and next deadline on `as_of` (evaluates each:
    for one agreement use `get_overview`, for titles alone `titles`)."""
    grouped = repo.events_by_agreement(session)
    return [
        _overview(agreement, grouped.get(agreement.id, []), as_of)
        for agreement in repo.all_agreements(session)
    ]


def get_overview(session: Session, agreement_id: str, *, as_of: date) -> AgreementOverview:
    """One agreement as `list_agreements` lists it, evaluating that agreement alone."""
    agreement = find_agreement(session, agreement_id)
    return _overview(agreement, repo.events_of(session, agreement_id), as_of)


def titles(session: Session) -> dict[str, dict[str, str]]:
    """Every agreement's title by id (one query; nothing is parsed or evaluated)."""
    return repo.titles(session)


def display_title(title: Mapping[str, str]) -> str:
    """The title to show people: English if the file has it, else its first language."""
    if "en" in title:
        return title["en"]
    return next(iter(title.values()), "")


def diff(before: Any, after: Any, path: str = "") -> tuple[FieldChange, ...]:
    """The differences between two JSON-able values of the agreement file's shape."""
    out: list[FieldChange] = []
    _diff(before, after, path, out)
    return tuple(out)


def _diff(before: Any, after: Any, path: str, out: list[FieldChange]) -> None:
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in after:
                out.append(FieldChange(sub, "removed", before=before[key]))
            elif key not in before:
                out.append(FieldChange(sub, "added", after=after[key]))
            else:
                _diff(before[key], after[key], sub, out)
        return
    if isinstance(before, list) and isinstance(after, list):
        # Align items by content so that one event inserted in the middle reads as one
        # addition, not as every later event changed.
        old = [json.dumps(item, sort_keys=True, default=str) for item in before]
        new = [json.dumps(item, sort_keys=True, default=str) for item in after]
        matcher = SequenceMatcher(a=old, b=new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            if tag == "replace" and i2 - i1 == j2 - j1:
                for k in range(i2 - i1):
                    _diff(before[i1 + k], after[j1 + k], f"{path}[{j1 + k}]", out)
                continue
            out.extend(
                FieldChange(f"{path}[{i}]", "removed", before=before[i]) for i in range(i1, i2)
            )
            out.extend(FieldChange(f"{path}[{j}]", "added", after=after[j]) for j in range(j1, j2))
        return
    out.append(FieldChange(path, "changed", before=before, after=after))


# --------------------------------------------------------------------------------------------
# What every lifecycle service reads through


def find_agreement(session: Session, agreement_id: str) -> Agreement:
    agreement = repo.get(session, agreement_id)
    if agreement is None:
        raise NotFound(
            f"no agreement {agreement_id!r}",
            reason="see `comity agreement list`",
            code="agreement.not_found",
        )
    return agreement


@dataclass(frozen=True, slots=True)
class _StoredText:
    """A cache key that is the text's SHA-256 alone; the text and its name ride along so that a
    miss can parse it (hashing and comparing the whole text on every hit is what we avoid)."""

    sha256: str
    text: str = field(compare=False, repr=False)
    source: str = field(compare=False)


def spec_of(agreement: Agreement) -> AgreementSpec:
    """The agreement's stored file, parsed (once per process and distinct text)."""
    return _parsed(
        _StoredText(agreement.source_sha256, agreement.source_text, agreement.source_name)
    )


@functools.lru_cache(maxsize=SPEC_CACHE_SIZE)
def _parsed(stored: _StoredText) -> AgreementSpec:
    # Only a miss reads the text, so this is where a row whose text does not match its hash
    # (written around `import_agreement`) is caught. A hit never needs the check: what is cached
    # under a hash was parsed from a text verified to have that hash.
    actual = hashlib.sha256(stored.text.encode("utf-8")).hexdigest()
    if actual != stored.sha256:
        raise IntegrityFailure(
            "the stored agreement text does not match its SHA-256",
            location=stored.source,
            reason=f"stored {stored.sha256}, text hashes to {actual}; re-import the file",
            code="agreement.text_hash_mismatch",
        )
    spec = parse_agreement(stored.text, source=stored.source)
    # The spec is shared by every reader from now on: the one mutable field becomes read-only.
    return replace(spec, title=MappingProxyType(dict(spec.title)))


def parse_recorded(row: AgreementEvent, spec: AgreementSpec, *, purpose: str = "") -> Event:
    try:
        return parse_event(
            row.event, spec=spec, location=f"agreement {row.agreement_id}: recorded event {row.id}"
        )
    except InvalidInput as exc:
        if not purpose:
            raise
        raise Conflict(
            f"recorded event {row.id} does not fit {purpose}",
            location=f"agreement {row.agreement_id}",
            reason=exc.one_line(),
            code="agreement.recorded_event_conflict",
        ) from exc


def evaluate_recorded(
    spec: AgreementSpec, rows: Sequence[AgreementEvent], as_of: date
) -> LifecycleState:
    recorded = tuple(parse_recorded(row, spec) for row in rows)
    return evaluate(spec, as_of=as_of, extra_events=recorded)


def _overview(
    agreement: Agreement, rows: Sequence[AgreementEvent], as_of: date
) -> AgreementOverview:
    state = evaluate_recorded(spec_of(agreement), rows, as_of).to_json()
    upcoming = [d for d in dated_deadlines(state) if d[0] >= as_of]
    return AgreementOverview(
        agreement_id=agreement.id,
        title=agreement.title,
        parties=tuple(agreement.parties),
        kind=agreement.kind,
        sha256=agreement.source_sha256,
        as_of=as_of,
        status=str(state["status"]),
        next_deadline=upcoming[0][1] if upcoming else None,
    )


def dated_deadlines(state: Mapping[str, Any]) -> list[tuple[date, Mapping[str, Any]]]:
    """The state's dated deadlines, earliest first (undated ones, e.g. from a date known only to
    the month, are left out: a calendar cannot hold them)."""
    dated = []
    for item in state.get("deadlines") or []:
        value = item.get("date")
        if value is None:
            continue
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        dated.append((day, item))
    dated.sort(key=lambda pair: pair[0])
    return dated
