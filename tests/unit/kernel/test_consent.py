"""The dual key: no act binds without every party's agreement to its current content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.domain.kernel.consent import (
    AdReferendum,
    Choice,
    Consent,
    Method,
    consent_from_statement,
    tally,
)
from comity.domain.kernel.statements import Statement
from comity.errors import InvalidInput

PARTIES = ("TUR", "AZE")
V1, V2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64
T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def consent(
    party: str,
    choice: Choice = Choice.AGREE,
    *,
    content: str = V1,
    minutes: int = 0,
    ad_referendum: AdReferendum | None = None,
    reason: str | None = None,
) -> Consent:
    if choice is Choice.AD_REFERENDUM and ad_referendum is None:
        ad_referendum = AdReferendum.PENDING
    if choice is Choice.OBJECT and reason is None:
        reason = "the budget line is not agreed"
    return Consent(
        "decision",
        "7",
        content,
        party,
        f"chair-{party.lower()}",
        choice,
        T0 + timedelta(minutes=minutes),
        Method.WRITTEN,
        reason,
        ad_referendum,
    )


def test_both_parties_agreeing_to_the_same_content_binds() -> None:
    assert tally(PARTIES, V1, [consent("TUR"), consent("AZE")]).binding


def test_one_party_alone_never_binds() -> None:
    result = tally(PARTIES, V1, [consent("TUR")])
    assert not result.binding
    assert result.missing == ("AZE",)
    assert result.decision().codes == ("consent_missing",)


def test_an_edit_voids_the_consents_given_to_the_earlier_content() -> None:
    result = tally(PARTIES, V2, [consent("TUR"), consent("AZE")])
    assert not result.binding
    assert result.missing == PARTIES


def test_agreement_to_different_versions_binds_neither() -> None:
    signed = [consent("TUR", content=V1), consent("AZE", content=V2)]
    assert not tally(PARTIES, V1, signed).binding
    assert not tally(PARTIES, V2, signed).binding


def test_an_ad_referendum_consent_binds_only_once_confirmed() -> None:
    pending = consent("AZE", Choice.AD_REFERENDUM)
    waiting = tally(PARTIES, V1, [consent("TUR"), pending])
    assert not waiting.binding
    assert waiting.pending_ad_referendum == {"AZE"}
    assert waiting.decision().codes == ("consent_ad_referendum",)
    confirmed = consent(
        "AZE", Choice.AD_REFERENDUM, minutes=5, ad_referendum=AdReferendum.CONFIRMED
    )
    assert tally(PARTIES, V1, [consent("TUR"), pending, confirmed]).binding
    withdrawn = consent(
        "AZE", Choice.AD_REFERENDUM, minutes=5, ad_referendum=AdReferendum.WITHDRAWN
    )
    assert not tally(PARTIES, V1, [consent("TUR"), pending, withdrawn]).binding


def test_a_later_objection_replaces_an_earlier_agreement() -> None:
    result = tally(
        PARTIES, V1, [consent("TUR"), consent("AZE"), consent("AZE", Choice.OBJECT, minutes=1)]
    )
    assert not result.binding
    assert result.objections == {"AZE": "the budget line is not agreed"}


def test_an_objection_without_its_reason_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        Consent("decision", "7", V1, "AZE", "x", Choice.OBJECT, T0, reason="  ")
    assert refused.value.code == "consent.reason_required"


def test_a_consent_travels_as_a_canonical_statement_and_comes_back_equal() -> None:
    original = consent("AZE", Choice.OBJECT)
    text = original.statement().text()
    assert text.endswith("\n")
    assert consent_from_statement(Statement.parse(text)) == original


def test_a_statement_in_another_encoding_is_refused() -> None:
    text = consent("TUR").statement().text()
    spaced = text.replace('","', '", "', 1)
    with pytest.raises(InvalidInput) as refused:
        Statement.parse(spaced)
    assert refused.value.code == "statement.not_canonical"


choices = st.sampled_from(
    [
        (Choice.AGREE, None),
        (Choice.OBJECT, None),
        (Choice.AD_REFERENDUM, AdReferendum.PENDING),
        (Choice.AD_REFERENDUM, AdReferendum.CONFIRMED),
        (Choice.AD_REFERENDUM, AdReferendum.WITHDRAWN),
    ]
)
any_consent = st.builds(
    lambda party, choice, content, minutes: consent(
        party, choice[0], content=content, minutes=minutes, ad_referendum=choice[1]
    ),
    st.sampled_from(PARTIES),
    choices,
    st.sampled_from([V1, V2]),
    st.integers(0, 30),
)


@given(st.lists(any_consent, max_size=12), st.sampled_from([V1, V2]))
def test_no_act_ever_binds_without_each_party_s_latest_word_on_the_current_content_being_yes(
    consents: list[Consent], current: str
) -> None:
    result = tally(PARTIES, current, consents)
    if result.binding:
        for party in PARTIES:
            on_current = [c for c in consents if c.party == party and c.content_hash == current]
            assert on_current, f"{party} never consented to the current content"
            latest_time = max(c.given_at for c in on_current)
            assert any(c.agrees for c in on_current if c.given_at == latest_time)


@given(st.lists(any_consent, max_size=12), st.randoms())
def test_the_order_in_which_consents_arrive_does_not_change_the_outcome(
    consents: list[Consent], random: object
) -> None:
    shuffled = list(consents)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    for current in (V1, V2):
        assert tally(PARTIES, current, consents) == tally(PARTIES, current, shuffled)
