"""Canonical JSON is RFC 8785, and equal values hash equally whatever their Python shape."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.domain.kernel.canonical import canonical_json, content_hash, plain, salted_commitment


class Colour(StrEnum):
    RED = "red"


def test_keys_are_sorted_and_there_is_no_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "x"]}) == b'{"a":[true,null,"x"],"b":1}'


def test_dates_enums_decimals_and_sets_become_plain_json() -> None:
    value = {"d": date(2021, 4, 6), "e": Colour.RED, "n": Decimal("1.50"), "s": {"b", "a"}}
    assert plain(value) == {"d": "2021-04-06", "e": "red", "n": "1.50", "s": ["a", "b"]}


def test_text_is_compared_in_nfc() -> None:
    decomposed = "I\u0307"  # I + combining dot above
    assert content_hash({"t": decomposed}) == content_hash({"t": "\u0130"})


def test_a_float_has_one_text_form_and_a_nan_none() -> None:
    assert canonical_json({"x": 0.1, "y": 1.0, "z": 1e21}) == b'{"x":0.1,"y":1,"z":1e+21}'
    with pytest.raises(ValueError, match="no JSON form"):
        canonical_json({"x": float("nan")})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_canonical_bytes_parse_back_to_the_plain_value(value: object) -> None:
    assert json.loads(canonical_json(value)) == plain(value)


@given(st.dictionaries(st.text(), st.integers(-1000, 1000), max_size=6))
def test_the_order_keys_were_given_in_does_not_change_the_hash(value: dict[str, int]) -> None:
    reversed_order = dict(reversed(list(value.items())))
    assert content_hash(value) == content_hash(reversed_order)


def test_a_commitment_depends_on_the_salt() -> None:
    assert salted_commitment({"a": 1}, b"one") != salted_commitment({"a": 1}, b"two")
    assert salted_commitment({"a": 1}, b"one").startswith("sha256:")


def test_an_integer_outside_the_exact_range_of_json_numbers_is_refused() -> None:
    with pytest.raises(ValueError, match="safe integer"):
        canonical_json({"n": 2**53})
