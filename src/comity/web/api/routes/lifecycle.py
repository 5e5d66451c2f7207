"""``/api/agreements`` and ``/api/deadlines``: list, read, import; events; state on a date;
upcoming deadlines; the iCalendar feed.

Every route hands the request's actor and transaction to `comity.services.lifecycle`; reading
needs a signed-in person (or a token with the read scope), changing needs what the service asks
(treaty officer). The calendar feed also takes ``?token=`` so calendar clients, which cannot
send headers, can subscribe with a token limited to the ``calendar`` scope.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, status
from fastapi.security import APIKeyQuery

from comity.domain.lifecycle.agreement_file import spec_to_dict
from comity.errors import NotAuthenticated
from comity.services import accounts, lifecycle
from comity.web import errors
from comity.web.api import schemas
from comity.web.dependencies import (
    CurrentActor,
    Now,
    OptionalPrincipal,
    SessionDep,
    Today,
    touch_token,
)

router = APIRouter(tags=["agreements"])

AgreementId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="The agreement's id, e.g. tr-az-defence-industry-2017",
    ),
]
On = Annotated[
    schemas.IsoDate | None,
    Query(description="The day to derive the state for, YYYY-MM-DD (default: today)"),
]
NOT_FOUND = errors.error_responses(404)
calendar_token_scheme = APIKeyQuery(
    name="token",
    auto_error=False,
    description="An API token with the calendar (or read) scope, for calendar clients",
)


@router.get("/agreements", response_model=list[schemas.AgreementSummary])
def list_agreements(
    session: SessionDep, actor: CurrentActor, today: Today, on: On = None
) -> list[dict[str, Any]]:
    """Every agreement with its status and next deadline on `on`."""
    return [item.to_json() for item in lifecycle.list_agreements(session, as_of=on or today)]


@router.post(
    "/agreements",
    response_model=schemas.ImportResult,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": schemas.ImportResult, "description": "Updated or unchanged"},
        **errors.error_responses(409),
    },
)
def import_agreement(
    body: schemas.AgreementImport,
    response: Response,
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
) -> dict[str, Any]:
    """Import an agreement file (idempotent by id: 201 created, 200 changed or unchanged)."""
    result = lifecycle.import_agreement(session, actor, text=body.text, source=body.source, now=now)
    if result.status != "created":
        response.status_code = status.HTTP_200_OK
    return result.to_json()


@router.get(
    "/agreements/{agreement_id}", response_model=schemas.AgreementDetail, responses=NOT_FOUND
)
def get_agreement(
    agreement_id: AgreementId, session: SessionDep, actor: CurrentActor, today: Today, on: On = None
) -> dict[str, Any]:
    """One agreement: its definition and its derived state on `on`."""
    day = on or today
    spec = lifecycle.get_spec(session, agreement_id)
    summary = lifecycle.get_overview(session, agreement_id, as_of=day)
    return {
        **summary.to_json(),
        "definition": spec_to_dict(spec),
        "state": lifecycle.state_on(session, agreement_id, as_of=day).to_json(),
    }


@router.get(
    "/agreements/{agreement_id}/events",
    response_model=list[schemas.AgreementEvent],
    responses=NOT_FOUND,
)
def list_events(
    agreement_id: AgreementId, session: SessionDep, actor: CurrentActor
) -> list[dict[str, Any]]:
    """Every event: the file's own, then those recorded since (each as its `[[events]]` table
    plus `source`, and for a recorded one its `id`, `recorded_by` and `recorded_at`)."""
    return [view.to_json() for view in lifecycle.list_events(session, agreement_id)]


@router.post(
    "/agreements/{agreement_id}/events",
    response_model=schemas.RecordedEvent,
    status_code=status.HTTP_201_CREATED,
    responses=errors.error_responses(404, 409),
)
def record_event(
    agreement_id: AgreementId,
    event: Annotated[
        dict[str, Any],
        Body(
            description="The event as an `[[events]]` table of the agreement file",
            examples=[{"kind": "signature", "date": "2017-10-31", "evidence": "press release"}],
        ),
    ],
    session: SessionDep,
    actor: CurrentActor,
    now: Now,
) -> dict[str, Any]:
    """Record one fact (signature, approval step, notification, notice, …)."""
    return lifecycle.record_event(
        session, actor, agreement_id, event_fields=event, now=now
    ).to_json()


@router.get("/agreements/{agreement_id}/state", response_model=dict[str, Any], responses=NOT_FOUND)
def state(
    agreement_id: AgreementId, session: SessionDep, actor: CurrentActor, today: Today, on: On = None
) -> dict[str, Any]:
    """The derived state on `on`: status, entry into force, periods, deadlines, termination."""
    return lifecycle.state_on(session, agreement_id, as_of=on or today).to_json()


@router.get("/deadlines", response_model=list[schemas.Deadline])
def deadlines(
    session: SessionDep,
    actor: CurrentActor,
    today: Today,
    within: Annotated[int, Query(ge=0, le=3660, description="Days ahead to look")] = 90,
) -> list[dict[str, Any]]:
    """Dated actions due from today to `within` days ahead, across agreements, earliest first."""
    return [
        item.to_json()
        for item in lifecycle.upcoming_deadlines(session, today=today, within_days=within)
    ]


@router.get(
    "/agreements/{agreement_id}/calendar.ics",
    response_class=Response,
    responses={
        200: {
            "description": "iCalendar feed of the agreement's deadlines",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
        **NOT_FOUND,
    },
)
def calendar(
    agreement_id: AgreementId,
    request: Request,
    session: SessionDep,
    principal: OptionalPrincipal,
    today: Today,
    now: Now,
    token: Annotated[str | None, Depends(calendar_token_scheme)] = None,
) -> Response:
    """The deadlines as an iCalendar feed; subscribe with ``?token=`` (scope ``calendar``)."""
    if principal is None:
        found = accounts.resolve_token(session, token[:200], now=now) if token else None
        if found is None or not {"calendar", "read"} & set(found[1].scopes.split()):
            raise NotAuthenticated(
                "the calendar feed needs a signed-in session or a token",
                reason="add ?token=<API token with the calendar scope>",
            )
        if accounts.token_needs_touch(found[1], now=now):
            touch_token(request, session, found[1].id, now)
    body = lifecycle.ics_feed(session, agreement_id, today=today)
    return Response(
        content=body,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'inline; filename="{agreement_id}.ics"'},
    )
