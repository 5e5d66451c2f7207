"""Transition tables: the table, not the caller, says which moves exist, and joint moves need
every party's consent."""

from __future__ import annotations

from enum import StrEnum

import pytest

from comity.domain.kernel import permissions
from comity.domain.kernel.actors import Actor, Role
from comity.domain.kernel.permissions import PermissionTable, ScopeRule, Target, rows
from comity.domain.kernel.transitions import Consent, Transition, TransitionTable


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ADOPTED = "adopted"


class Event(StrEnum):
    SUBMIT = "submit"
    ADOPT = "adopt"


MACHINE = TransitionTable(
    "example",
    State,
    Event,
    [
        Transition(State.DRAFT, Event.SUBMIT, State.SUBMITTED, "example.submit"),
        Transition(State.SUBMITTED, Event.ADOPT, State.ADOPTED, "example.adopt", Consent.JOINT),
    ],
    initial=State.DRAFT,
)
SECRETARY = Actor.with_roles("sec", "TUR", [Role.SECRETARY])
TARGET = Target("example", "1", agreement="a", parties=("AZE", "TUR"))


@pytest.fixture(autouse=True)
def example_table(monkeypatch: pytest.MonkeyPatch) -> None:
    table = PermissionTable.of(
        [
            rows("example.submit", {Role.SECRETARY}, scope=ScopeRule.AGREEMENT),
            rows("example.adopt", {Role.SECRETARY}, scope=ScopeRule.AGREEMENT),
        ]
    )
    monkeypatch.setattr(permissions, "_TABLE", table)


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("event", list(Event))
def test_every_state_and_event_is_decided_by_the_table(state: State, event: Event) -> None:
    decision = MACHINE.decide(SECRETARY, state, event, TARGET, consented=("AZE", "TUR"))
    assert decision.allowed == (MACHINE.move(state, event) is not None)
    if MACHINE.move(state, event) is None:
        assert decision.codes == ("invalid_transition",)


def test_a_joint_move_waits_for_every_party_s_consent() -> None:
    waiting = MACHINE.decide(SECRETARY, State.SUBMITTED, Event.ADOPT, TARGET, consented=("TUR",))
    assert waiting.codes == ("consent_missing",)
    assert waiting.reasons[0].parameters["missing"] == ("AZE",)


def test_the_permission_table_still_decides_who_may_fire_a_move() -> None:
    member = Actor.with_roles("m", "TUR", [Role.MEMBER])
    assert MACHINE.decide(member, State.DRAFT, Event.SUBMIT, TARGET).codes == ("role_missing",)


def test_buttons_are_the_events_the_table_allows_from_a_state() -> None:
    assert MACHINE.events_from(State.DRAFT) == (Event.SUBMIT,)
    assert MACHINE.events_from(State.ADOPTED) == ()
    assert MACHINE.terminal_states() == {State.ADOPTED}


def test_the_diagram_draws_every_move() -> None:
    diagram = MACHINE.mermaid()
    assert "draft --> submitted: submit" in diagram
    assert "submitted --> adopted: adopt (both parties)" in diagram
    assert "adopted --> [*]" in diagram


def test_a_move_listed_twice_is_a_mistake_in_the_table() -> None:
    with pytest.raises(ValueError, match="twice"):
        TransitionTable(
            "bad",
            State,
            Event,
            [
                Transition(State.DRAFT, Event.SUBMIT, State.SUBMITTED, "example.submit"),
                Transition(State.DRAFT, Event.SUBMIT, State.ADOPTED, "example.submit"),
            ],
            initial=State.DRAFT,
        )
