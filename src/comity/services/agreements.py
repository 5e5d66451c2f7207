"""Agreements in the database: import from the exchange file, record events, derive state.

This module owns every change to the `agreement`, `agreement_event` and `executing_body` tables
and the questions asked of them (state on a date, deadlines, the iCalendar feed).

Invariants:
- The lifecycle state is never stored: it is recomputed by the pure engine from the stored file
  text plus the events recorded since, for whatever date is asked (`state_on`).
- Each change appends its audit leaf in the same transaction (`agreement.import`,
  `agreement.update`, `agreement.record_event`, `agreement.designate_body`) after
  `authz.require_role(actor, "treaty_officer", …, scope=<agreement id>)` (a role scoped to
  another agreement does not count); an import that changes nothing writes nothing.
- Recorded events are parsed by the same `parse_event` as the file's own `[[events]]`, so a
  fact is accepted or refused identically whichever way it arrives.
- A stored file is parsed once per process and text: parsed specs are cached by the text's
  SHA-256 (`_spec`), which every writer of `source_text` keeps in `source_sha256`; a new text
  has a new hash, so a cached spec is never stale. Specs are frozen, so readers share them.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from difflib import SequenceMatcher
from types import MappingProxyType
from typing import Any, Final, Literal

import icalendar
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.kernel.text import checked_text
from comity.domain.lifecycle.agreement_file import (
    event_to_dict,
    parse_agreement,
    parse_event,
    spec_to_dict,
)
from comity.domain.lifecycle.engine import LifecycleState, evaluate
from comity.domain.lifecycle.model import AgreementSpec, Event, PartialDate, days_after
from comity.errors import Conflict, IntegrityFailure, InvalidInput, NotFound
from comity.persistence.models.agreements import Agreement, AgreementEvent, ExecutingBody
from comity.persistence.repositories import agreements as repo
from comity.services import audit, authz

ROLE = "treaty_officer"
#: Longest body name the `executing_body.body` column holds.
BODY_NAME_MAX = 300
#: Distinct agreement files whose parsed spec is kept (a spec is a few kilobytes). Reads over
#: more distinct files than this, in a cycle, miss every time (least recently used goes first).
SPEC_CACHE_SIZE: Final = 1024

ImportStatus = Literal["created", "unchanged", "changed"]
ChangeKind = Literal["added", "removed", "changed"]


# --------------------------------------------------------------------------------------------
# Result values


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


@dataclass(frozen=True, slots=True)
class UpcomingDeadline:
    """A dated deadline of one agreement. `kind` is the engine's stable code
    (``non_renewal_notice``, for translating); `action` is its English phrase."""

    agreement_id: str
    title: str
    date: date
    kind: str
    action: str
    party: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement_id,
            "title": self.title,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "action": self.action,
            "party": self.party,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class AgreementEventView:
    """One event of an agreement as people read it.

    `fields` is the fact in the shape of an `[[events]]` table (``kind``, ``party``, ``date`` as
    recorded — ``2018-02`` when only the month is known — ``dispatched``, ``received``, ``step``,
    ``instrument``, ``effective``, ``evidence`` …; absent keys were not given). `source` says
    whether it is in the imported file or was recorded since; a recorded one carries its row
    `id`, who recorded it (`recorded_by`, the person's id) and when (`recorded_at`, UTC).
    """

    fields: Mapping[str, Any]
    source: Literal["file", "recorded"]
    recorded_by: str | None = None
    recorded_at: datetime | None = None
    id: int | None = None

    @property
    def kind(self) -> str:
        return str(self.fields["kind"])

    @property
    def party(self) -> str | None:
        party = self.fields.get("party")
        return None if party is None else str(party)

    @property
    def evidence(self) -> str:
        return str(self.fields.get("evidence", ""))

    def to_json(self) -> dict[str, Any]:
        return {
            **self.fields,
            "source": self.source,
            "id": self.id,
            "recorded_by": self.recorded_by,
            "recorded_at": None if self.recorded_at is None else self.recorded_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    agreement_id: str
    row_id: int
    event: Mapping[str, Any]
    recorded_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement_id,
            "id": self.row_id,
            "event": dict(self.event),
            "recorded_by": self.recorded_by,
        }


@dataclass(frozen=True, slots=True)
class BodyDesignation:
    """A party's executing body over a span of days, from the file or recorded since.

    Dates may be known only to the month (a file's ``2018-02``); `valid_until` is the last day.
    """

    party: str
    name: str
    valid_from: PartialDate | None
    valid_until: PartialDate | None
    source: Literal["file", "recorded"]
    evidence: str = ""

    @property
    def starts(self) -> date:
        return date.min if self.valid_from is None else self.valid_from.earliest

    def covers(self, day: date) -> bool:
        ended = self.valid_until is not None and self.valid_until.latest < day
        return self.starts <= day and not ended

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "body": self.name,
            "valid_from": None if self.valid_from is None else str(self.valid_from),
            "valid_until": None if self.valid_until is None else str(self.valid_until),
            "source": self.source,
            "evidence": self.evidence,
        }


# --------------------------------------------------------------------------------------------
# Changes


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
    authz.require_role(actor, ROLE, action=action, target=target, scope=spec.id)
    moment = _moment(now)
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

    old_spec = _spec(existing)
    before = {"sha256": existing.source_sha256, "agreement": spec_to_dict(old_spec)}
    changes = diff(before["agreement"], after["agreement"])
    # Facts recorded since the last import must still make sense under the new rules
    # (a party removed from the file would orphan its recorded notices).
    for row in repo.events_of(session, spec.id):
        _parse_recorded(row, spec, purpose="the new file")
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


def record_event(
    session: Session,
    actor: Actor,
    agreement_id: str,
    *,
    event_fields: Mapping[str, object],
    now: datetime | None = None,
) -> RecordedEvent:
    """Record one fact (the fields of an `[[events]]` table) for the agreement.

    Refused with `Conflict` when the same fact is already in the file or recorded.
    """
    target = audit.Target("agreement", agreement_id)
    authz.require_role(
        actor, ROLE, action="agreement.record_event", target=target, scope=agreement_id
    )
    agreement = _get(session, agreement_id)
    spec = _spec(agreement)
    for key, value in event_fields.items():
        checked_text(str(key), location=f"agreement {agreement_id}: event")
        if isinstance(value, str):
            checked_text(value, location=f"agreement {agreement_id}: event: {key}")
    event = parse_event(event_fields, spec=spec, location=f"agreement {agreement_id}: event")
    as_dict = event_to_dict(event)
    recorded = repo.events_of(session, agreement_id)
    known = [event_to_dict(e) for e in spec.events] + [row.event for row in recorded]
    if as_dict in known:
        raise Conflict(
            "this event is already recorded",
            location=f"agreement {agreement_id}",
            reason=json.dumps(as_dict, ensure_ascii=False, sort_keys=True),
            code="agreement.event_exists",
        )
    on = event.date or event.received or event.dispatched
    moment = _moment(now)
    row = AgreementEvent(
        agreement_id=agreement_id,
        kind=event.kind,
        party=event.party,
        event_date=None if on is None else on.exact,
        event_date_text=None if on is None else str(on),
        evidence=event.evidence,
        event=as_dict,
        recorded_by=actor.person,
        recorded_party=actor.party,
        recorded_at=moment,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "agreement.record_event",
        target,
        {"after": {"id": row.id, "event": as_dict}},
        now=moment,
    )
    return RecordedEvent(agreement_id, row.id, as_dict, actor.person)


def designate_body(
    session: Session,
    actor: Actor,
    agreement_id: str,
    *,
    party: str,
    body: str,
    valid_from: date,
    evidence: str = "",
    now: datetime | None = None,
) -> BodyDesignation:
    """Designate `body` as `party`'s executing body from `valid_from`; the party's previous
    recorded designation, if still open, ends the day before."""
    target = audit.Target("agreement", agreement_id)
    authz.require_role(
        actor, ROLE, action="agreement.designate_body", target=target, scope=agreement_id
    )
    agreement = _get(session, agreement_id)
    if party not in agreement.parties:
        raise InvalidInput(
            f"unknown party {party!r}",
            location=f"agreement {agreement_id}: party",
            reason="not in parties (" + ", ".join(agreement.parties) + ")",
        )
    name = body.strip()
    if not name or len(name) > BODY_NAME_MAX:
        raise InvalidInput(
            "bad body name",
            location=f"agreement {agreement_id}: body",
            reason=f"give 1 to {BODY_NAME_MAX} characters",
        )
    previous = repo.bodies_of(session, agreement_id, party=party)
    latest = previous[-1] if previous else None
    if latest is not None and latest.valid_from >= valid_from:
        raise InvalidInput(
            f"designation from {valid_from.isoformat()} is not after the current one",
            location=f"agreement {agreement_id}: from",
            reason=f"{party}'s latest designation ({latest.body}) starts on "
            f"{latest.valid_from.isoformat()}; designations are recorded in date order",
        )
    details: dict[str, Any] = {} if latest is None else {"before": _body_row_dict(latest)}
    if latest is not None and (latest.valid_until is None or latest.valid_until >= valid_from):
        latest.valid_until = valid_from - timedelta(days=1)
    moment = _moment(now)
    row = ExecutingBody(
        agreement_id=agreement_id,
        party=party,
        body=name,
        valid_from=valid_from,
        valid_until=None,
        evidence=evidence.strip(),
        designated_by=actor.person,
        designated_at=moment,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "agreement.designate_body",
        target,
        {**details, "after": _body_row_dict(row)},
        now=moment,
    )
    return _recorded_designation(row)


# --------------------------------------------------------------------------------------------
# Questions


def state_on(session: Session, agreement_id: str, *, as_of: date) -> LifecycleState:
    """The derived state on `as_of`, from the stored file and the events recorded since."""
    agreement = _get(session, agreement_id)
    spec = _spec(agreement)
    return _evaluate(spec, repo.events_of(session, agreement_id), as_of)


def get_spec(session: Session, agreement_id: str) -> AgreementSpec:
    """The stored agreement as parsed from its file, with the recorded events appended."""
    agreement = _get(session, agreement_id)
    spec = _spec(agreement)
    recorded = tuple(_parse_recorded(r, spec) for r in repo.events_of(session, agreement_id))
    return spec.with_events(recorded)


def list_events(session: Session, agreement_id: str) -> list[AgreementEventView]:
    """Every event of the agreement: the file's own in file order, then those recorded since in
    the order they were recorded (each parsed as `state_on` reads it)."""
    agreement = _get(session, agreement_id)
    spec = _spec(agreement)
    views = [AgreementEventView(event_to_dict(event), "file") for event in spec.events]
    for row in repo.events_of(session, agreement_id):
        views.append(
            AgreementEventView(
                event_to_dict(_parse_recorded(row, spec)),
                "recorded",
                recorded_by=row.recorded_by,
                recorded_at=_as_utc(row.recorded_at),
                id=row.id,
            )
        )
    return views


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
    agreement = _get(session, agreement_id)
    return _overview(agreement, repo.events_of(session, agreement_id), as_of)


def titles(session: Session) -> dict[str, dict[str, str]]:
    """Every agreement's title by id (one query; nothing is parsed or evaluated)."""
    return repo.titles(session)


def upcoming_deadlines(
    session: Session, *, today: date, within_days: int
) -> list[UpcomingDeadline]:
    """Dated actions from `today` to `today + within_days` (inclusive) across all agreements,
    earliest first."""
    if within_days < 0:
        raise InvalidInput("negative window", location="within", reason="give 0 or more days")
    # A window reaching past the calendar's last day covers every deadline there can be.
    horizon = date.fromordinal(min(today.toordinal() + within_days, date.max.toordinal()))
    grouped = repo.events_by_agreement(session)
    found: list[UpcomingDeadline] = []
    for agreement in repo.all_agreements(session):
        state = _evaluate(_spec(agreement), grouped.get(agreement.id, []), today).to_json()
        for day, item in _deadlines(state):
            if today <= day <= horizon:
                found.append(_upcoming(agreement, day, item))
    found.sort(key=lambda d: (d.date, d.agreement_id, d.action, d.party or ""))
    return found


def ics_feed(session: Session, agreement_id: str, *, today: date) -> bytes:
    """An iCalendar feed with one all-day VEVENT per deadline in the state on `today`.

    Reproducible: UIDs hash the agreement, action, party and date, and DTSTAMP is the last time
    the agreement's data changed (not the clock), so the same data gives the same bytes.
    """
    agreement = _get(session, agreement_id)
    rows = repo.events_of(session, agreement_id)
    state = _evaluate(_spec(agreement), rows, today).to_json()
    stamp = max([agreement.updated_at, *(row.recorded_at for row in rows)])
    stamp = _as_utc(stamp).replace(microsecond=0)
    title = display_title(agreement.title)

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//comity//agreement deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{title}: deadlines")
    for day, item in _deadlines(state):
        upcoming = _upcoming(agreement, day, item)
        key = "|".join([agreement.id, upcoming.action, upcoming.party or "", day.isoformat()])
        uid = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        vevent = icalendar.Event()
        vevent.add("uid", f"{uid}@comity")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", day)
        vevent.add("dtend", days_after(day, 1))
        party = f" ({upcoming.party})" if upcoming.party else ""
        vevent.add("summary", f"{agreement.id}: {upcoming.action}{party}")
        vevent.add("description", f"{title}\n{upcoming.reason}")
        vevent.add("transp", "TRANSPARENT")
        calendar.add_component(vevent)
    return bytes(calendar.to_ical())


def executing_bodies(
    session: Session, agreement_id: str, *, on: date | None = None
) -> list[BodyDesignation]:
    """The executing-body designations (the file's, then those recorded since), by party and
    start; with `on`, only each party's designation in effect that day (the latest that
    started on or before it and has not ended)."""
    agreement = _get(session, agreement_id)
    spec = _spec(agreement)
    designations = [
        BodyDesignation(
            party=b.party,
            name=b.name,
            valid_from=b.from_,
            valid_until=b.until,
            source="file",
            evidence=b.evidence,
        )
        for b in spec.executing_bodies
    ]
    designations += [_recorded_designation(r) for r in repo.bodies_of(session, agreement_id)]
    designations.sort(key=lambda d: (d.party, d.starts))
    if on is None:
        return designations
    current: dict[str, BodyDesignation] = {}
    for designation in designations:
        if designation.covers(on):
            current[designation.party] = designation  # sorted by start: the latest wins
    return [current[party] for party in sorted(current)]


def display_title(title: Mapping[str, str]) -> str:
    """The title to show people: English if the file has it, else its first language."""
    if "en" in title:
        return title["en"]
    return next(iter(title.values()), "")


# --------------------------------------------------------------------------------------------
# Field-level difference


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
# Helpers


def _get(session: Session, agreement_id: str) -> Agreement:
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


def _spec(agreement: Agreement) -> AgreementSpec:
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


def _parse_recorded(row: AgreementEvent, spec: AgreementSpec, *, purpose: str = "") -> Event:
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


def _evaluate(spec: AgreementSpec, rows: Sequence[AgreementEvent], as_of: date) -> LifecycleState:
    recorded = tuple(_parse_recorded(row, spec) for row in rows)
    return evaluate(spec, as_of=as_of, extra_events=recorded)


def _overview(
    agreement: Agreement, rows: Sequence[AgreementEvent], as_of: date
) -> AgreementOverview:
    state = _evaluate(_spec(agreement), rows, as_of).to_json()
    upcoming = [d for d in _deadlines(state) if d[0] >= as_of]
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


def _deadlines(state: Mapping[str, Any]) -> list[tuple[date, Mapping[str, Any]]]:
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


def _upcoming(agreement: Agreement, day: date, item: Mapping[str, Any]) -> UpcomingDeadline:
    party = item.get("party")
    return UpcomingDeadline(
        agreement_id=agreement.id,
        title=display_title(agreement.title),
        date=day,
        kind=str(item.get("kind", "")),
        action=str(item.get("action", "")),
        party=None if party is None else str(party),
        reason=str(item.get("reason", "")),
    )


def _body_row_dict(row: ExecutingBody) -> dict[str, Any]:
    return {
        "party": row.party,
        "body": row.body,
        "valid_from": row.valid_from.isoformat(),
        "valid_until": None if row.valid_until is None else row.valid_until.isoformat(),
        "evidence": row.evidence,
    }


def _recorded_designation(row: ExecutingBody) -> BodyDesignation:
    return BodyDesignation(
        party=row.party,
        name=row.body,
        valid_from=PartialDate.of(row.valid_from),
        valid_until=None if row.valid_until is None else PartialDate.of(row.valid_until),
        source="recorded",
        evidence=row.evidence,
    )


def _moment(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _as_utc(value: datetime) -> datetime:
    # SQLite hands timezone-aware columns back naive; they were written in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
