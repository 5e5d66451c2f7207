"""What every route depends on: the request's transaction, who is asking, and when.

Invariants:
- One request is one transaction, committed *before* the response is sent
  (``Depends(get_session, scope="function")``), so a failed commit is a failed request.
- An `AccessDenied` raised while the request works rolls the work back, and the denial is then
  recorded in a transaction of its own (`audit.record_denial`), as the CLI does.
- Credentials are a session cookie or ``Authorization: Bearer <token>`` (and ``?token=`` on the
  calendar feed, `LINK_TOKEN_PATH`); routes never decide access themselves, they hand the actor
  to the services.
- A person who signed in with a one-time password reaches nothing but `BEFORE_PASSWORD_CHANGE`
  until they have chosen their own password: `get_principal`, which every route that knows who
  is asking goes through, refuses everything else (`PasswordChangeRequired`, audited).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Final, Literal

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.errors import AccessDenied, NotAuthenticated, PasswordChangeRequired
from comity.persistence.db import read_only_session, write_session
from comity.persistence.models.accounts import Account
from comity.services import accounts, audit
from comity.web.security import SAFE_METHODS, SESSION_COOKIE, path_target


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_now(request: Request) -> datetime:
    """The request's moment, read once from the app's clock so every use in a request agrees."""
    now: datetime | None = getattr(request.state, "now", None)
    if now is None:
        now = request.app.state.clock().astimezone(UTC)
        request.state.now = now
    return now


def get_today(request: Request) -> date:
    return get_now(request).date()


# The dependencies that do no I/O are coroutines: FastAPI runs plain functions in a thread
# pool, and a hop there costs more than these do.
async def _now(request: Request) -> datetime:
    return get_now(request)


async def _today(request: Request) -> date:
    return get_today(request)


Now = Annotated[datetime, Depends(_now)]
Today = Annotated[date, Depends(_today)]


def get_session(request: Request) -> Iterator[Session]:
    """The request's transaction: commit on success, roll back on any error. Reads (GET, HEAD)
    use a read-only transaction, which on SQLite does not take the write lock."""
    engine = get_engine(request)
    reading = request.method in SAFE_METHODS
    session = read_only_session(engine) if reading else write_session(engine)
    try:
        with session.begin():
            yield session
    except NotAuthenticated:
        raise
    except AccessDenied as denial:
        actor: Actor = getattr(request.state, "actor", None) or accounts.ANONYMOUS
        with write_session(engine) as fresh, fresh.begin():
            audit.record_denial(fresh, actor, denial)
        raise
    finally:
        session.close()


#: A route's database session. ``scope="function"``: the commit happens before the response.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in account behind a request, and the actor it acts as today."""

    account_id: int
    username: str
    display_name: str
    party: str
    actor: Actor
    via: Literal["session", "token"]
    #: What the credentials allow: a session allows everything its roles allow; a token only
    #: its scopes (read, write, calendar).
    scopes: frozenset[str]
    must_change_password: bool


_ALL_SCOPES = frozenset(accounts.TOKEN_SCOPES)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


# Declared for the OpenAPI document (security schemes); the values are read from the request.
bearer_scheme = HTTPBearer(
    auto_error=False, description="An API token: `Authorization: Bearer cmt_…`"
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="The session cookie set by `POST /api/session`; state-changing requests "
    "must also send the session's `X-CSRF-Token`.",
)


#: Everything a person who signed in with a one-time password may still reach, by path (every
#: method): choosing the new password (page and API), signing in and out, who is signed in
#: (``GET /api/session`` is how an API client learns it must change the password), and what
#: needs nobody signed in — the language switch, the API description (and the static files
#: under ``/static/``, which no dependency guards). Every other route refuses them until the
#: password is changed.
BEFORE_PASSWORD_CHANGE: Final = frozenset(
    {
        "/api/session",
        "/api/me/password",
        "/sign-in",
        "/sign-out",
        "/account/password",
        "/language",
        "/api/openapi.json",
    }
)

#: Where an API token is also taken from the link (``?token=cmt_…``): the calendar feed, as
#: calendar applications cannot send headers. Only a token with one of `LINK_TOKEN_SCOPES`.
LINK_TOKEN_PATH: Final = re.compile(r"/api/agreements/[^/]+/calendar\.ics")
LINK_TOKEN_SCOPES: Final = frozenset({"calendar", "read"})
#: Longest link token looked up (a real one is far shorter).
_LINK_TOKEN_MAX = 200


