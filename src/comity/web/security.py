"""Request guards and response hardening for every response the app sends.

Owns: the security headers (a CSP without inline script, no framing, nosniff, referrer policy,
HSTS over TLS), the body-size limit (413) and the API's content-type rule (415), cookie
attributes, and CSRF protection.

CSRF rule (synchroniser token bound to the session): a state-changing request that relies on
the session cookie must carry ``X-CSRF-Token`` (or the form field ``csrf_token``) equal to
HMAC(session id, "csrf"). Requests without a session (the sign-in form) use a double-submit
secret in the ``comity_csrf`` cookie instead. Bearer-token requests carry no ambient authority
and are exempt, and so are anonymous JSON requests and JSON sign-ins (`json_sign_in`), which a
cross-site page cannot send (no CORS is offered and the API refuses every other content type)
and which use no session's authority.

Every CSRF refusal is a denial and is audited (a ``web.denied`` leaf, attempted action
``web.csrf_refused``, target the request path) in a transaction of its own, as the session's
person when the cookie names a live session and as ``anonymous`` (party ``UNKNOWN``) otherwise.
Refusals are not throttled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeVar

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from comity.crypto import tokens
from comity.errors import AccessDenied
from comity.persistence.db import write_session
from comity.services import accounts, audit

SESSION_COOKIE = "comity_session"
CSRF_COOKIE = "comity_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
_HSTS = (b"strict-transport-security", b"max-age=31536000")

#: Key in ``scope["state"]`` under which a route asks for the anonymous CSRF cookie to be set.
_STATE_CSRF = "comity_csrf_cookie"


def is_secure(request: Request) -> bool:
    mode = getattr(request.app.state, "secure_cookies", "auto")
    if mode == "always":
        return True
    if mode == "never":
        return False
    # uvicorn rewrites the scheme from X-Forwarded-Proto only for proxies it trusts.
    return request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, secret: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_secure(request)
    )


# --- CSRF ---------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The token a page puts in its forms (field ``csrf_token``) and htmx headers
    (``X-CSRF-Token``). Bound to the session cookie; before sign-in, to a random cookie
    that this call arranges to set on the response."""
    session_secret = request.cookies.get(SESSION_COOKIE)
    if session_secret:
        return tokens.derive(session_secret, "csrf")
    anonymous = request.cookies.get(CSRF_COOKIE) or getattr(request.state, _STATE_CSRF, None)
    if not anonymous:
        anonymous = tokens.new_secret()
        setattr(request.state, _STATE_CSRF, anonymous)
    return tokens.derive(anonymous, "csrf")


