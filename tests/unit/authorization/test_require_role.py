"""`kernel.require_role` with and without a scope: a role granted for one agreement authorises
acts on that agreement only; a role for every agreement (``"*"``) and the local operator, all."""

from __future__ import annotations

import pytest

from comity.domain.actors import Actor
from comity.errors import AccessDenied
from comity.services import audit, kernel

A = "agreement-a"
B = "agreement-b"
TARGET_B = audit.Target("agreement", B)


def _officer(*scopes: str) -> Actor:
    return Actor(
        person="ayse",
        party="TUR",
        roles=frozenset({"treaty_officer"}),
        grants=frozenset(("treaty_officer", scope) for scope in scopes),
    )


def test_a_role_scoped_to_one_agreement_authorises_acts_on_it() -> None:
    kernel.require_role(
        _officer(A), "treaty_officer", action="agreement.record_event", target=TARGET_B, scope=A
    )


def test_a_role_scoped_to_one_agreement_does_not_authorise_acts_on_another() -> None:
    with pytest.raises(AccessDenied) as caught:
        kernel.require_role(
            _officer(A), "treaty_officer", action="agreement.record_event", target=TARGET_B, scope=B
        )
    assert caught.value.fields["action"] == "agreement.record_event"
    assert caught.value.fields["target"] == f"agreement:{B}"
    assert caught.value.fields["scope"] == B
    # The same reason as an unscoped refusal, so the pages word it the same way.
    assert caught.value.reason == "needs the role treaty_officer"


@pytest.mark.parametrize(
    "actor",
    [
        pytest.param(_officer("*"), id="granted for every agreement"),
        pytest.param(_officer(A, "*"), id="granted for A and for every agreement"),
        pytest.param(
            Actor(person="cli", party="TUR", roles=frozenset({"treaty_officer"})),
            id="built without grants",
        ),
        pytest.param(Actor.local_operator(), id="local operator"),
    ],
)
def test_an_unscoped_holder_may_act_on_any_agreement(actor: Actor) -> None:
    kernel.require_role(
        actor, "treaty_officer", action="agreement.record_event", target=TARGET_B, scope=B
    )


def test_without_a_scope_a_role_held_under_any_scope_counts() -> None:
    kernel.require_role(_officer(A), "treaty_officer", action="x.y", target=TARGET_B)


def test_a_scoped_grant_of_another_role_does_not_count() -> None:
    actor = Actor(
        person="murad",
        party="AZE",
        roles=frozenset({"member", "treaty_officer"}),
        grants=frozenset({("member", B), ("treaty_officer", A)}),
    )
    with pytest.raises(AccessDenied):
        kernel.require_role(actor, "treaty_officer", action="x.y", target=TARGET_B, scope=B)
