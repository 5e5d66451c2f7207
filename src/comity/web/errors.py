"""Errors rendered at the HTTP edge: the one status table, the JSON shape, the handlers.

Invariant: every failure a client can cause leaves as ``{"error": code, "detail": {...}}`` with
the status from `STATUS` (JSON under ``/api``; pages may install an HTML renderer for the rest),
never as a traceback. Only a bug gives a 500, and then without internals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from comity.errors import (
    AccessDenied,
    ComityError,
    Conflict,
    IntegrityFailure,
    InvalidInput,
    InvalidTransition,
    NotAuthenticated,
    NotFound,
    SignInRefused,
    Throttled,
    Unavailable,
)

#: THE mapping from error family to HTTP status; most specific first (first match wins).
#: IntegrityFailure is a 500 on purpose: stored history failed verification, which is the
#: server's fault and needs an operator, not a retry by the client.
STATUS: tuple[tuple[type[ComityError], int], ...] = (
    (NotAuthenticated, 401),
    (SignInRefused, 401),
    (Throttled, 429),
    (InvalidInput, 422),
    (NotFound, 404),
    (AccessDenied, 403),
    (InvalidTransition, 409),
    (Conflict, 409),
    (Unavailable, 503),
    (IntegrityFailure, 500),
    (ComityError, 400),
)

PageErrorRenderer = Callable[[Request, ComityError, int], Response]


def status_for(error: ComityError) -> int:
    for family, status in STATUS:
        if isinstance(error, family):
            return status
    return 400  # unreachable: ComityError closes the table


class ErrorDetail(BaseModel):
    """What, where and why; specific errors add fields (``retry_after``, ``errors``, …)."""

    model_config = ConfigDict(extra="allow")

    message: str
    location: str | None = None
    reason: str | None = None


class ErrorBody(BaseModel):
    """Every error response: a stable machine code and a detail for people."""

    error: str
    detail: ErrorDetail


_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Not signed in, or wrong credentials",
    403: "Not allowed (role, token scope or CSRF check)",
    404: "No such record",
    405: "Method not allowed",
    409: "Conflicts with the current state",
    413: "Request body too large",
    415: "Unsupported content type (the API takes application/json)",
    422: "Invalid input",
    429: "Too many wrong passwords (signing in or changing one); see Retry-After",
    503: "Database or another resource unavailable",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` documenting the given error statuses with the error model."""
    return {
        status: {"model": ErrorBody, "description": _DESCRIPTIONS.get(status, "Error")}
        for status in statuses
    }


#: What the request guard (`comity.web.security.RequestGuardMiddleware`) answers, before any
#: route runs, to a request that may carry a body — every method but GET, HEAD, OPTIONS and
#: TRACE, whether or not the operation reads one: too large, or (under ``/api``) not JSON.
BODY_GUARD_STATUSES: Final = (413, 415)
_SAFE_OPERATIONS: Final = frozenset({"get", "head", "options", "trace"})


def _declare_body_guard(document: dict[str, Any]) -> None:
    """Add `BODY_GUARD_STATUSES` to every operation of `document` that may carry a body. The
    error model is in the document already: every API operation documents its other errors
    with it (`comity.web.api.COMMON_ERRORS`)."""
    reference = {"$ref": "#/components/schemas/ErrorBody"}
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method in _SAFE_OPERATIONS or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status in BODY_GUARD_STATUSES:
                responses.setdefault(
                    str(status),
                    {
                        "description": _DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": reference}},
                    },
                )


def _document_with_guards(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """`app.openapi`, with the guard's statuses declared once the document is built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _declare_body_guard(build())
        assert app.openapi_schema is not None
        return app.openapi_schema

    return openapi


def payload(code: str, message: str, **detail: Any) -> dict[str, Any]:
    return {"error": code, "detail": {"message": message, **detail}}


def json_error(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(body, status_code=status, headers=headers)


def render(request: Request, error: ComityError) -> Response:
    """The response for `error`: JSON for the API (and when no page renderer is installed),
    otherwise the pages' renderer."""
    status = status_for(error)
    renderer: PageErrorRenderer | None = getattr(request.app.state, "render_page_error", None)
    if renderer is not None and not wants_json(request):
        return renderer(request, error, status)
    headers = {}
    retry_after = error.fields.get("retry_after")
    if status == 429 and retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return json_error(status, error.as_dict(), headers)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _on_comity_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ComityError)
    return render(request, exc)


def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "location": ".".join(str(part) for part in err.get("loc", ())),
            "reason": str(err.get("msg", "invalid")),
        }
        for err in exc.errors()
    ]
    first = errors[0] if errors else {"location": "request", "reason": "invalid"}
    error = InvalidInput(
        "the request is not valid",
        location=first["location"],
        reason=first["reason"],
        errors=errors,
    )
    return render(request, error)


_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return render(
            request,
            NotFound(f"nothing at {request.url.path}", reason="check the address"),
        )
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "the request was refused"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the first route that matched the path; list them all.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return json_error(exc.status_code, payload(code, message), headers)


def _allowed_methods(request: Request) -> list[str]:
    allowed: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            allowed.update(getattr(route, "methods", None) or ())
    return sorted(allowed)


def _on_integrity_error(request: Request, exc: Exception) -> Response:
    # A unique or foreign-key constraint caught a race two requests ran at once.
    return render(
        request,
        Conflict("the change collides with another one made at the same time", reason="retry"),
    )


def _on_data_error(request: Request, exc: Exception) -> Response:
    # The database refused a value the validation let through (a NUL character, a number or
    # text too large for its column): the client's input, so a 422, and nothing was changed.
    return render(
        request,
        InvalidInput(
            "a value cannot be stored", location="request", reason="a value is out of range"
        ),
    )


def _on_database_error(request: Request, exc: Exception) -> Response:
    return render(
        request, Unavailable("the database cannot be used right now", reason="retry later")
    )


def _on_unexpected(request: Request, exc: Exception) -> Response:
    # A bug: no internals leave the server. The security headers are added here because
    # Starlette sends this response from outside the user middleware.
    from comity.web.security import SECURITY_HEADERS

    response = json_error(500, payload("internal", "something went wrong on the server"))
    for name, value in SECURITY_HEADERS:
        response.headers[name.decode()] = value.decode()
    return response


def install(app: FastAPI) -> None:
    # FastAPI's documented way to extend the generated document.
    app.openapi = _document_with_guards(app)  # type: ignore[method-assign]
    app.add_exception_handler(ComityError, _on_comity_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(IntegrityError, _on_integrity_error)
    app.add_exception_handler(DataError, _on_data_error)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected)
