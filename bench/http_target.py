"""The server `bench_http.py` starts: comity's app, and beside it a bare Starlette endpoint.

``/bare`` is answered by a plain Starlette app that sees the request before comity's
middleware, routing, dependencies and database do; everything else goes to the comity app.
Both run in the same uvicorn process, so the ratio of their throughputs is comity's own cost
on this machine. Started as ``uvicorn http_target:make --factory --app-dir bench``.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from comity.web.app import app_factory


async def _bare(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


class Dispatch:
    def __init__(self, comity: ASGIApp, bare: ASGIApp) -> None:
        self.comity = comity
        self.bare = bare

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/bare":
            await self.bare(scope, receive, send)
            return
        await self.comity(scope, receive, send)


def make() -> ASGIApp:
    return Dispatch(app_factory(), Starlette(routes=[Route("/bare", _bare)]))
