"""The HTML face of the app: server-rendered pages (Jinja2 + htmx), in English, Turkish and
Azerbaijani.

Owns every route that answers with HTML and the page rendering of errors. Invariant: pages are
thin — each route asks the same services as the JSON API, with the actor of the signed-in
person, and only turns the answer into HTML; no page decides access or changes state itself.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from comity.web.pages import errors
from comity.web.pages.routes import agreements, auth, dashboard, language

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(language.router)
router.include_router(dashboard.router)
router.include_router(agreements.router)


def install(app: FastAPI) -> None:
    """Add the page routes and the HTML error renderer to `app` (called by `create_app`)."""
    app.include_router(router)
    app.state.render_page_error = errors.render_page_error
