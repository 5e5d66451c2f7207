"""Signing in and out and changing one's password over HTTP, shared by the API
(``/api/session``, ``/api/me/password``) and the pages.

Invariants: a sign-in always issues a fresh session id and ends the one the browser held
(no session fixation); a password change keeps the session that made it and ends every other;
a refused sign-in or password change is returned as a response, never raised, so the failure
count behind the throttle commits with the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request, Response
from sqlalchemy.orm import Session

from comity.errors import AccessDenied
from comity.persistence.models.accounts import Account
from comity.services import accounts
from comity.web.dependencies import Principal, get_now
from comity.web.security import (
    SESSION_COOKIE,
    clear_session_cookie,
    csrf_token_for_session,
    set_session_cookie,
)


@dataclass(frozen=True, slots=True)
class SignedIn:
    account: Account
    #: The new session's cookie value: goes into Set-Cookie, nowhere else.
    secret: str
    #: The CSRF token of the new session (for API clients; pages read it from the next page).
    csrf_token: str


def client_address(request: Request) -> str:
    # uvicorn replaces the peer with the X-Forwarded-For client only for trusted proxies.
    return request.client.host if request.client else "unknown"


def sign_in(
    request: Request, session: Session, *, username: str, password: str
) -> SignedIn | AccessDenied:
    """Check the credentials and start a session; or the refusal (render it with
    `comity.web.errors.render` and *return* it)."""
    outcome = accounts.authenticate(
        session,
        username,
        password,
        address=client_address(request),
        now=get_now(request),
        policy=request.app.state.throttle_policy,
    )
    if isinstance(outcome, AccessDenied):
        return outcome
    secret = accounts.create_session(
        session,
        outcome,
        lifetime=request.app.state.session_lifetime,
        replacing=request.cookies.get(SESSION_COOKIE),
        now=get_now(request),
    )
    return SignedIn(account=outcome, secret=secret, csrf_token=csrf_token_for_session(secret))


def set_cookie(request: Request, response: Response, signed_in: SignedIn) -> None:
    """Put the new session's cookie on `response`."""
    lifetime = request.app.state.session_lifetime
    set_session_cookie(request, response, signed_in.secret, int(lifetime.total_seconds()))


def sign_out(request: Request, session: Session, response: Response) -> None:
    """End the request's session (if any) and clear its cookie on `response`."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        accounts.end_session(session, secret, now=get_now(request))
    clear_session_cookie(request, response)


def change_password(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    current_password: str,
    new_password: str,
    now: datetime,
) -> Account | accounts.PasswordChangeRefused:
    """Change the signed-in person's password, keeping the request's own session (if it came
    with one); or the refusal to render and *return* (wrong current password, throttled)."""
    return accounts.change_password(
        session,
        principal.actor,
        principal.username,
        current_password=current_password,
        new_password=new_password,
        keep_session=request.cookies.get(SESSION_COOKIE) if principal.via == "session" else None,
        now=now,
        policy=request.app.state.throttle_policy,
    )
