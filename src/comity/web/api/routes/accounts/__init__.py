"""The accounts area's API: signing in and out (`session`), and account administration with
API tokens (`users`)."""

from fastapi import APIRouter

from comity.web.api.routes.accounts import session, users

router = APIRouter()
router.include_router(session.router)
router.include_router(users.router)
