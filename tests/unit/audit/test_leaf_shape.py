"""The canonical leaf shape that bulk verification relies on, checked against `json.loads`.

Verification trusts `LeafShape.fields` instead of parsing each leaf, so the laws here are the
ones that make that safe: canonical JSON puts a leaf's keys where the shape expects them, the
shape yields exactly a service leaf's fields, and whatever it vouches for, a JSON parse agrees
with (no leaf, however mangled, gets through with different values).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from comity.domain.audit import leaves as bulk
from comity.domain.audit import merkle
from tests.unit.audit.trees import MemoryTree

ORIGIN = "comity/local"
SHAPE = bulk.LeafShape(ORIGIN)

#: Strings canonical JSON writes without escapes (what verification reads at C speed).
plain = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters='"\\', min_codepoint=0x20),
    max_size=12,
)
#: Any string, escapes and all (actor names are only required to be well formed).
anything = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)
# As `Leaf.timestamp` writes them (strftime pads years to four digits only from year 1000).
stamps = st.datetimes(min_value=datetime(1000, 1, 1)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
)
commitments = st.binary(min_size=32, max_size=32).map(lambda b: "sha256:" + b.hex())


@st.composite
def bodies(draw: st.DrawFn, text: st.SearchStrategy[str] = plain) -> dict[str, Any]:
    """A leaf body as `audit.record` builds it."""
    body: dict[str, Any] = {
        "v": 1,
        "log": ORIGIN,
        "idx": draw(st.integers(0, 2**31 - 1)),
        "ts": draw(stamps),
        "actor": {"party": draw(anything), "person": draw(anything)},
        "action": draw(text),
        "record": {"type": draw(text), "id": draw(text)},
    }
    for key in ("before", "after"):
        if draw(st.booleans()):
            body[key] = draw(commitments)
    return body


def expected_fields(body: dict[str, Any]) -> tuple[str, ...]:
    return (
        body["action"],
        str(body["idx"]),
        body["record"]["id"],
        body["record"]["type"],
        body["ts"][:-1],
    )


@settings(max_examples=300)
@given(bodies(), st.randoms(use_true_random=False))
def test_canonical_json_writes_the_keys_where_the_shape_expects_them_in_any_insertion_order(
    body: dict[str, Any], rng: Any
) -> None:
    keys = list(body)
    rng.shuffle(keys)
    shuffled = {key: body[key] for key in keys}
    leaf = rfc8785.dumps(shuffled)
    assert leaf == rfc8785.dumps(body)
    assert leaf.startswith(b'{"action":')
    assert leaf.endswith(b',"v":1}')
    assert SHAPE.fields([leaf]) == [expected_fields(body)]


@settings(max_examples=200)
@given(st.lists(bodies(), min_size=1, max_size=20))
def test_the_shape_yields_every_leaf_s_fields_in_order(many: list[dict[str, Any]]) -> None:
    assert SHAPE.fields([rfc8785.dumps(body) for body in many]) == [
        expected_fields(body) for body in many
    ]


def vouched_fields_agree_with_json(leaf: bytes) -> None:
    fields = SHAPE.fields([leaf])
    if fields is None:
        return
    body = json.loads(leaf.decode())
    assert isinstance(body, dict)
    assert body["v"] == 1
    assert body["log"] == ORIGIN
    assert set(body["record"]) == {"id", "type"}
    assert fields == [
        (
            body["action"],
            str(body["idx"]),
            body["record"]["id"],
            body["record"]["type"],
            body["ts"][:-1],
        )
    ]
    assert isinstance(body["idx"], int)
    assert body["ts"].endswith("Z")


#: Characters that matter to JSON's grammar, to mangle leaves with.
specials = st.sampled_from([*'"\\{}[]:,. \n\t\x00\x1fu0123456789abcdefZT-', "é", "\u2028"])


@settings(max_examples=600)
@given(
    bodies(text=anything),
    st.lists(
        st.tuples(st.integers(0, 400), st.integers(0, 3), st.text(specials, max_size=3)),
        max_size=4,
    ),
)
def test_whatever_the_shape_vouches_for_a_json_parse_agrees_with(
    body: dict[str, Any], edits: list[tuple[int, int, str]]
) -> None:
    text = rfc8785.dumps(body).decode()
    for position, removed, inserted in edits:
        position %= len(text) + 1
        text = text[:position] + inserted + text[position + removed :]
    vouched_fields_agree_with_json(text.encode())


@given(st.binary(max_size=300))
def test_arbitrary_bytes_are_never_vouched_for_unless_json_agrees(leaf: bytes) -> None:
    vouched_fields_agree_with_json(leaf)


def test_a_field_that_needs_an_escape_is_left_to_the_json_parse() -> None:
    body: dict[str, Any] = {
        "v": 1,
        "log": ORIGIN,
        "idx": 3,
        "ts": "2026-11-29T00:00:00.000000Z",
        "actor": {"party": "TUR", "person": "a"},
        "action": "agreement.record_event",
        "record": {"type": "agreement", "id": 'say "hi"'},
    }
    assert SHAPE.fields([rfc8785.dumps(body)]) is None


def test_two_leaves_hidden_in_one_row_are_not_taken_for_two() -> None:
    def leaf(index: int) -> bytes:
        return rfc8785.dumps(
            {
                "v": 1,
                "log": ORIGIN,
                "idx": index,
                "ts": "2026-11-29T00:00:00.000000Z",
                "actor": {"party": "TUR", "person": "a"},
                "action": "x.y",
                "record": {"type": "t", "id": str(index)},
            }
        )

    assert SHAPE.fields([leaf(0), leaf(1), leaf(2)]) is not None
    assert SHAPE.fields([leaf(0), leaf(1) + b"\n" + leaf(2), b"junk"]) is None


def test_another_log_s_leaf_or_version_does_not_fit() -> None:
    body: dict[str, Any] = {
        "v": 1,
        "log": "other/log",
        "idx": 0,
        "ts": "2026-11-29T00:00:00.000000Z",
        "actor": {"party": "TUR", "person": "a"},
        "action": "x.y",
        "record": {"type": "t", "id": "1"},
    }
    assert SHAPE.fields([rfc8785.dumps(body)]) is None
    assert bulk.LeafShape("other/log").fields([rfc8785.dumps(body)]) is not None
    assert bulk.LeafShape("other/log", version=2).fields([rfc8785.dumps(body)]) is None


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=300))
def test_subtree_levels_hold_exactly_the_complete_subtrees(data: list[bytes]) -> None:
    hashes = merkle.leaf_hashes(data)
    assert hashes == [merkle.leaf_hash(leaf) for leaf in data]
    tree = MemoryTree(hashes)
    levels = merkle.subtree_levels(hashes, 5)
    assert len(levels) <= 6
    for level, nodes in enumerate(levels):
        assert len(nodes) == len(data) >> level
        assert nodes == [tree.node(level, index) for index in range(len(nodes))]
    assert len(levels) == 6 or len(levels[-1]) < 2
