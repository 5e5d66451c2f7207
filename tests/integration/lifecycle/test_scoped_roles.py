"""Agreement services honour the scope of the treaty-officer role (SQLite and PostgreSQL): an
officer for one agreement records, designates and re-imports on it, and is refused — with
nothing written — on another."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.errors import AccessDenied
from comity.persistence.models.audit import AuditLeaf
from comity.persistence.models.lifecycle import AgreementEvent, ExecutingBody
from comity.services import audit, lifecycle
from tests.integration.lifecycle.samples import COOPERATION, NOW, OFFICER, SCIENCE

A = "tr-az-cooperation"
B = "science-2025"
SCOPED = Actor(
    person="selin",
    party="TUR",
    roles=frozenset({"treaty_officer"}),
    grants=frozenset({("treaty_officer", A)}),
)
NOTICE = {"kind": "non_renewal_notice", "party": "TUR", "date": "2026-11-01", "evidence": "n"}


@pytest.fixture
def both(db_session: Session) -> Session:
    for text in (COOPERATION, SCIENCE):
        lifecycle.import_agreement(db_session, OFFICER, text=text, source="test.toml", now=NOW)
    return db_session


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_officer_scoped_to_an_agreement_records_and_designates_on_it(both: Session) -> None:
    recorded = lifecycle.record_event(both, SCOPED, A, event_fields=NOTICE, now=NOW)
    assert recorded.recorded_by == "selin"
    lifecycle.designate_body(
        both, SCOPED, A, party="TUR", body="Ministry", valid_from=date(2026, 1, 1), now=NOW
    )
    changed = COOPERATION.replace("Cooperation agreement", "Cooperation agreement (amended)")
    result = lifecycle.import_agreement(both, SCOPED, text=changed, source="t.toml", now=NOW)
    assert result.status == "changed"


@pytest.mark.parametrize(
    ("action", "act"),
    [
        (
            "agreement.record_event",
            lambda s: lifecycle.record_event(s, SCOPED, B, event_fields=NOTICE, now=NOW),
        ),
        (
            "agreement.designate_body",
            lambda s: lifecycle.designate_body(
                s, SCOPED, B, party="TUR", body="Ministry", valid_from=date(2026, 1, 1), now=NOW
            ),
        ),
        (
            "agreement.update",
            lambda s: lifecycle.import_agreement(
                s, SCOPED, text=SCIENCE.replace("Science", "Sciences"), source="t.toml", now=NOW
            ),
        ),
    ],
)
def test_an_officer_scoped_to_one_agreement_is_refused_on_another(
    both: Session, action: str, act: Callable[[Session], object]
) -> None:
    leaves = _count(both, AuditLeaf)
    with pytest.raises(AccessDenied) as caught:
        act(both)
    assert caught.value.fields["action"] == action
    assert caught.value.fields["target"] == f"agreement:{B}"
    assert _count(both, AuditLeaf) == leaves
    assert _count(both, AgreementEvent) == 0
    assert _count(both, ExecutingBody) == 0
    # What an entry point does with the refusal: one `agreement.denied` leaf.
    audit.record_denial(both, SCOPED, caught.value)
    denied = both.scalars(select(AuditLeaf).where(AuditLeaf.index >= leaves)).all()
    assert [(leaf.action, leaf.record_id) for leaf in denied] == [("agreement.denied", B)]


def test_the_local_operator_still_acts_on_every_agreement(both: Session) -> None:
    operator = Actor.local_operator("cli")
    lifecycle.record_event(both, operator, B, event_fields=NOTICE | {"party": "GEO"}, now=NOW)
    assert _count(both, AgreementEvent) == 1
