"""Transition tables: a workflow is ``(state, event) -> state``, never a chain of branches.

A `TransitionTable` lists every allowed move of one kind of record. Each move names the
permission-table action that authorises it (so "may I?" is one question, asked of one table)
and its consent rule: `Consent.SINGLE` — the permission table decides alone; `Consent.JOINT`
— a binding act, which fires only when every party has consented to the record's current
content hash (the dual key; the consents themselves are the commission area's records).

The same table answers services ("may this actor do this now?": `decide`), pages ("which
buttons?": `events_from`, then `decide` per event) and docs (`mermaid`), and tests enumerate it.

Invariant: `decide` is the only way a move is allowed; it returns a `Decision` and never raises.
A move absent from the table denies with ``invalid_transition`` — the state machine, not the
actor, is what refuses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from comity.domain.kernel.actions import check_action
from comity.domain.kernel.actors import Actor
from comity.domain.kernel.decision import Decision, Reason, deny
from comity.domain.kernel.permissions import Target, may

__all__ = ["Consent", "Transition", "TransitionTable"]

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)


class Consent(StrEnum):
    SINGLE = "single"
    JOINT = "joint"


#: Reason codes of transition denials (besides the permission table's).
INVALID_TRANSITION = "invalid_transition"
CONSENT_MISSING = "consent_missing"


@dataclass(frozen=True, slots=True)
class Transition(Generic[S, E]):
    source: S
    event: E
    target: S
    action: str
    consent: Consent = Consent.SINGLE

    def __post_init__(self) -> None:
        check_action(self.action)


class TransitionTable(Generic[S, E]):
    """Every allowed move of one kind of record (see the module docstring)."""

    def __init__(
        self,
        name: str,
        states: type[S],
        events: type[E],
        transitions: Iterable[Transition[S, E]],
        *,
        initial: S,
    ) -> None:
        self.name = name
        self.states = states
        self.events = events
        self.initial = initial
        found: dict[tuple[S, E], Transition[S, E]] = {}
        for move in transitions:
            key = (move.source, move.event)
            if key in found:
                raise ValueError(f"{name}: {move.event} from {move.source} is listed twice")
            found[key] = move
        self.moves: Mapping[tuple[S, E], Transition[S, E]] = found

    def __iter__(self) -> Iterable[Transition[S, E]]:
        return iter(self.moves.values())

    def move(self, state: S, event: E) -> Transition[S, E] | None:
        return self.moves.get((state, event))

    def events_from(self, state: S) -> tuple[E, ...]:
        """The events the table allows from `state`, in the events' declared order."""
        return tuple(event for event in self.events if (state, event) in self.moves)

    def terminal_states(self) -> frozenset[S]:
        return frozenset(state for state in self.states if not self.events_from(state))

    def decide(
        self,
        actor: Actor,
        state: S,
        event: E,
        target: Target,
        *,
        consented: Iterable[str] = (),
    ) -> Decision:
        """May `actor` fire `event` on a record in `state`? `consented` are the parties whose
        consent to the record's current content is on record (used by joint moves)."""
        move = self.moves.get((state, event))
        if move is None:
            return deny(
                INVALID_TRANSITION,
                f"{self.name}: cannot {event} when {state}",
                state=str(state),
                event=str(event),
            )
        decision = may(actor, move.action, target)
        if not decision.allowed or move.consent is Consent.SINGLE:
            return decision
        missing = tuple(sorted(set(target.parties) - set(consented)))
        if missing:
            return deny(
                CONSENT_MISSING,
                f"{self.name}: {event} needs the consent of {', '.join(missing)} to the "
                "current content",
                missing=missing,
            )
        return Decision(
            True,
            (*decision.reasons, Reason.of("joint_consent", "every party has consented")),
        )

    def mermaid(self) -> str:
        """A Mermaid ``stateDiagram-v2`` of the table (for the docs); joint moves are marked."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial.value}"]
        for move in self.moves.values():
            mark = " (both parties)" if move.consent is Consent.JOINT else ""
            edge = f"{move.source.value} --> {move.target.value}"
            lines.append(f"    {edge}: {move.event.value}{mark}")
        lines.extend(f"    {state.value} --> [*]" for state in sorted(self.terminal_states()))
        return "\n".join(lines) + "\n"
