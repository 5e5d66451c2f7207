"""Agreement pages: the list, one agreement on any date, recording an event, its calendar feed.

Invariants: the state section is one partial (`agreements/_state.html`) that is both part of
the full page and the whole answer to the date picker's htmx request; recording an event goes
through `lifecycle.record_event`, which checks the role and audits — the form page asks the same
authorisation question first so a person without the role is refused before typing anything;
a form error is shown next to its field and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from comity.domain.lifecycle.agreement_file import event_to_dict
from comity.domain.lifecycle.model import (
    DOMESTIC_STEPS,
    EVENT_KINDS,
    AgreementSpec,
    PartialDate,
)
from comity.errors import Conflict, InvalidInput, InvalidTransition
from comity.services import audit, kernel, lifecycle
from comity.web.dependencies import SessionDep
from comity.web.pages.dependencies import PageFrame, SignedIn
from comity.web.pages.rendering import Frame, is_partial_request, render
from comity.web.pages.timeline import TimelineText, render_timeline
from comity.web.pages.vocabulary import N_

router = APIRouter()

#: Form fields of an event, in the order the form shows them.
EVENT_FIELDS = ("kind", "party", "date", "dispatched", "received", "step", "effective", "evidence")
EVIDENCE_MAX = 2000

_BAD_DATE = N_("Not a date. Write YYYY-MM-DD, or YYYY-MM when only the month is known.")
# The lifecycle engine's messages for a refused event, so the form shows them translated.
_ENGINE_MESSAGES = (
    N_("missing field"),
    N_("contradictory dates"),
    N_("contradictory rule"),
    N_("bad date"),
    N_("wrong type"),
    N_("unknown value"),
)


def _title(title: Mapping[str, str], lang: str) -> str:
    return title.get(lang) or lifecycle.display_title(title)


@dataclass(frozen=True)
class AgreementHeader:
    id: str
    title: str
    parties: tuple[str, ...]


def _header(session: Session, agreement_id: str, lang: str) -> AgreementHeader:
    return _header_of(lifecycle.get_spec(session, agreement_id), lang)


def _header_of(spec: AgreementSpec, lang: str) -> AgreementHeader:
    return AgreementHeader(spec.id, _title(spec.title, lang), tuple(spec.parties))


@router.get("/agreements", name="pages.agreement_list")
def agreement_list(
    request: Request, session: SessionDep, principal: SignedIn, frame: PageFrame
) -> Response:
    rows = []
    for overview in lifecycle.list_agreements(session, as_of=frame.today):
        deadline = overview.next_deadline or {}
        raw = deadline.get("date")
        rows.append(
            {
                "id": overview.agreement_id,
                "title": _title(overview.title, frame.lang),
                "parties": overview.parties,
                "status": overview.status,
                "next_deadline": date.fromisoformat(raw) if isinstance(raw, str) else raw,
            }
        )
    return render(
        request, frame, "agreements/index.html", {"agreements": rows, "nav": "agreements"}
    )


# --- one agreement on a date ------------------------------------------------------------------


def _period_label(index: int, frame: Frame) -> str:
    if index == 0:
        return frame.gettext("Initial term")
    return frame.gettext("Renewal %(number)s") % {"number": index}


def state_context(
    session: Session, spec: AgreementSpec, *, as_of: date, frame: Frame
) -> dict[str, Any]:
    """Everything `_state.html` shows for the agreement (`spec`, events included) on `as_of`."""
    state = lifecycle.state_on(session, spec.id, as_of=as_of).to_json()
    events = [event_to_dict(event) for event in spec.events]
    current = state.get("current_period") or None
    current_index = current.get("index") if isinstance(current, Mapping) else None
    periods = [
        {
            **p,
            "label": _period_label(int(p["index"]), frame),
            "current": p["index"] == current_index,
        }
        for p in state.get("periods") or []
    ]
    nr = state.get("non_renewal_deadline")
    deadlines = []
    for item in state.get("deadlines") or []:
        if not item.get("date"):
            continue
        day = date.fromisoformat(item["date"])
        deadlines.append(
            {
                "date": day,
                "action": item.get("kind") or item.get("action"),
                "party": item.get("party"),
                "reason": item.get("reason") or "",
                "days_left": (day - as_of).days,
            }
        )
    svg = render_timeline(
        state,
        events,
        today=as_of,
        text=TimelineText(
            gettext=frame.gettext,
            format_date=frame.day,
            term=frame.term,
            deadline=frame.deadline,
            id_prefix=f"timeline-{as_of.isoformat()}",
        ),
        today_label=frame.gettext("Today") if as_of == frame.today else frame.gettext("Shown date"),
    )
    return {
        "state": {**state, "non_renewal_deadline": nr.get("date") if nr else None},
        "current_period": (
            {**current, "label": _period_label(int(current["index"]), frame)} if current else None
        ),
        "periods": periods,
        "deadlines": deadlines,
        "timeline_svg": svg,
        "as_of": as_of,
    }


def _when(event: Mapping[str, Any], frame: Frame) -> str:
    """The event's date as recorded: exact days formatted for the reader, partial ones as is."""
    if event.get("date"):
        return frame.day(str(event["date"]))
    parts = []
    if event.get("dispatched"):
        parts.append(frame.gettext("sent %(date)s") % {"date": frame.day(event["dispatched"])})
    if event.get("received"):
        parts.append(frame.gettext("received %(date)s") % {"date": frame.day(event["received"])})
    return ", ".join(parts)


