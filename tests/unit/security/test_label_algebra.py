"""The label algebra: dominance is a partial order and `combine` is its least upper bound."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.domain.security import labels
from comity.domain.security.labels import Category, Label, TagType, combine, dominates
from comity.errors import InvalidInput
from tests.unit.security.security_data import AGREEMENT, TUR

SCHEME = AGREEMENT
LEVELS = [c.name for c in SCHEME.classifications]
# Each tag has one type within a policy, as in a SPIF.
TAGS = {
    "Special Category Designators": TagType.RESTRICTIVE,
    "Need To Know": TagType.RESTRICTIVE,
    "Releasable To": TagType.PERMISSIVE,
    "Context": TagType.PERMISSIVE,
    "Administrative": TagType.INFORMATIVE,
}
VALUES = ["AZE", "TUR", "NATO", "ATOMAL"]


@st.composite
def a_label(draw: st.DrawFn) -> Label:
    chosen = draw(st.lists(st.sampled_from(sorted(TAGS)), unique=True, max_size=len(TAGS)))
    categories = [
        Category.of(tag, TAGS[tag], draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=4)))
        for tag in chosen
    ]
    return Label.of(SCHEME.id, draw(st.sampled_from(LEVELS)), categories)


def _combined(*items: Label) -> Label | None:
    """The combination, or None when the permissive values have no common value."""
    try:
        return combine(items, SCHEME)
    except InvalidInput as exc:
        if exc.code != "label.no_common_release":
            raise
        return None


def _both(first: Callable[[], Label | None], second: Callable[[], Label | None]) -> None:
    assert first() == second()


@given(a_label())
def test_dominance_is_reflexive(a: Label) -> None:
    assert dominates(a, a, SCHEME)


@given(a_label(), a_label())
def test_dominance_is_antisymmetric(a: Label, b: Label) -> None:
    if dominates(a, b, SCHEME) and dominates(b, a, SCHEME):
        assert a == b


@given(a_label(), a_label(), a_label())
def test_dominance_is_transitive(a: Label, b: Label, c: Label) -> None:
    if dominates(a, b, SCHEME) and dominates(b, c, SCHEME):
        assert dominates(a, c, SCHEME)


@given(a_label(), a_label())
def test_combine_is_commutative(a: Label, b: Label) -> None:
    _both(lambda: _combined(a, b), lambda: _combined(b, a))


@given(a_label(), a_label(), a_label())
def test_combine_is_associative(a: Label, b: Label, c: Label) -> None:
    def left() -> Label | None:
        ab = _combined(a, b)
        return None if ab is None else _combined(ab, c)

    def right() -> Label | None:
        bc = _combined(b, c)
        return None if bc is None else _combined(a, bc)

    _both(left, right)


@given(a_label())
def test_combine_is_idempotent(a: Label) -> None:
    assert _combined(a, a) == a


@given(a_label(), a_label())
def test_combine_dominates_its_inputs_and_is_the_least_such_label(a: Label, b: Label) -> None:
    both = _combined(a, b)
    if both is None:
        return
    assert dominates(both, a, SCHEME)
    assert dominates(both, b, SCHEME)


@given(a_label(), a_label(), a_label())
def test_any_label_above_both_inputs_is_above_their_combination(
    a: Label, b: Label, upper: Label
) -> None:
    both = _combined(a, b)
    if both is not None and dominates(upper, a, SCHEME) and dominates(upper, b, SCHEME):
        assert dominates(upper, both, SCHEME)


def test_combining_takes_the_highest_level_unions_caveats_and_intersects_releasability() -> None:
    minutes = combine(
        [
            labels.parse(
                "TR-AZ-2017 | SECRET | Releasable To (permissive): AZE, TUR"
                " | Special Category Designators (restrictive): ATOMAL"
            ),
            labels.parse(
                "TR-AZ-2017 | CONFIDENTIAL | Releasable To (permissive): TUR"
                " | Need To Know (restrictive): ALPHA"
            ),
        ],
        SCHEME,
    )
    assert str(minutes) == (
        "TR-AZ-2017 | SECRET | Need To Know (restrictive): ALPHA"
        " | Releasable To (permissive): TUR | Special Category Designators (restrictive): ATOMAL"
    )


def test_a_releasability_missing_from_one_part_still_restricts_the_aggregate() -> None:
    # Deliberate deviation from the reference note's rule 6: dropping the tag would release
    # the aggregate to everyone, including readers of neither part.
    minutes = combine(
        [
            labels.parse("TR-AZ-2017 | SECRET | Releasable To (permissive): TUR"),
            labels.parse("TR-AZ-2017 | RESTRICTED"),
        ],
        SCHEME,
    )
    assert minutes.values("Releasable To") == ("TUR",)


def test_parts_with_no_common_releasability_need_a_security_officers_decision() -> None:
    with pytest.raises(InvalidInput) as caught:
        combine(
            [
                labels.parse("TR-AZ-2017 | SECRET | Releasable To (permissive): TUR"),
                labels.parse("TR-AZ-2017 | SECRET | Releasable To (permissive): AZE"),
            ],
            SCHEME,
        )
    assert caught.value.code == "label.no_common_release"


def test_labels_of_different_policies_are_neither_compared_nor_combined() -> None:
    tur = labels.parse("TUR | GİZLİ")
    agreement = labels.parse("TR-AZ-2017 | SECRET")
    with pytest.raises(InvalidInput, match="is not under policy TR-AZ-2017"):
        combine([tur, agreement], SCHEME)
    with pytest.raises(InvalidInput, match="is not under policy TR-AZ-2017"):
        dominates(tur, tur, SCHEME)
    assert dominates(tur, labels.parse("TUR | ÖZEL"), TUR)


def test_a_tag_with_two_types_cannot_be_combined() -> None:
    with pytest.raises(InvalidInput, match="restrictive in one label and permissive"):
        combine(
            [
                labels.parse("TR-AZ-2017 | SECRET | X (restrictive): A"),
                labels.parse("TR-AZ-2017 | SECRET | X (permissive): A"),
            ],
            SCHEME,
        )
