"""Sign in, sign out and password pages.

Invariants: the sign-in form posts with a CSRF token (a double-submit token before sign-in,
checked by the app-wide guard); a refused sign-in or password change is *returned* as a page,
never raised, so the throttle's failure count commits with the request; after sign-in the
browser only goes to a local path (`safe_next`), never to another site named in ``next``.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from comity.errors import InvalidInput, Throttled
from comity.services import accounts
from comity.web import auth
from comity.web.dependencies import Now, OptionalPrincipal, SessionDep
from comity.web.pages.dependencies import PageFrame, SignedIn
from comity.web.pages.rendering import render
from comity.web.pages.vocabulary import N_

router = APIRouter()

_REFUSED = N_("The sign-in name or password is wrong, or the account is disabled.")
_THROTTLED = N_("Too many failed sign-ins. Wait %(seconds)s seconds and try again.")
_PASSWORD_THROTTLED = N_("Too many wrong passwords. Wait %(seconds)s seconds and try again.")


def safe_next(value: str | None) -> str:
    """`value` if it is a path on this site, else the dashboard: never an open redirect."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(ch) < 32 for ch in value)
    ):
        return "/"
    return value


@router.get("/sign-in", name="pages.sign_in")
def sign_in_page(
    request: Request, frame: PageFrame, principal: OptionalPrincipal, next: str = ""
) -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        request, frame, "auth/sign_in.html", {"next": safe_next(next), "errors": {}, "username": ""}
    )


@router.post("/sign-in", name="pages.sign_in_submit")
def sign_in_submit(
    request: Request,
    session: SessionDep,
    frame: PageFrame,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = frame.gettext("Enter your sign-in name.")
    if not password:
        errors["password"] = frame.gettext("Enter your password.")
    context = {"next": safe_next(next), "errors": errors, "username": username.strip()}
    if errors:
        return render(request, frame, "auth/sign_in.html", context, status_code=422)
    outcome = auth.sign_in(request, session, username=username, password=password)
    if isinstance(outcome, Throttled):
        wait = outcome.fields.get("retry_after") or 0
        context["error"] = frame.gettext(_THROTTLED) % {"seconds": wait}
        refused = render(request, frame, "auth/sign_in.html", context, status_code=429)
        refused.headers["Retry-After"] = str(wait)
        return refused
    if not isinstance(outcome, auth.SignedIn):
        context["error"] = frame.gettext(_REFUSED)
        return render(request, frame, "auth/sign_in.html", context, status_code=401)
    target = safe_next(next)
    if outcome.account.must_change_password:
        # A one-time password opens only the page that replaces it.
        target = "/account/password?next=" + quote(target, safe="")
    response = RedirectResponse(target, status_code=303)
    auth.set_cookie(request, response, outcome)
    return response


@router.post("/sign-out", name="pages.sign_out")
def sign_out(request: Request, session: SessionDep) -> Response:
    response = RedirectResponse("/sign-in", status_code=303)
    auth.sign_out(request, session, response)
    return response


_PASSWORD_FIELDS = ("current_password", "new_password", "repeat_password")


@router.get("/account/password", name="pages.password")
def password_page(
    request: Request, principal: SignedIn, frame: PageFrame, next: str = ""
) -> Response:
    context = {
        "next": safe_next(next),
        "errors": {},
        "must_change": principal.must_change_password,
        "nav": "password",
    }
    return render(request, frame, "auth/password.html", context)


@router.post("/account/password", name="pages.password_submit")
def password_submit(
    request: Request,
    session: SessionDep,
    principal: SignedIn,
    frame: PageFrame,
    now: Now,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    repeat_password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    errors: dict[str, str] = {}
    if not current_password:
        errors["current_password"] = frame.gettext("Enter your current password.")
    if len(new_password) < accounts.MIN_PASSWORD_LENGTH:
        errors["new_password"] = frame.gettext("Use at least %(count)s characters.") % {
            "count": accounts.MIN_PASSWORD_LENGTH
        }
    elif new_password != repeat_password:
        errors["repeat_password"] = frame.gettext("The two new passwords differ.")
    retry_after: int | None = None
    if not errors:
        try:
            outcome = auth.change_password(
                request,
                session,
                principal,
                current_password=current_password,
                new_password=new_password,
                now=now,
            )
        except InvalidInput as error:
            outcome = error
        if isinstance(outcome, Throttled):
            retry_after = int(outcome.fields.get("retry_after") or 0)
            errors["current_password"] = frame.gettext(_PASSWORD_THROTTLED) % {
                "seconds": retry_after
            }
        elif isinstance(outcome, InvalidInput):
            field = outcome.location if outcome.location in _PASSWORD_FIELDS else "new_password"
            errors[field] = frame.gettext(outcome.message)
    if errors:
        context = {
            "next": safe_next(next),
            "errors": errors,
            "must_change": principal.must_change_password,
            "nav": "password",
        }
        # Returned, not raised: a wrong current password's failure count must commit.
        refused = render(
            request,
            frame,
            "auth/password.html",
            context,
            status_code=422 if retry_after is None else 429,
        )
        if retry_after is not None:
            refused.headers["Retry-After"] = str(retry_after)
        return refused
    return RedirectResponse(safe_next(next), status_code=303)