def _event_rows(
    events: Sequence[lifecycle.AgreementEventView], frame: Frame
) -> list[dict[str, Any]]:
    """The events as the table shows them, by date; a recorded one names who recorded it."""
    rows = [
        {
            **event.fields,
            "when": _when(event.fields, frame),
            "source": event.source,
            "recorded_by": event.recorded_by,
        }
        for event in events
    ]
    rows.sort(key=_sort_key)
    return rows


def _sort_key(row: Mapping[str, Any]) -> str:
    return str(row.get("date") or row.get("received") or row.get("dispatched") or "")


def calendar_path(agreement_id: str) -> str:
    """The API's iCalendar feed (session or ``?token=`` with the calendar scope), which the
    page links to rather than serving a second copy."""
    return f"/api/agreements/{quote(agreement_id, safe='')}/calendar.ics"


def _may_record(principal: Any, agreement_id: str) -> bool:
    """Whether to offer the "record an event" button (the service still decides on submit)."""
    return bool(principal.actor.has_role_for(lifecycle.ROLE, agreement_id))


@router.get("/agreements/{agreement_id}", name="pages.agreement_show")
def agreement_show(
    request: Request,
    agreement_id: str,
    session: SessionDep,
    principal: SignedIn,
    frame: PageFrame,
    on: str = "",
    recorded: str = "",
) -> Response:
    as_of = frame.today
    date_error = None
    status = 200
    if on:
        try:
            as_of = date.fromisoformat(on)
        except ValueError:
            date_error = frame.gettext("Not a date. Write YYYY-MM-DD.")
            status = 422
    # One parse of the stored file for the page (the state itself is the service's question).
    spec = lifecycle.get_spec(session, agreement_id)
    context = state_context(session, spec, as_of=as_of, frame=frame)
    context["agreement"] = _header_of(spec, frame.lang)
    context["date_error"] = date_error
    if is_partial_request(request):
        return render(request, frame, "agreements/_state.html", context, status_code=status)
    context.update(
        {
            "events": _event_rows(lifecycle.list_events(session, agreement_id), frame),
            "may_record": _may_record(principal, agreement_id),
            "recorded": recorded == "1",
            "ics_url": calendar_path(agreement_id),
            "ics_address": str(request.base_url).rstrip("/") + calendar_path(agreement_id),
            "nav": "agreements",
        }
    )
    return render(request, frame, "agreements/show.html", context, status_code=status)


# --- recording an event -----------------------------------------------------------------------


@dataclass
class EventForm:
    """The event form as typed (strings, kept for redisplay) and its errors by field."""

    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(EVENT_FIELDS, ""))
    errors: dict[str, str] = field(default_factory=dict)


def _check_date(form: EventForm, name: str, frame: Frame) -> None:
    text = form.values[name]
    if not text:
        return
    try:
        PartialDate.parse(text)
    except ValueError:
        form.errors[name] = frame.gettext(_BAD_DATE)


