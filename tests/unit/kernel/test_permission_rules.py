"""The rules of the permission table, on a table of example rows (each area's own rows are
enumerated in its tests; `tests/unit/kernel/test_permission_table.py` checks the real table)."""

from __future__ import annotations

import pytest

from comity.domain.kernel.actors import Actor, Role
from comity.domain.kernel.permissions import (
    DenialCode,
    PartyRule,
    PermissionTable,
    ScopeRule,
    Target,
    rows,
)

TABLE = PermissionTable.of(
    [
        rows(
            "thing.record",
            {Role.TREATY_OFFICER},
            party=PartyRule.OWN_OR_RECEIVED,
            scope=ScopeRule.AGREEMENT,
        ),
        rows(
            "thing.create",
            {Role.TREATY_OFFICER},
            party=PartyRule.PARTY_TO_AGREEMENT,
            scope=ScopeRule.AGREEMENT,
        ),
        rows(
            "thing.amend", {Role.TREATY_OFFICER}, party=PartyRule.JOINT, scope=ScopeRule.AGREEMENT
        ),
        rows("token.issue", (), holder=True),
        rows("token.revoke", {Role.ADMINISTRATOR}, holder=True),
        rows("clearance.grant", {Role.SECURITY_OFFICER}, party=PartyRule.OWN),
    ]
)
PARTIES = ("TUR", "AZE")
TUR_OFFICER = Actor.with_roles("ayse", "TUR", [Role.TREATY_OFFICER], scope="tr-az")


def on_agreement(**fields: object) -> Target:
    return Target("agreement", "tr-az", agreement="tr-az", parties=PARTIES, **fields)  # type: ignore[arg-type]


def test_an_actor_without_grants_holds_no_role_anywhere() -> None:
    nobody = Actor("ayse", "TUR")
    decision = TABLE.may(nobody, "thing.record", on_agreement(party="TUR"))
    assert not decision.allowed
    assert decision.codes == (DenialCode.ROLE_MISSING,)
    assert decision.reasons[0].parameters["roles"] == ("treaty_officer",)


def test_a_role_scoped_to_another_agreement_does_not_count() -> None:
    elsewhere = Actor.with_roles("ayse", "TUR", [Role.TREATY_OFFICER], scope="other")
    decision = TABLE.may(elsewhere, "thing.record", on_agreement(party="TUR"))
    assert decision.codes == (DenialCode.ROLE_MISSING,)
    assert decision.reasons[0].parameters["scope"] == "tr-az"


def test_an_officer_records_the_acts_of_their_own_party() -> None:
    assert TABLE.may(TUR_OFFICER, "thing.record", on_agreement(party="TUR")).allowed


def test_an_act_of_the_other_party_is_refused_unless_recorded_as_received() -> None:
    direct = TABLE.may(TUR_OFFICER, "thing.record", on_agreement(party="AZE"))
    assert direct.codes == (DenialCode.OTHER_PARTY,)
    no_evidence = TABLE.may(TUR_OFFICER, "thing.record", on_agreement(party="AZE", received=True))
    assert no_evidence.codes == (DenialCode.EVIDENCE_REQUIRED,)
    received = TABLE.may(
        TUR_OFFICER, "thing.record", on_agreement(party="AZE", received=True, evidence=True)
    )
    assert received.allowed
    assert "received_from" in received.codes


def test_a_party_that_is_not_party_to_the_agreement_may_not_record_anything() -> None:
    outsider = Actor.with_roles("hans", "DEU", [Role.TREATY_OFFICER])
    decision = TABLE.may(outsider, "thing.create", on_agreement())
    assert decision.codes == (DenialCode.NOT_A_PARTY,)


def test_a_change_to_what_both_parties_share_needs_their_joint_consent() -> None:
    decision = TABLE.may(TUR_OFFICER, "thing.amend", on_agreement())
    assert decision.codes == (DenialCode.NEEDS_JOINT_CONSENT,)


def test_tokens_are_issued_by_their_holder_only_and_revoked_by_the_holder_or_an_administrator() -> (
    None
):
    admin = Actor.with_roles("root", "OPERATOR", [Role.ADMINISTRATOR])
    someone_elses = Target("token", "7", holder="ayse")
    assert TABLE.may(admin, "token.issue", someone_elses).codes == (DenialCode.HOLDER_ONLY,)
    assert TABLE.may(Actor("ayse", "TUR"), "token.issue", someone_elses).allowed
    assert TABLE.may(admin, "token.revoke", someone_elses).allowed
    assert not TABLE.may(Actor("ali", "AZE"), "token.revoke", someone_elses).allowed


def test_a_security_officer_acts_for_their_own_party_only() -> None:
    officer = Actor.with_roles("sec", "TUR", [Role.SECURITY_OFFICER])
    theirs = Target("person", "elnur", parties=PARTIES, party="AZE")
    ours = Target("person", "mehmet", parties=PARTIES, party="TUR")
    assert TABLE.may(officer, "clearance.grant", ours).allowed
    assert TABLE.may(officer, "clearance.grant", theirs).codes == (DenialCode.OTHER_PARTY,)


def test_the_local_operator_is_the_one_actor_allowed_without_grants() -> None:
    decision = TABLE.may(Actor.local_operator(), "thing.amend", on_agreement())
    assert decision.allowed
    assert decision.codes == ("local_operator",)


def test_an_action_without_a_row_is_denied() -> None:
    decision = TABLE.may(TUR_OFFICER, "thing.vanish", on_agreement())
    assert decision.codes == (DenialCode.UNKNOWN_ACTION,)


def test_an_act_on_an_agreement_without_one_named_is_denied() -> None:
    decision = TABLE.may(TUR_OFFICER, "thing.record", Target("agreement", "x"))
    assert decision.codes == (DenialCode.SCOPE_MISSING,)


@pytest.mark.parametrize("name", ["Agreement.import", "agreement", "agreement.", "a.b.c", "a-b.c"])
def test_an_action_outside_the_grammar_cannot_be_built(name: str) -> None:
    with pytest.raises(ValueError, match="grammar"):
        rows(name, {Role.AUDITOR})


def test_an_action_cannot_be_listed_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        PermissionTable.of([rows("a.b", {Role.AUDITOR}), rows("a.b", {Role.MEMBER})])
