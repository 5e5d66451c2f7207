"""Action names: ``<subject>.<verb>``, the one grammar of permissions and audit leaves.

An action names what was done (``agreement.record_event``, ``clearance.grant``); the audit log
records it, the permission table decides it, people filter the history by it. Each area declares
its actions as a `StrEnum` whose values are checked against the grammar when the class is built
(`action_names`), so a malformed action cannot be written anywhere.

A denial is recorded as ``<subject>.denied`` (`denied`), whatever the verb that was refused.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final, TypeVar

__all__ = ["ACTION_GRAMMAR", "action_names", "check_action", "denied", "subject_of"]

#: ``subject.verb``: lower-case words joined by underscores, one dot between them.
ACTION_GRAMMAR: Final = re.compile(
    r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
)

E = TypeVar("E", bound=type[StrEnum])


def check_action(name: str) -> str:
    """`name` if it follows the grammar, else a `ValueError` (a programming error, not input)."""
    if not ACTION_GRAMMAR.match(str(name)):
        raise ValueError(f"action {name!r} does not follow the <subject>.<verb> grammar")
    return str(name)


def action_names(enum: E) -> E:
    """Class decorator for an area's action enum: every value must follow the grammar."""
    for member in enum:
        check_action(member.value)
    return enum


def subject_of(action: str) -> str:
    return check_action(action).split(".", 1)[0]


def denied(action: str) -> str:
    """The action a refusal of `action` is recorded under (``agreement.denied``)."""
    return f"{subject_of(action)}.denied"
