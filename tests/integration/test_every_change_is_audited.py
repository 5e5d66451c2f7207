"""Every service that changes state appends exactly the audit leaves it should — and reads
append none.

One scenario walks through every state-changing service of every area (lifecycle, security,
accounts, and the audit log's own) in one session and compares, call by call, the actions
appended to the log. The check at the end walks every module under `comity.services` by itself
and fails when one holds a public `(session, actor, …)` function that did not run during the
scenario (called by it, or by a service it called), so a new service (or a new area) cannot slip
in unaudited.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import comity.services
from comity.domain.actors import Actor
from comity.domain.security import labels
from comity.errors import AccessDenied
from comity.persistence.models.audit import AuditLeaf
from comity.services import accounts, audit, lifecycle, security
from tests.unit.audit.trees import signer_from_seed

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FOUNDING = "tr-az-defence-industry-2017"
OPERATOR = Actor.local_operator("test")
TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
SERVICES = f"{comity.services.__name__}."


def appended(session: Session, call: Callable[[], Any]) -> tuple[Any, list[str]]:
    """Run `call` and return its result with the actions it appended, in order."""
    size = session.scalar(select(func.count()).select_from(AuditLeaf)) or 0
    result = call()
    session.flush()
    rows = session.scalars(
        select(AuditLeaf.action).where(AuditLeaf.index >= size).order_by(AuditLeaf.index)
    ).all()
    return result, list(rows)


class Scenario:
    """Calls services one by one, checking the leaves each appends and noting every service
    function that ran (the one called, and the helpers it called in turn: their leaves are
    part of what the step appended)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.exercised: set[str] = set()

    def __call__(
        self, function: Callable[..., Any], *args: Any, expect: list[str], **kwargs: Any
    ) -> Any:
        def note(frame: FrameType, event: str, _arg: object) -> None:
            module = frame.f_globals.get("__name__", "")
            if event == "call" and module.startswith(SERVICES):
                self.exercised.add(f"{module}.{frame.f_code.co_name}")

        sys.setprofile(note)
        try:
            result, actions = appended(
                self.session, lambda: function(self.session, *args, **kwargs)
            )
        finally:
            sys.setprofile(None)
        assert actions == expect, f"{function.__name__} appended {actions}, expected {expect}"
        return result