def csrf_token_for_session(session_secret: str) -> str:
    """The CSRF token of a session just created (its cookie is not on the request yet)."""
    return tokens.derive(session_secret, "csrf")


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _is_form(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in {"application/x-www-form-urlencoded", "multipart/form-data"}


_JSON_SIGN_IN = "__comity_json_sign_in__"

F = TypeVar("F", bound=Callable[..., Any])


def json_sign_in(endpoint: F) -> F:
    """Mark a sign-in endpoint: a JSON request to it needs no CSRF token even when it carries
    an old session cookie (it acts with the credentials in its body, not the cookie's)."""
    setattr(endpoint, _JSON_SIGN_IN, True)
    return endpoint


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: refuse a state-changing cookie request without the right token."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    session_secret = request.cookies.get(SESSION_COOKIE)
    content_type = request.headers.get("content-type", "")
    if _is_json(content_type) and (
        not session_secret or getattr(request.scope.get("endpoint"), _JSON_SIGN_IN, False)
    ):
        return
    submitted = request.headers.get(CSRF_HEADER)
    if not submitted and _is_form(content_type):
        value = (await request.form()).get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not submitted:
        await _refuse_csrf(
            request,
            AccessDenied(
                "the request carries no CSRF token",
                code="csrf.missing",
                reason=f"send the {CSRF_HEADER} header or the {CSRF_FIELD} form field",
                **_csrf_denial_fields(request),
            ),
        )
    secret = session_secret or request.cookies.get(CSRF_COOKIE)
    if not secret or not tokens.same(submitted, tokens.derive(secret, "csrf")):
        await _refuse_csrf(
            request,
            AccessDenied(
                "the CSRF token does not match this session",
                code="csrf.mismatch",
                reason="reload the page and try again",
                **_csrf_denial_fields(request),
            ),
        )


#: The attempted action a CSRF refusal is audited under (its leaf is ``web.denied``).
CSRF_REFUSED_ACTION = "web.csrf_refused"
#: Longest path kept as a refusal's audit target (the leaf's record id holds 200 characters).
_TARGET_PATH_MAX = 200


def path_target(request: Request) -> str:
    """The audit target of a refused request: its path alone, never the query string (which
    may carry a token), a submitted token or the body."""
    return f"path:{request.url.path[:_TARGET_PATH_MAX]}"


def _csrf_denial_fields(request: Request) -> dict[str, str]:
    return {"action": CSRF_REFUSED_ACTION, "target": path_target(request)}


async def _refuse_csrf(request: Request, denial: AccessDenied) -> NoReturn:
    """Audit a CSRF refusal in a transaction of its own, then raise it.

    A refusal is a denial, and every denial is audited. It happens before the request's own
    transaction exists (this guard runs first), so it is recorded here rather than by
    `dependencies.get_session`. The actor is the person of the session cookie when the cookie
    names a live session, otherwise `accounts.ANONYMOUS` (``anonymous`` of party ``UNKNOWN``).
    """
    await run_in_threadpool(_record_csrf_refusal, request, denial)
    raise denial


def _record_csrf_refusal(request: Request, denial: AccessDenied) -> None:
    engine = request.app.state.engine
    # The request's moment as `dependencies.get_now` reads it (that module imports this one).
    now: datetime | None = getattr(request.state, "now", None)
    if now is None:
        now = request.app.state.clock().astimezone(UTC)
        request.state.now = now
    session_secret = request.cookies.get(SESSION_COOKIE)
    with write_session(engine) as session, session.begin():
        actor = accounts.ANONYMOUS
        if session_secret:
            account = accounts.resolve_session(session, session_secret, now=now)
            if account is not None:
                actor = accounts.actor_for(session, account, today=now.date())
        audit.record_denial(session, actor, denial)


# --- middleware ---------------------------------------------------------------------------


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response (pages, API, static files, 404s) and
    sets the anonymous CSRF cookie when a route asked for one."""

    def __init__(self, app: ASGIApp, *, secure_cookies: str = "auto") -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = scope.get("scheme") == "https"
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers[name.decode()] = value.decode()
                if tls:
                    headers[_HSTS[0].decode()] = _HSTS[1].decode()
                if not static and "cache-control" not in headers:
                    # Responses may hold one party's data: never keep them in shared caches.
                    headers["cache-control"] = "no-store"
                anonymous = scope.get("state", {}).get(_STATE_CSRF)
                if anonymous:
                    secure = self.secure_cookies == "always" or (
                        self.secure_cookies == "auto" and tls
                    )
                    cookie = f"{CSRF_COOKIE}={anonymous}; Path=/; HttpOnly; SameSite=Lax"
                    headers.append("set-cookie", cookie + ("; Secure" if secure else ""))
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(Exception):
    pass


def _error_bytes(code: str, message: str, reason: str) -> bytes:
    import json

    body = {"error": code, "detail": {"message": message, "reason": reason}}
    return json.dumps(body).encode()


class RequestGuardMiddleware:
    """413 for bodies over the limit (declared or streamed) and 415 for API bodies that are
    not JSON, before any route reads them."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        limit = self.max_body_bytes
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(send, 413, "payload_too_large", limit)
            return
        has_body = (declared.isdigit() and int(declared) > 0) or "transfer-encoding" in headers
        path = str(scope.get("path", ""))
        if path.startswith("/api/") and has_body and not _is_json(headers.get("content-type", "")):
            await self._refuse(send, 415, "unsupported_media_type", limit)
            return

        state: dict[str, Any] = {"received": 0, "too_large": False, "started": False}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["too_large"] = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if state["too_large"]:
                # The app turned the aborted read into some other error: answer 413 instead.
                if message["type"] == "http.response.start" and not state["started"]:
                    state["started"] = True
                    await self._refuse(send, 413, "payload_too_large", limit)
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            if not state["started"]:
                state["started"] = True
                await self._refuse(send, 413, "payload_too_large", limit)

    @staticmethod
    async def _refuse(send: Send, status: int, code: str, limit: int) -> None:
        if status == 413:
            body = _error_bytes(
                code, "the request body is too large", f"send at most {limit} bytes"
            )
        else:
            body = _error_bytes(
                code, "the API accepts JSON bodies only", "send Content-Type: application/json"
            )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