def routed_path(request: Request) -> str:
    """The path the app routes `request` on: without the root path a proxy may serve the app
    under."""
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def get_principal(
    request: Request,
    session: SessionDep,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    _session_cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Principal | None:
    """Who is asking: the bearer token if one is sent (a bad one is a 401, not anonymity),
    otherwise the session cookie, otherwise (on `LINK_TOKEN_PATH`) the token in the link;
    None when signed out. Refuses a person who still has a one-time password everywhere but
    `BEFORE_PASSWORD_CHANGE`."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    now = get_now(request)
    today = get_today(request)
    bearer = _bearer(request)
    principal: Principal | None = None
    if bearer is not None:
        found = accounts.resolve_token(session, bearer, now=now)
        if found is None:
            raise NotAuthenticated(
                "the API token is unknown, revoked or expired", reason="issue a new token"
            )
        account, token = found
        if accounts.token_needs_touch(token, now=now):
            touch_token(request, session, token.id, now)
        scopes = frozenset(token.scopes.split())
        principal = _principal(session, account, "token", scopes, today)
        needed = "read" if request.method in SAFE_METHODS else "write"
        if needed not in scopes:
            request.state.actor = principal.actor
            raise AccessDenied(
                f"this token may not {needed}",
                code="token.scope",
                reason=f"its scopes are: {' '.join(sorted(scopes))}",
                action=f"token.{needed}",
                target=f"token:{token.id}",
            )
    else:
        secret = request.cookies.get(SESSION_COOKIE)
        if secret:
            signed_in = accounts.resolve_session(session, secret, now=now)
            if signed_in is not None:
                principal = _principal(session, signed_in, "session", _ALL_SCOPES, today)
        if principal is None and LINK_TOKEN_PATH.fullmatch(routed_path(request)):
            principal = _link_token_principal(request, session, now, today)
    if principal is not None:
        request.state.principal = principal
        request.state.actor = principal.actor
        _refuse_before_password_change(request, principal)
    return principal


def _link_token_principal(
    request: Request, session: Session, now: datetime, today: date
) -> Principal | None:
    """The holder of the ``?token=`` in the link, or None when there is none; a bad one, or
    one without a link scope, is a 401."""
    secret = request.query_params.get("token")
    if not secret:
        return None
    found = accounts.resolve_token(session, secret[:_LINK_TOKEN_MAX], now=now)
    if found is None or not LINK_TOKEN_SCOPES & set(found[1].scopes.split()):
        raise NotAuthenticated(
            "the link's token is unknown, revoked, expired or not for this feed",
            reason="use an API token with the calendar scope",
        )
    account, token = found
    if accounts.token_needs_touch(token, now=now):
        touch_token(request, session, token.id, now)
    return _principal(session, account, "token", frozenset(token.scopes.split()), today)


def _refuse_before_password_change(request: Request, principal: Principal) -> None:
    """THE one-time password rule (see `BEFORE_PASSWORD_CHANGE`). The refusal is a denial:
    `get_session` records it (``account.denied``), as the request's path, never its query."""
    if not principal.must_change_password or routed_path(request) in BEFORE_PASSWORD_CHANGE:
        return
    raise PasswordChangeRequired(
        "choose a new password first: this account has a one-time password",
        reason="change it on /account/password or with POST /api/me/password",
        action="account.use",
        target=path_target(request),
    )


def touch_token(request: Request, session: Session, token_id: int, now: datetime) -> None:
    """Note a token's use: inside a writing request's own transaction (on SQLite it holds the
    write lock, so a second transaction would wait for it), otherwise in a short one of its
    own so that read requests stay read-only."""
    if request.method not in SAFE_METHODS:
        accounts.touch_token(session, token_id, now=now)
        return
    with write_session(get_engine(request)) as fresh, fresh.begin():
        accounts.touch_token(fresh, token_id, now=now)


def _principal(
    session: Session,
    account: Account,
    via: Literal["session", "token"],
    scopes: frozenset[str],
    today: date,
) -> Principal:
    return Principal(
        account_id=account.id,
        username=account.username,
        display_name=account.display_name,
        party=account.party,
        actor=accounts.actor_for(session, account, today=today),
        via=via,
        scopes=scopes,
        must_change_password=account.must_change_password,
    )


OptionalPrincipal = Annotated[Principal | None, Depends(get_principal)]


async def require_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated(
            "sign in first", reason="send the session cookie or an Authorization: Bearer token"
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]


async def current_actor(principal: CurrentPrincipal) -> Actor:
    return principal.actor


#: The signed-in actor (401 `auth.required` when nobody is signed in).
CurrentActor = Annotated[Actor, Depends(current_actor)]