def test_each_state_changing_service_appends_exactly_its_leaves(db_session: Session) -> None:
    step = Scenario(db_session)
    text = (EXAMPLES / "agreements" / f"{FOUNDING}.toml").read_text(encoding="utf-8")

    # Agreements: import, unchanged re-import, event, executing body; reads append nothing.
    step(
        lifecycle.import_agreement,
        OPERATOR,
        text=text,
        source="x.toml",
        expect=["agreement.import"],
    )
    step(lifecycle.import_agreement, OPERATOR, text=text, source="x.toml", expect=[])
    changed = text.replace('initial = "P5Y"', 'initial = "P6Y"', 1)
    assert changed != text
    step(
        lifecycle.import_agreement,
        OPERATOR,
        text=changed,
        source="x.toml",
        expect=["agreement.update"],
    )
    step(
        lifecycle.record_event,
        OPERATOR,
        FOUNDING,
        event_fields={
            "kind": "notification",
            "party": "TUR",
            "date": "2021-03-01",
            "evidence": "note verbale",
        },
        expect=["agreement.record_event"],
    )
    step(
        lifecycle.designate_body,
        OPERATOR,
        FOUNDING,
        party="AZE",
        body="Ministry of Defence Industry",
        valid_from=date(2017, 10, 31),
        evidence="decree",
        expect=["agreement.designate_body"],
    )
    step(lifecycle.state_on, FOUNDING, as_of=TODAY, expect=[])
    step(lifecycle.list_agreements, as_of=TODAY, expect=[])
    step(lifecycle.upcoming_deadlines, today=TODAY, within_days=400, expect=[])
    step(lifecycle.ics_feed, FOUNDING, today=TODAY, expect=[])

    # Security: schemes, equivalence, clearance and need-to-know, granted and revoked.
    for name in ("tur", "aze", "tr-az-2017"):
        scheme = (EXAMPLES / "security" / f"{name}.toml").read_text(encoding="utf-8")
        step(security.load_scheme, OPERATOR, text=scheme, source=name, expect=["scheme.load"])
    table = (EXAMPLES / "security" / "tr-az-2017-equivalence.toml").read_text(encoding="utf-8")
    step(security.load_equivalence, OPERATOR, text=table, source="eq", expect=["equivalence.load"])
    clearance = step(
        security.grant_clearance,
        OPERATOR,
        "ayse",
        policy="TUR",
        nationality="TUR",
        issuing_authority="MSB",
        valid_from=date(2026, 1, 1),
        level="GİZLİ",
        expect=["clearance.grant"],
    )
    grant = step(
        security.add_need_to_know,
        OPERATOR,
        "ayse",
        compartment="PROJECT-A",
        reason="project lead",
        valid_from=date(2026, 1, 1),
        expect=["need_to_know.grant"],
    )
    step(security.explain_access, "ayse", labels.parse("TUR | GİZLİ"), today=TODAY, expect=[])
    step(
        security.revoke_need_to_know,
        OPERATOR,
        grant.id,
        on=TODAY,
        reason="left",
        expect=["need_to_know.revoke"],
    )
    step(
        security.revoke_clearance,
        OPERATOR,
        clearance.id,
        on=TODAY,
        reason="left",
        expect=["clearance.revoke"],
    )

    # Accounts: every administrative change; sign-in and sign-out are audited too.
    user = step(
        accounts.add_user,
        OPERATOR,
        "ayse.officer",
        display_name="Ayşe",
        party="TUR",
        password="correct horse battery staple",
        now=NOW,
        expect=["account.create"],
    )
    role = step(
        accounts.grant_role,
        OPERATOR,
        "ayse.officer",
        role="treaty_officer",
        valid_from=TODAY,
        now=NOW,
        expect=["account.grant_role"],
    )
    token = step(
        accounts.issue_token,
        OPERATOR,
        "ayse.officer",
        name="script",
        scopes=["read"],
        now=NOW,
        expect=["token.issue"],
    )
    step(accounts.revoke_token, OPERATOR, token.token.id, now=NOW, expect=["token.revoke"])
    step(
        accounts.revoke_role,
        OPERATOR,
        role.id,
        today=TODAY,
        now=NOW,
        expect=["account.revoke_role"],
    )
    step(
        accounts.reset_password,
        OPERATOR,
        "ayse.officer",
        password="another long passphrase",
        now=NOW,
        expect=["account.reset_password"],
    )
    step(
        accounts.change_password,
        Actor(person="ayse.officer", party="TUR"),
        "ayse.officer",
        current_password="another long passphrase",
        new_password="a third long passphrase",
        now=NOW,
        expect=["account.change_password"],
    )
    step(accounts.list_users, OPERATOR, expect=[])
    step(accounts.disable_user, OPERATOR, "ayse.officer", now=NOW, expect=["account.disable"])
    assert user.account.username == "ayse.officer"

    # The audit log's own: an append, a refusal recorded, a signed checkpoint.
    step(
        audit.record,
        OPERATOR,
        "test.touch",
        audit.Target("test", "1"),
        {"after": {"touched": True}},
        expect=["test.touch"],
    )
    denial = AccessDenied("no", action="agreement.record_event", target=f"agreement:{FOUNDING}")
    step(audit.record_denial, OPERATOR, denial, expect=["agreement.denied"])
    signer = signer_from_seed("comity/local", bytes(32))
    step(audit.checkpoint, OPERATOR, signer, now=NOW, expect=[])

    # A new `(session, actor, …)` service must join this scenario, so none slips in unaudited.
    read_only = {
        "comity.services.accounts.users.get_user",
        "comity.services.accounts.roles.roles_of",
        "comity.services.accounts.tokens.tokens_of",
    }
    missing = _services() - step.exercised - read_only
    assert not missing, f"services not exercised by the audit scenario: {sorted(missing)}"


def _services() -> set[str]:
    """Every public function of every module under `comity.services` that takes a session and
    an actor first: the services that may change state."""
    names = set()
    for found in pkgutil.walk_packages(comity.services.__path__, SERVICES):
        module = importlib.import_module(found.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameters = list(inspect.signature(function).parameters)
            if parameters[:2] == ["session", "actor"]:
                names.add(f"{module.__name__}.{name}")
    return names


def test_the_walk_finds_every_area_s_services() -> None:
    """The walk is not vacuous: it reaches into every area's package."""
    areas = {name.split(".")[2] for name in _services()}
    assert areas >= {"accounts", "audit", "lifecycle", "security"}