def validate(form: EventForm, parties: Sequence[str], frame: Frame) -> dict[str, object]:
    """Check the form as a person would get it wrong; returns the event's fields (if no errors).

    The service parses the event again with the same rules as the agreement file; this check
    only catches what can be said next to one field, in the reader's language."""
    v = form.values
    if not v["kind"]:
        form.errors["kind"] = frame.gettext("Choose the kind of event.")
    elif v["kind"] not in EVENT_KINDS:
        form.errors["kind"] = frame.gettext("Choose one of the listed kinds.")
    if v["party"] and v["party"] not in parties:
        form.errors["party"] = frame.gettext("Choose one of the agreement's parties.")
    for name in ("date", "dispatched", "received", "effective"):
        _check_date(form, name, frame)
    if not (v["date"] or v["dispatched"] or v["received"]) and "date" not in form.errors:
        form.errors["date"] = frame.gettext("Give the date, or the dates of dispatch and receipt.")
    if v["step"] and v["step"] not in DOMESTIC_STEPS:
        form.errors["step"] = frame.gettext("Choose one of the listed steps.")
    if v["kind"] == "domestic_step" and not v["step"]:
        form.errors["step"] = frame.gettext("Choose the domestic step.")
    if not v["evidence"].strip():
        form.errors["evidence"] = frame.gettext(
            "Say where the fact is recorded (gazette, note verbale, URL)."
        )
    elif len(v["evidence"]) > EVIDENCE_MAX:
        form.errors["evidence"] = frame.gettext("At most %(count)s characters.") % {
            "count": EVIDENCE_MAX
        }
    return {key: value.strip() for key, value in v.items() if value.strip()}


def _field_of(error: InvalidInput) -> str:
    """The form field an engine error points at (its location ends with the field path)."""
    location = error.location or ""
    tail = location.rsplit(":", 1)[-1].strip()
    name = tail.split(".", 1)[0].split("[", 1)[0]
    return name if name in EVENT_FIELDS else "_form"


def _event_form_page(
    request: Request,
    session: Session,
    frame: Frame,
    agreement_id: str,
    form: EventForm,
    *,
    status_code: int = 200,
) -> Response:
    header = _header(session, agreement_id, frame.lang)
    context = {
        "agreement": header,
        "form": form.values,
        "errors": form.errors,
        "kinds": [(kind, frame.term(kind)) for kind in EVENT_KINDS],
        "parties": [(party, party) for party in header.parties],
        "steps": [(step, frame.term(step)) for step in DOMESTIC_STEPS],
        "nav": "agreements",
    }
    return render(request, frame, "agreements/event_new.html", context, status_code=status_code)


def _require_recorder(principal: Any, agreement_id: str) -> None:
    # The same question the service asks on submit, asked before the form is shown.
    kernel.require_role(
        principal.actor,
        lifecycle.ROLE,
        action="agreement.record_event",
        target=audit.Target("agreement", agreement_id),
        scope=agreement_id,
    )


@router.get("/agreements/{agreement_id}/events/new", name="pages.event_new")
def event_new(
    request: Request,
    agreement_id: str,
    session: SessionDep,
    principal: SignedIn,
    frame: PageFrame,
) -> Response:
    _header(session, agreement_id, frame.lang)  # 404 before 403 for an unknown agreement
    _require_recorder(principal, agreement_id)
    return _event_form_page(request, session, frame, agreement_id, EventForm())


@router.post("/agreements/{agreement_id}/events", name="pages.event_create")
def event_create(
    request: Request,
    agreement_id: str,
    session: SessionDep,
    principal: SignedIn,
    frame: PageFrame,
    kind: Annotated[str, Form()] = "",
    party: Annotated[str, Form()] = "",
    date_: Annotated[str, Form(alias="date")] = "",
    dispatched: Annotated[str, Form()] = "",
    received: Annotated[str, Form()] = "",
    step: Annotated[str, Form()] = "",
    effective: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
) -> Response:
    header = _header(session, agreement_id, frame.lang)
    _require_recorder(principal, agreement_id)
    form = EventForm()
    form.values.update(
        kind=kind.strip(),
        party=party.strip(),
        date=date_.strip(),
        dispatched=dispatched.strip(),
        received=received.strip(),
        step=step.strip(),
        effective=effective.strip(),
        evidence=evidence.strip(),
    )
    fields = validate(form, header.parties, frame)
    if not form.errors:
        try:
            lifecycle.record_event(session, principal.actor, agreement_id, event_fields=fields)
        except InvalidInput as error:
            message = frame.gettext(error.message)
            if error.reason:
                message += f" ({error.reason})"
            form.errors[_field_of(error)] = message
        except (Conflict, InvalidTransition) as error:
            form.errors["_form"] = (
                frame.gettext("This event is already recorded.")
                if error.code == "agreement.event_exists"
                else error.one_line()
            )
    if form.errors:
        # Nothing was written: the service raised before flushing, or was never called.
        return _event_form_page(request, session, frame, agreement_id, form, status_code=422)
    location = request.url_for("pages.agreement_show", agreement_id=agreement_id).path
    return RedirectResponse(f"{location}?recorded=1", status_code=303)
