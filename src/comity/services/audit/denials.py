"""Recording refusals: every denial is in the audit log, even though the denied change is not.

Invariant: an entry point that catches an `AccessDenied` rolls the work back and then calls
`record_denial` in a fresh transaction of its own, so the ``<subject>.denied`` leaf commits
whatever happened to the denied work.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.audit.leaves import Target
from comity.errors import AccessDenied
from comity.services.audit.append import record


def record_denial(session: Session, actor: Actor, denial: AccessDenied) -> None:
    """Append the ``<subject>.denied`` leaf for `denial` (see the module docstring)."""
    action = str(denial.fields.get("action") or "unknown.action")
    target_text = str(denial.fields.get("target") or "unknown:unknown")
    target_type, _, target_id = target_text.partition(":")
    subject = action.split(".", 1)[0]
    record(
        session,
        actor,
        f"{subject}.denied",
        Target(target_type, target_id),
        {"after": {"attempted": action, "reason": denial.reason or denial.message}},
    )
