"""The JSON API under ``/api``: the `router` of every module in `routes/` (one per area, in the
order of their names, found there: a new area adds its module and edits nothing here), every
error documented.

Invariant: every operation documents the error statuses it can return with `ErrorBody`, so the
OpenAPI document (``/api/openapi.json``) describes every response a client can get.
"""

from __future__ import annotations

from fastapi import APIRouter

from comity.discovery import submodules
from comity.web.api import routes
from comity.web.errors import error_responses

#: Statuses any operation can answer: malformed request, no or bad credentials, denied,
#: invalid input, database unavailable. (413 and 415, which the request guard answers to any
#: request that may carry a body, are declared by `comity.web.errors` for those operations.)
COMMON_ERRORS = error_responses(400, 401, 403, 422, 503)

router = APIRouter(prefix="/api", responses=COMMON_ERRORS)
for _area in submodules(routes):
    router.include_router(_area.router)
