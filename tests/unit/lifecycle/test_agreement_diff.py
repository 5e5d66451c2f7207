"""The field-level difference that a re-import shows (no database)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from comity.services.lifecycle.agreements import FieldChange, diff

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=12,
)


def test_a_changed_nested_field_is_named_by_its_path() -> None:
    before = {"term": {"initial": "P5Y", "renewal": "automatic"}}
    after = {"term": {"initial": "P6Y", "renewal": "automatic"}}
    assert diff(before, after) == (FieldChange("term.initial", "changed", "P5Y", "P6Y"),)


def test_an_event_inserted_in_the_middle_is_one_addition_not_a_cascade() -> None:
    events = [{"kind": "signature", "party": p} for p in ("TUR", "AZE", "GEO")]
    inserted = [events[0], {"kind": "notification", "party": "TUR"}, *events[1:]]
    assert diff({"events": events}, {"events": inserted}) == (
        FieldChange("events[1]", "added", after={"kind": "notification", "party": "TUR"}),
    )


def test_a_replaced_list_item_shows_the_field_that_changed_inside_it() -> None:
    before = [{"kind": "signature", "date": "2017-10-31"}]
    after = [{"kind": "signature", "date": "2017-11-01"}]
    assert diff(before, after, "events") == (
        FieldChange("events[0].date", "changed", "2017-10-31", "2017-11-01"),
    )


def test_added_and_removed_keys_are_reported_as_such() -> None:
    changes = diff({"notes": "x", "kind": "bilateral"}, {"kind": "bilateral", "depositary": "UN"})
    assert changes == (
        FieldChange("notes", "removed", before="x"),
        FieldChange("depositary", "added", after="UN"),
    )


@given(json_values)
def test_a_value_never_differs_from_itself(value: Any) -> None:
    assert diff(value, value) == ()


@given(json_values, json_values)
def test_two_values_differ_exactly_when_some_change_is_reported(a: Any, b: Any) -> None:
    assert (diff(a, b) == ()) == (a == b)
