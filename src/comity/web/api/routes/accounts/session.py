"""``/api/session`` and ``/api/me``: sign in and out with a cookie, who am I, my password."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from comity.errors import AccessDenied, ComityError
from comity.services import accounts
from comity.web import auth, errors
from comity.web.api import schemas
from comity.web.dependencies import CurrentPrincipal, Now, Principal, SessionDep
from comity.web.security import csrf_token, json_sign_in

router = APIRouter(tags=["session"])


def _info(principal: Principal, token: str | None) -> schemas.SessionInfo:
    return schemas.SessionInfo(
        username=principal.username,
        display_name=principal.display_name,
        party=principal.party,
        roles=sorted(principal.actor.roles),
        must_change_password=principal.must_change_password,
        csrf_token=token,
        via=principal.via,
    )


@router.post(
    "/session",
    response_model=schemas.SessionInfo,
    responses=errors.error_responses(429),
    summary="Sign in (sets the session cookie)",
)
@json_sign_in
def sign_in(
    body: schemas.SignInRequest, request: Request, response: Response, session: SessionDep
) -> Response | schemas.SessionInfo:
    outcome = auth.sign_in(request, session, username=body.username, password=body.password)
    if isinstance(outcome, AccessDenied):
        # Returned, not raised: the failure count behind the throttle must commit.
        return errors.render(request, outcome)
    auth.set_cookie(request, response, outcome)
    account = outcome.account
    actor = accounts.actor_for(session, account, today=request.app.state.clock().date())
    return schemas.SessionInfo(
        username=account.username,
        display_name=account.display_name,
        party=account.party,
        roles=sorted(actor.roles),
        must_change_password=account.must_change_password,
        csrf_token=outcome.csrf_token,
        via="session",
    )


@router.get("/session", response_model=schemas.SessionInfo, summary="Who is signed in")
def who_am_i(principal: CurrentPrincipal, request: Request) -> schemas.SessionInfo:
    return _info(principal, csrf_token(request) if principal.via == "session" else None)


@router.delete(
    "/session", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out (ends the session)"
)
def sign_out(request: Request, session: SessionDep) -> Response:
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    auth.sign_out(request, session, response)
    return response


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors.error_responses(429),
    summary="Change my password (required after a one-time password)",
)
def change_password(
    body: schemas.PasswordChange,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    now: Now,
) -> Response:
    """Every other session of the account ends; the one making the change stays signed in.
    Wrong current passwords are throttled like sign-ins (429 with Retry-After)."""
    outcome = auth.change_password(
        request,
        session,
        principal,
        current_password=body.current_password,
        new_password=body.new_password,
        now=now,
    )
    if isinstance(outcome, ComityError):
        # Returned, not raised: the failure count behind the throttle must commit.
        return errors.render(request, outcome)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
