"""The language switch: remembers the reader's choice in a cookie and returns to their page.

Invariant: only a supported locale is ever stored, and the return address is a local path.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from comity.web.pages import i18n
from comity.web.pages.routes.accounts import safe_next
from comity.web.security import is_secure

router = APIRouter()


@router.post("/language", name="pages.set_language")
def set_language(
    request: Request,
    lang: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    chosen = i18n.supported(lang)
    if chosen is not None:
        response.set_cookie(
            i18n.COOKIE_NAME,
            chosen,
            max_age=i18n.COOKIE_MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=is_secure(request),
        )
    return response
