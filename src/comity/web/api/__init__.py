"""The JSON API under ``/api``: one router per subject in `routes/`, every error documented.

Invariant: every operation documents the error statuses it can return with `ErrorBody`, so the
OpenAPI document (``/api/openapi.json``) describes every response a client can get.
"""

from __future__ import annotations

from fastapi import APIRouter

from comity.web.api.routes import agreements as agreement_routes
from comity.web.api.routes import session as session_routes
from comity.web.api.routes import users as user_routes
from comity.web.errors import error_responses

#: Statuses any operation can answer: malformed request, no or bad credentials, denied,
#: invalid input, database unavailable. (413 and 415, which the request guard answers to any
#: request that may carry a body, are declared by `comity.web.errors` for those operations.)
COMMON_ERRORS = error_responses(400, 401, 403, 422, 503)

router = APIRouter(prefix="/api", responses=COMMON_ERRORS)
router.include_router(session_routes.router)
router.include_router(agreement_routes.router)
router.include_router(user_routes.router)
