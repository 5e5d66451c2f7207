"""What a page route depends on: the frame (language, viewer, today, CSRF) and a signed-in person.

Owns the translation of the app's request dependencies (`comity.web.dependencies`) into what a
template needs. Invariant: a page that requires a signed-in person raises `NotAuthenticated`
before it reads anything, and the page error renderer turns that into a redirect to sign-in;
nothing here grants access — the services decide from the actor.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request

from comity.errors import NotAuthenticated
from comity.web import security
from comity.web.dependencies import OptionalPrincipal, Principal, Today, get_today
from comity.web.pages import i18n
from comity.web.pages.rendering import Frame, Viewer


def request_language(request: Request) -> str:
    """The locale of this request (cookie, then Accept-Language, then English)."""
    return i18n.negotiate(
        request.cookies.get(i18n.COOKIE_NAME), request.headers.get("accept-language")
    )


def viewer_of(principal: Principal | None) -> Viewer | None:
    if principal is None:
        return None
    return Viewer(
        display_name=principal.display_name,
        username=principal.username,
        party=principal.party,
        roles=frozenset(principal.actor.roles),
    )


def frame_for(request: Request, principal: Principal | None, today: date) -> Frame:
    return Frame(
        lang=request_language(request),
        today=today,
        csrf_token=security.csrf_token(request),
        user=viewer_of(principal),
    )


def get_frame(request: Request, principal: OptionalPrincipal, today: Today) -> Frame:
    return frame_for(request, principal, today)


def error_frame(request: Request) -> Frame:
    """The frame for an error page, built from what the failed request already established
    (the principal may be missing when the failure came before it was resolved)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    return frame_for(request, principal, get_today(request))


def require_signed_in(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated("sign in first", reason="this page is for signed-in people")
    return principal


PageFrame = Annotated[Frame, Depends(get_frame)]
SignedIn = Annotated[Principal, Depends(require_signed_in)]
