"""Errors on pages: the same `ComityError` the API renders as JSON, rendered as an HTML page.

Owns `render_page_error`, which `create_app` calls for every error outside ``/api``. Invariants:
the status is the one from the app's single table (`comity.web.errors.STATUS`), passed in; a
person who is not signed in is sent to the sign-in page, and one who still has a one-time
password to the password form (with the page they wanted), instead of an error; the page says
what happened in the reader's language and leaks no internals.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from comity.errors import AccessDenied, ComityError, NotAuthenticated, PasswordChangeRequired
from comity.web.pages.dependencies import error_frame
from comity.web.pages.rendering import Frame, is_partial_request, render
from comity.web.pages.vocabulary import N_
from comity.web.security import SAFE_METHODS

_HEADINGS = {
    400: (N_("The request could not be used"), N_("Something in the request was not right.")),
    401: (N_("Sign-in needed"), N_("Sign in to see this page.")),
    403: (
        N_("Not allowed"),
        N_("Your role does not allow this page or action. Ask an administrator if you need it."),
    ),
    404: (N_("Not found"), N_("There is nothing at this address.")),
    409: (N_("Conflict"), N_("This change conflicts with what is already recorded.")),
    422: (N_("Invalid input"), N_("Something in the request was not valid.")),
    429: (N_("Too many attempts"), N_("Too many failed sign-ins. Wait a while and try again.")),
    503: (N_("Unavailable"), N_("The service cannot be used right now. Try again later.")),
}
_DEFAULT = (N_("Something went wrong"), N_("The request could not be completed."))


def sign_in_location(request: Request) -> str:
    """The sign-in page, asked to return to the page that was refused."""
    return "/sign-in?next=" + quote(_wanted(request), safe="")


def password_location(request: Request) -> str:
    """The password form, asked to go on to the page that was refused."""
    return "/account/password?next=" + quote(_wanted(request), safe="")


def _wanted(request: Request) -> str:
    """Where to go back to: the page asked for; after a refused form post, which a redirect
    cannot repeat, the dashboard."""
    if request.method not in SAFE_METHODS:
        return "/"
    wanted = request.url.path
    if request.url.query:
        wanted += "?" + request.url.query
    return wanted


def _redirect(request: Request, location: str) -> Response:
    if is_partial_request(request):
        # htmx follows HX-Redirect with a full page load instead of swapping a fragment.
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


_NEEDS_ROLE = re.compile(r"^needs the role (?P<roles>[a-z_]+(?: or [a-z_]+)*)$")


def _role_needed(error: ComityError, frame: Frame) -> str | None:
    """A role refusal (`kernel.require_role`'s reason) in the reader's language."""
    match = _NEEDS_ROLE.match(error.reason or "") if isinstance(error, AccessDenied) else None
    if match is None:
        return None
    roles = ", ".join(frame.term(role) for role in match["roles"].split(" or "))
    return frame.gettext("This needs the role: %(roles)s.") % {"roles": roles}


def render_page_error(request: Request, error: ComityError, status: int) -> Response:
    if isinstance(error, NotAuthenticated):
        return _redirect(request, sign_in_location(request))
    if isinstance(error, PasswordChangeRequired):
        return _redirect(request, password_location(request))
    frame = error_frame(request)
    heading, explanation = _HEADINGS.get(status, _DEFAULT)
    detail = _role_needed(error, frame) or error.reason
    response = render(
        request,
        frame,
        "errors/error.html",
        {
            "heading": frame.gettext(heading),
            "explanation": frame.gettext(explanation),
            "detail": detail,
            "error_code": error.code,
        },
        status_code=status,
    )
    retry_after = error.fields.get("retry_after")
    if status == 429 and retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response
