"""The lifecycle area in the database: agreements, their events, executing bodies, deadlines.

Each seam is a module of this package (`agreements`, `events`, `bodies`, `calendar`); callers
use the verbs re-exported here (``lifecycle.record_event(session, actor, agreement_id, …)``).
It owns every change to the `agreement`, `agreement_event` and `executing_body` tables.
"""

from comity.services.lifecycle.agreements import (
    ROLE,
    AgreementOverview,
    FieldChange,
    ImportResult,
    display_title,
    get_overview,
    get_spec,
    import_agreement,
    list_agreements,
    state_on,
    titles,
)
from comity.services.lifecycle.bodies import BodyDesignation, designate_body, executing_bodies
from comity.services.lifecycle.calendar import UpcomingDeadline, ics_feed, upcoming_deadlines
from comity.services.lifecycle.events import (
    AgreementEventView,
    RecordedEvent,
    list_events,
    record_event,
)

__all__ = [
    "ROLE",
    "AgreementEventView",
    "AgreementOverview",
    "BodyDesignation",
    "FieldChange",
    "ImportResult",
    "RecordedEvent",
    "UpcomingDeadline",
    "designate_body",
    "display_title",
    "executing_bodies",
    "get_overview",
    "get_spec",
    "ics_feed",
    "import_agreement",
    "list_agreements",
    "list_events",
    "record_event",
    "state_on",
    "titles",
    "upcoming_deadlines",
]
