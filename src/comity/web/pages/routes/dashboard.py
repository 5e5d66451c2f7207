"""The dashboard: upcoming deadlines across every agreement (what, when, days left, who acts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from comity.services import lifecycle
from comity.web.dependencies import SessionDep
from comity.web.pages.dependencies import PageFrame, SignedIn
from comity.web.pages.rendering import render

router = APIRouter()

DEFAULT_WINDOW_DAYS = 90
MAX_WINDOW_DAYS = 3660


@dataclass(frozen=True)
class DeadlineRow:
    agreement_id: str
    title: str
    date: date
    #: The engine's deadline kind (``non_renewal_notice``), translated by the template.
    kind: str
    party: str | None
    reason: str
    days_left: int


@router.get("/", name="pages.dashboard")
def dashboard(
    request: Request,
    session: SessionDep,
    principal: SignedIn,
    frame: PageFrame,
    within: int = DEFAULT_WINDOW_DAYS,
) -> Response:
    within = min(max(within, 0), MAX_WINDOW_DAYS)
    titles = lifecycle.titles(session)
    rows = [
        DeadlineRow(
            agreement_id=item.agreement_id,
            title=_title(titles.get(item.agreement_id), frame.lang) or item.title,
            date=item.date,
            kind=item.kind,
            party=item.party,
            reason=item.reason,
            days_left=(item.date - frame.today).days,
        )
        for item in lifecycle.upcoming_deadlines(session, today=frame.today, within_days=within)
    ]
    return render(
        request,
        frame,
        "dashboard/index.html",
        {"deadlines": rows, "within_days": within, "nav": "dashboard"},
    )


def _title(title: object, lang: str) -> str:
    """The title in the reader's language when the agreement has one, else the usual one."""
    if not isinstance(title, dict):
        return ""
    text = title.get(lang)
    return text if isinstance(text, str) else lifecycle.display_title(title)
