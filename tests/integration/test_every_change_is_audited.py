"""Every service that changes state appends exactly the audit leaves it should — and reads
append none.

One scenario walks through every state-changing service of every area (agreements, security,
accounts) in one session and compares, call by call, the actions appended to the log. A test at
the end fails when a module grows a public `(session, actor, …)` service that the scenario does
not exercise, so a new service cannot slip in unaudited.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.domain.security import labels
from comity.persistence.models.audit import AuditLeaf
from comity.services import accounts, agreements, security

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FOUNDING = "tr-az-defence-industry-2017"
OPERATOR = Actor.local_operator("test")
TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


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
    """Calls services one by one, checking the leaves each appends and noting what it called."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.exercised: set[str] = set()

    def __call__(
        self, function: Callable[..., Any], *args: Any, expect: list[str], **kwargs: Any
    ) -> Any:
        self.exercised.add(f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}")
        result, actions = appended(self.session, lambda: function(self.session, *args, **kwargs))
        assert actions == expect, f"{function.__name__} appended {actions}, expected {expect}"
        return result


def test_each_state_changing_service_appends_exactly_its_leaves(db_session: Session) -> None:
    step = Scenario(db_session)
    text = (EXAMPLES / "agreements" / f"{FOUNDING}.toml").read_text(encoding="utf-8")

    # Agreements: import, unchanged re-import, event, executing body; reads append nothing.
    step(
        agreements.import_agreement,
        OPERATOR,
        text=text,
        source="x.toml",
        expect=["agreement.import"],
    )
    step(agreements.import_agreement, OPERATOR, text=text, source="x.toml", expect=[])
    changed = text.replace('initial = "P5Y"', 'initial = "P6Y"', 1)
    assert changed != text
    step(
        agreements.import_agreement,
        OPERATOR,
        text=changed,
        source="x.toml",
        expect=["agreement.update"],
    )
    step(
        agreements.record_event,
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
        agreements.designate_body,
        OPERATOR,
        FOUNDING,
        party="AZE",
        body="Ministry of Defence Industry",
        valid_from=date(2017, 10, 31),
        evidence="decree",
        expect=["agreement.designate_body"],
    )
    step(agreements.state_on, FOUNDING, as_of=TODAY, expect=[])
    step(agreements.list_agreements, as_of=TODAY, expect=[])
    step(agreements.upcoming_deadlines, today=TODAY, within_days=400, expect=[])
    step(agreements.ics_feed, FOUNDING, today=TODAY, expect=[])

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

    # A new `(session, actor, …)` service must join this scenario, so none slips in unaudited.
    services = _services(agreements) | _services(security) | _services(accounts)
    read_only = {"accounts.get_user", "accounts.roles_of", "accounts.tokens_of"}
    missing = services - step.exercised - read_only
    assert not missing, f"services not exercised by the audit scenario: {sorted(missing)}"


def _services(module: ModuleType) -> set[str]:
    """Public functions of `module` that take an actor second: the state-changing services."""
    names = set()
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or function.__module__ != module.__name__:
            continue
        parameters = list(inspect.signature(function).parameters)
        if parameters[:2] == ["session", "actor"]:
            names.add(f"{module.__name__.rsplit('.', 1)[-1]}.{name}")
    return names
