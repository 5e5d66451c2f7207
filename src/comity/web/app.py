"""The FastAPI application: one app, two faces (``/api`` JSON with OpenAPI, pages in HTML).

`create_app(settings)` builds everything from explicit settings (tests pass their own database
and clock); `app_factory()` is what uvicorn imports (``comity.web.app:app_factory``,
``factory=True``) and reads the environment once. Invariant: every response passes the
security-headers middleware, and every error leaves through `comity.web.errors`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from comity.config import Settings
from comity.persistence.db import make_engine
from comity.services import audit
from comity.web import errors, log_redaction
from comity.web.security import RequestGuardMiddleware, SecurityHeadersMiddleware, csrf_protect
from comity.web.settings import WebSettings

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings | None = None,
    *,
    web: WebSettings | None = None,
    engine: Engine | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Build the app. `engine` defaults to one made from `settings`; `clock` (UTC-aware
    datetimes) defaults to the system clock and decides "today" for every request."""
    settings = settings or Settings()
    web = web or WebSettings()
    owned_engine = engine is None
    # Every session of the app appends under this node's log origin (requests, denials, CSRF).
    engine = audit.engine_with_origin(
        engine or make_engine(settings.resolved_database_url()), settings.log_origin
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned_engine:
            engine.dispose()

    app = FastAPI(
        title="comity",
        summary="Records, workflow and information security for a cooperation agreement.",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        # The interactive docs load scripts from a CDN: not with this CSP, not on this network.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(csrf_protect)],
    )
    app.state.settings = settings
    app.state.web_settings = web
    app.state.engine = engine
    app.state.clock = clock or _utc_now
    app.state.secure_cookies = web.secure_cookies
    app.state.session_lifetime = web.session_lifetime()
    app.state.throttle_policy = web.throttle_policy()
    #: Set by the pages (`comity.web.pages.install`; docs/web.md, "Errors"): renders a
    #: ComityError as an HTML page.
    app.state.render_page_error = None

    errors.install(app)

    from comity.web.api import router as api_router

    app.include_router(api_router)

    from comity.web import pages

    pages.install(app)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Last added runs first: the headers wrap everything, including the guard's 413/415.
    app.add_middleware(RequestGuardMiddleware, max_body_bytes=web.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, secure_cookies=web.secure_cookies)
    return app


def app_factory() -> FastAPI:
    """For uvicorn (``comity.web.app:app_factory`` with ``factory=True``): settings from the
    environment (``COMITY_*``, ``COMITY_WEB_*``)."""
    # Each server process (one per uvicorn worker) masks tokens in its request log.
    log_redaction.install()
    return create_app(Settings(), web=WebSettings())
