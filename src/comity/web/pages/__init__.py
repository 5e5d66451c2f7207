"""The HTML face of the app: server-rendered pages (Jinja2 + htmx), in English, Turkish and
Azerbaijani.

Owns every route that answers with HTML and the page rendering of errors. Invariant: pages are
thin — each route asks the same services as the JSON API, with the actor of the signed-in
person, and only turns the answer into HTML; no page decides access or changes state itself.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from comity.discovery import submodules
from comity.web.pages import errors, routes

#: The `router` of every module in `routes/`, in the order of their names (found there: a new
#: area adds its module and edits nothing here).
router = APIRouter(include_in_schema=False)
for _module in submodules(routes):
    router.include_router(_module.router)


def install(app: FastAPI) -> None:
    """Add the page routes and the HTML error renderer to `app` (called by `create_app`)."""
    app.include_router(router)
    app.state.render_page_error = errors.render_page_error
