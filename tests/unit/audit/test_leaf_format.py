"""The leaf format has one writer and one reader (`comity.domain.audit.leaves.Leaf`): what it
writes, it reads back unchanged; what it did not write, it refuses; and whenever the bulk shape
vouches for a leaf, it reads the same fields the reader does."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from comity.domain.audit.leaves import MAX_LEAF_BYTES, Leaf, LeafShape, Target, commitment
from comity.errors import InvalidInput

ORIGIN = "comity/local"
texts = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=20)
moments = st.datetimes(
    min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
commitments = st.none() | st.binary(min_size=16, max_size=16).map(lambda s: commitment(1, s))


@st.composite
def leaves(draw: st.DrawFn) -> Leaf:
    return Leaf.new(
        log=ORIGIN,
        index=draw(st.integers(0, 2**31 - 1)),
        moment=draw(moments),
        party=draw(texts),
        person=draw(texts),
        action=draw(texts),
        record=Target(draw(texts), draw(texts)),
        commitments={
            key: value
            for key, value in (("before", draw(commitments)), ("after", draw(commitments)))
            if value is not None
        },
    )


@given(leaves())
def test_every_leaf_written_reads_back_unchanged(leaf: Leaf) -> None:
    assert Leaf.parse(leaf.to_bytes()) == leaf


@given(leaves())
def test_when_the_bulk_shape_vouches_for_a_leaf_it_reads_what_the_reader_reads(leaf: Leaf) -> None:
    fields = LeafShape(ORIGIN).fields([leaf.to_bytes()])
    if fields is not None:
        assert fields == [
            (
                leaf.action,
                str(leaf.index),
                leaf.record.id,
                leaf.record.type,
                leaf.timestamp.removesuffix("Z"),
            )
        ]


def test_text_is_written_in_nfc_and_time_in_utc_to_the_microsecond() -> None:
    decomposed = unicodedata.normalize("NFD", "Ayşe")
    leaf = Leaf.new(
        log=ORIGIN,
        index=0,
        moment=datetime(2026, 11, 29, 12, 0, 0, 7, tzinfo=UTC),
        party="TUR",
        person=decomposed,
        action="x.y",
        record=Target("t", decomposed),
    )
    assert leaf.person == leaf.record.id == unicodedata.normalize("NFC", decomposed)
    assert leaf.timestamp == "2026-11-29T12:00:00.000007Z"
    assert b'"person":"Ay\xc5\x9fe"' in leaf.to_bytes()


def _body(**changes: Any) -> bytes:
    body: dict[str, Any] = {
        "v": 1,
        "log": ORIGIN,
        "idx": 3,
        "ts": "2026-11-29T00:00:00.000000Z",
        "actor": {"party": "TUR", "person": "a"},
        "action": "x.y",
        "record": {"type": "t", "id": "1"},
    }
    body.update(changes)
    return rfc8785.dumps({key: value for key, value in body.items() if value is not None})


@pytest.mark.parametrize(
    "data",
    [
        _body(extra="key"),
        _body(actor=None),
        _body(v=2),
        _body(v=True),
        _body(idx=True),
        _body(idx="3"),
        _body(ts="2026-11-29T00:00:00Z"),
        _body(ts="2026-11-29T00:00:00.000000+00:00"),
        _body(record={"type": "t", "id": "1", "x": "y"}),
        _body(actor={"party": "TUR"}),
        _body(after=7),
        b"[]",
        b"\xff",
    ],
)
def test_what_the_writer_cannot_have_written_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match=r".+"):
        Leaf.parse(data)


def test_a_leaf_too_large_for_an_entry_bundle_is_refused_when_written() -> None:
    leaf = Leaf.new(
        log=ORIGIN,
        index=0,
        moment=datetime(2026, 11, 29, tzinfo=UTC),
        party="TUR",
        person="a",
        action="x.y",
        record=Target("t", "x" * MAX_LEAF_BYTES),
    )
    with pytest.raises(InvalidInput) as refused:
        leaf.to_bytes()
    assert refused.value.reason == "the limit is 64 KiB"
