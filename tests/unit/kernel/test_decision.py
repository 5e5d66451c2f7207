"""A decision is a value: equal when allowed and reasons are equal, immutable, with codes."""

from __future__ import annotations

from datetime import date

import pytest

from comity.domain.kernel.decision import ALLOWED, Decision, Reason, deny


def test_equal_decisions_compare_and_hash_equal() -> None:
    one = deny("role_missing", "needs a role", roles=("co_chair",))
    two = deny("role_missing", "needs a role", roles=("co_chair",))
    assert one == two
    assert hash(one) == hash(two)
    assert one != ALLOWED


def test_parameters_are_kept_in_one_order_whatever_order_they_were_given() -> None:
    assert Reason.of("x", b="2", a="1") == Reason.of("x", a="1", b="2")


def test_a_decision_cannot_be_changed() -> None:
    with pytest.raises(AttributeError):
        ALLOWED.allowed = False  # type: ignore[misc]


def test_a_reason_code_must_be_a_snake_case_identifier() -> None:
    with pytest.raises(ValueError, match="snake_case"):
        Reason.of("Needs Role")


def test_a_decision_renders_its_parameters_as_plain_values() -> None:
    decision = deny("clearance_expired", "expired", on=date(2026, 1, 31))
    assert decision.as_dict() == {
        "allowed": False,
        "reasons": [
            {"code": "clearance_expired", "detail": "expired", "params": {"on": "2026-01-31"}}
        ],
    }
    assert not decision
    assert Decision(True).explained() == ""
