"""The bundled founding agreement (examples/agreements/tr-az-defence-industry-2017.toml).

Hand computation for 29 Nov 2026: entry into force recorded 6 Apr 2021; initial term 5 years
→ expiry 6 Apr 2026, last day 5 Apr 2026; renewal 1 (anchored): 6 Apr 2026 – 5 Apr 2027
(expiry S + 6 years = 6 Apr 2027); non-renewal notice at least 3 months before the last day:
5 Apr 2027 − 3 months = 5 Jan 2027.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from comity.domain.lifecycle.agreement_file import parse_agreement
from comity.domain.lifecycle.engine import evaluate
from comity.domain.lifecycle.model import AgreementSpec, Event, PartialDate

EXAMPLE = (
    Path(__file__).resolve().parents[3] / "examples/agreements/tr-az-defence-industry-2017.toml"
)


@pytest.fixture(scope="module")
def spec() -> AgreementSpec:
    return parse_agreement(EXAMPLE.read_text(encoding="utf-8"), source=str(EXAMPLE))


def test_on_29_november_2026_it_is_in_force_in_its_first_renewal_period(
    spec: AgreementSpec,
) -> None:
    data = evaluate(spec, as_of=date(2026, 11, 29)).to_json()
    assert data["status"] == "in_force"
    assert data["entry_into_force"]["date"] == "2021-04-06"
    assert data["entry_into_force"]["basis"] == "recorded"
    current = data["current_period"]
    assert (current["index"], current["start"], current["last_day"]) == (
        1,
        "2026-04-06",
        "2027-04-05",
    )
    assert data["non_renewal_deadline"]["date"] == "2027-01-05"
    assert data["deadlines"][0]["date"] == "2027-01-05"
    assert data["deadlines"][0]["kind"] == "non_renewal_notice"


def test_every_derived_date_carries_a_reason(spec: AgreementSpec) -> None:
    data = evaluate(spec, as_of=date(2026, 11, 29)).to_json()
    assert (
        data["periods"][0]["reason"] == "initial term: 5 years from entry into force on 6 Apr 2021"
    )
    assert data["non_renewal_deadline"]["reason"] == (
        "3 months before the last day of period 1 (5 Apr 2027)"
    )
    assert all(item["reason"] for item in data["deadlines"])


def test_the_joint_commission_met_before_entry_into_force(spec: AgreementSpec) -> None:
    data = evaluate(spec, as_of=date(2020, 6, 1)).to_json()
    assert data["status"] == "provisionally_applied"
    assert data["provisional_application"]["start"] == "2019-01"
    assert evaluate(spec, as_of=date(2018, 6, 1)).status == "signed"


def test_domestic_approval_is_flagged_as_not_entry_into_force(spec: AgreementSpec) -> None:
    warnings = evaluate(spec, as_of=date(2026, 11, 29)).warnings
    assert any("domestic approval is not entry into force" in w for w in warnings)
    assert any("cannot be checked" in w for w in warnings)


def test_azerbaijans_approval_is_known_only_to_the_month(spec: AgreementSpec) -> None:
    approval = next(e for e in spec.events if e.kind == "domestic_step" and e.party == "AZE")
    assert approval.date == PartialDate(2018, 2)


def test_every_event_has_evidence(spec: AgreementSpec) -> None:
    assert all(event.evidence for event in spec.events)


def test_article_9_survives_termination(spec: AgreementSpec) -> None:
    assert [s.article for s in spec.survival] == ["9"]
    notice = evaluate(spec, as_of=date(2027, 4, 6)).surviving_obligations
    assert notice[0].active is False  # still in force: nothing survives yet


@pytest.mark.parametrize(
    ("received", "timely", "last_day"),
    [("2027-01-05", True, date(2027, 4, 5)), ("2027-01-06", False, date(2028, 4, 5))],
)
def test_a_notice_on_the_deadline_ends_the_period_and_a_day_later_the_next(
    spec: AgreementSpec, received: str, timely: bool, last_day: date
) -> None:
    notice = Event(kind="non_renewal_notice", party="TUR", received=PartialDate.parse(received))
    state = evaluate(spec, as_of=date(2027, 2, 1), extra_events=(notice,))
    assert state.status == "termination_pending"
    assert state.termination is not None
    assert (state.termination.timely, state.termination.last_day_in_force) == (timely, last_day)
    # The spec itself is unchanged: the extra event only counts in this evaluation.
    assert evaluate(spec, as_of=date(2027, 2, 1)).status == "in_force"
