"""`engine.DEADLINE_KINDS` lists every deadline kind the engine emits, and nothing else.

Readers key on the kinds (the pages translate them), so a deadline whose kind is not listed would
reach a reader as a raw code. The scenarios below are chosen so that, between them, every listed
kind occurs: the constant can neither miss a kind nor keep a stale one unnoticed.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comity.domain.lifecycle.agreement_file import parse_agreement
from comity.domain.lifecycle.engine import evaluate
from comity.domain.lifecycle.model import AgreementSpec
from comity.domain.lifecycle.state import DEADLINE_KINDS
from tests.unit.lifecycle.builders import agreement, ev, in_force, multilateral, signed

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "agreements"


def _examples() -> dict[str, AgreementSpec]:
    return {
        path.name: parse_agreement(path.read_text(encoding="utf-8"), source=str(path))
        for path in sorted(EXAMPLES.glob("*.toml"))
    }


def _scenarios() -> dict[str, AgreementSpec]:
    calendar_year = {"notice_by": "06-30", "effect": "next_calendar_year", "not_before": "P5Y"}
    return {
        "fixed term": agreement(in_force("2020-01-01")),
        "automatic renewal": agreement(
            in_force("2020-01-01"),
            term={"initial": "P5Y", "renewal": "automatic", "renewal_period": "P1Y"},
            non_renewal={"notice_before_expiry": "P3M"},
        ),
        "denounced": agreement(
            in_force("2020-01-01"),
            ev("denunciation_notice", "AAA", "2022-08-31"),
            term={"initial": "indefinite"},
            denunciation={"effect_after": "P6M"},
        ),
        "calendar-year denunciation": agreement(
            in_force("2020-01-01"), term={"initial": "indefinite"}, denunciation=calendar_year
        ),
        "provisional application ended by notice": agreement(
            *signed("2019-06-01"),
            ev("provisional_application", None, "2019-06-01"),
            ev("provisional_application_notice", "AAA", "2021-03-10"),
            entry_into_force={"trigger": "last_notification", "days_after": 30},
            provisional_application={"from": "signature", "termination_effect_after": "P1M"},
            term={"initial": "indefinite"},
        ),
        "multilateral with a later party and a withdrawal": multilateral(
            ["AAA", "BBB", "CCC"],
            ev("instrument_deposited", "AAA", "2020-01-01", instrument="ratification"),
            ev("instrument_deposited", "BBB", "2020-01-01", instrument="ratification"),
            ev("instrument_deposited", "CCC", "2020-06-01", instrument="ratification"),
            ev("denunciation_notice", "BBB", "2022-03-01"),
            entry_into_force={
                "trigger": "instruments",
                "count": 2,
                "days_after": 90,
                "later_parties_days_after": 30,
            },
            term={"initial": "indefinite"},
            denunciation={"effect_after": "P1Y", "ends": "party"},
        ),
    }


#: The 15th of every month over the years the scenarios live in.
DAYS = [date(year, month, 15) for year in range(2015, 2032) for month in range(1, 13)]


def _kinds(spec: AgreementSpec) -> set[str]:
    return {deadline.kind for day in DAYS for deadline in evaluate(spec, as_of=day).deadlines}


@pytest.mark.parametrize("name", sorted(_examples()))
def test_every_deadline_of_an_example_file_has_a_listed_kind(name: str) -> None:
    kinds = _kinds(_examples()[name])
    assert kinds, "the example yields no deadline at all over the years sampled"
    assert kinds - DEADLINE_KINDS == set()


@pytest.mark.parametrize("name", sorted(_scenarios()))
def test_every_deadline_of_a_scenario_has_a_listed_kind(name: str) -> None:
    assert _kinds(_scenarios()[name]) - DEADLINE_KINDS == set()


def test_every_listed_kind_is_emitted_by_some_scenario() -> None:
    seen: set[str] = set()
    for spec in [*_examples().values(), *_scenarios().values()]:
        seen |= _kinds(spec)
    assert DEADLINE_KINDS - seen == set(), "listed kinds that no scenario produces"


EVENT_KINDS = st.sampled_from(
    [
        "signature",
        "notification",
        "non_renewal_notice",
        "denunciation_notice",
        "provisional_application_notice",
        "notice_withdrawn",
        "entry_into_force",
    ]
)


@st.composite
def _event(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(EVENT_KINDS)
    party = None if kind == "entry_into_force" else draw(st.sampled_from(["AAA", "BBB"]))
    on = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31)))
    return ev(kind, party, on.isoformat())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(_event(), max_size=6),
    st.dates(min_value=date(2015, 1, 1), max_value=date(2040, 12, 31)),
    st.sampled_from(["renewing", "calendar_year"]),
)
def test_random_histories_yield_only_listed_kinds(
    events: list[dict[str, Any]], on: date, denunciation: str
) -> None:
    spec = agreement(
        *events,
        entry_into_force={"trigger": "last_notification", "days_after": 30},
        term={"initial": "P5Y", "renewal": "automatic", "renewal_period": "P1Y"},
        non_renewal={"notice_before_expiry": "P3M"},
        denunciation=(
            {"effect_after": "P6M", "not_before": "P1Y"}
            if denunciation == "renewing"
            else {"notice_by": "06-30", "effect": "next_calendar_year", "not_before": "P1Y"}
        ),
        provisional_application={"from": "signature", "termination_effect_after": "P1M"},
    )
    for day in (on, on + timedelta(days=200)):
        assert {d.kind for d in evaluate(spec, as_of=day).deadlines} <= DEADLINE_KINDS
