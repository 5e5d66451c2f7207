"""Sealing and opening ZTDF containers: round trips, streaming, and every tampering refused
with its own reason."""

from __future__ import annotations

import base64
import copy
import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comity.crypto import ztdf
from comity.domain.exchange.assertions import AssertionContent, Statement
from comity.domain.security import labels
from comity.errors import ComityError, IntegrityFailure, InvalidInput, Unavailable
from tests.unit.crypto.ztdf_support import (
    DOCUMENT,
    EXPECTED,
    LABEL,
    NAMESPACE,
    VERSION,
    open_bytes,
    provider,
    put_together,
    seal_bytes,
    seal_to,
    take_apart,
)

SEGMENT = 64


@pytest.mark.parametrize(
    "size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 5 * SEGMENT, 5 * SEGMENT + 7]
)
def test_a_sealed_document_opens_to_the_same_bytes(size: int) -> None:
    plaintext = os.urandom(size)
    container = seal_bytes(plaintext, segment_size=SEGMENT)
    assert open_bytes(container) == plaintext
    _, manifest = take_apart(container)
    segments = manifest["encryptionInformation"]["integrityInformation"]["segments"]
    assert len(segments) == max(1, -(-size // SEGMENT))
    assert sum(s["segmentSize"] for s in segments) == size


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=600), st.integers(min_value=1, max_value=80))
def test_any_size_round_trips_at_any_segment_size(plaintext: bytes, segment_size: int) -> None:
    assert open_bytes(seal_bytes(plaintext, segment_size=segment_size)) == plaintext


def test_the_container_is_the_zip_opentdf_describes() -> None:
    container = seal_bytes(os.urandom(300), segment_size=SEGMENT)
    with zipfile.ZipFile(io.BytesIO(container)) as archive:
        assert archive.namelist() == ["0.payload", "0.manifest.json"]
        assert archive.testzip() is None
        payload = archive.getinfo("0.payload")
        assert payload.compress_type == zipfile.ZIP_STORED
        assert payload.flag_bits & 0x08  # streamed: sizes in a data descriptor
        assert payload.date_time == (1980, 1, 1, 0, 0, 0)
    _, manifest = take_apart(container)
    info = manifest["encryptionInformation"]
    assert manifest["schemaVersion"] == "4.3.0"
    assert info["method"] == {"algorithm": "AES-256-GCM", "iv": "", "isStreamable": True}
    integrity = info["integrityInformation"]
    assert integrity["segmentHashAlg"] == "GMAC"
    assert integrity["rootSignature"]["alg"] == "HS256"
    assert integrity["encryptedSegmentSizeDefault"] == SEGMENT + 28
    assert [a["id"] for a in manifest["assertions"]] == ["comity-label", "comity-binding"]
    assert labels.from_xml(manifest["assertions"][0]["statement"]["value"]) == LABEL


def test_each_segment_is_iv_then_ciphertext_then_the_tag_its_hash_names() -> None:
    container = seal_bytes(os.urandom(3 * SEGMENT), segment_size=SEGMENT)
    payload, manifest = take_apart(container)
    segments = manifest["encryptionInformation"]["integrityInformation"]["segments"]
    ivs = set()
    for index, segment in enumerate(segments):
        sealed = payload[index * (SEGMENT + 28) : (index + 1) * (SEGMENT + 28)]
        assert base64.b64decode(segment["hash"]) == sealed[-16:]
        ivs.add(sealed[:12])
    assert len(ivs) == len(segments)


class _OneWay(io.RawIOBase):
    """A sink that cannot seek (a socket, a pipe)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.data += bytes(b)
        return len(b)


def test_sealing_writes_straight_through_to_a_sink_that_cannot_seek() -> None:
    sink = _OneWay()
    plaintext = os.urandom(1000)
    info = seal_to(plaintext, sink, segment_size=100)  # type: ignore[arg-type]
    assert info.container_size == len(sink.data)
    assert info.plaintext_size == 1000
    assert info.segment_count == 10
    assert open_bytes(bytes(sink.data)) == plaintext


def test_the_plaintext_appears_nowhere_in_what_is_written_and_no_temporary_file_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    marker = os.urandom(16).hex().encode()
    plaintext = os.urandom(100) + marker + os.urandom(100) + marker
    target = tmp_path / "doc.tdf"
    with target.open("wb") as out:
        seal_to(plaintext, out, segment_size=SEGMENT)
    written = target.read_bytes()
    assert marker not in written
    assert marker.hex().encode() not in written
    assert base64.b64encode(marker)[:20] not in written
    with target.open("rb") as container:
        sink = io.BytesIO()
        ztdf.open_container(container, key_provider=provider(), expected=EXPECTED).copy_to(sink)
    assert sink.getvalue() == plaintext
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.tdf", "tmp"]


# --- tampering -------------------------------------------------------------------------------

PLAINTEXT = os.urandom(4 * SEGMENT + 10)
CONTAINER = seal_bytes(PLAINTEXT, segment_size=SEGMENT)
ENCRYPTED = SEGMENT + 28


def _edit_manifest(edit: Callable[[dict[str, Any]], None]) -> bytes:
    payload, manifest = take_apart(CONTAINER)
    edit(manifest)
    return put_together(payload, manifest)


def _edit_payload(edit: Callable[[bytearray], bytes]) -> bytes:
    payload, manifest = take_apart(CONTAINER)
    return put_together(edit(bytearray(payload)), manifest)


def _flip(data: bytearray, at: int) -> bytes:
    data[at] ^= 0x01
    return bytes(data)


def _swap(data: bytearray, first: int, second: int) -> bytes:
    a = data[first * ENCRYPTED : (first + 1) * ENCRYPTED]
    b = data[second * ENCRYPTED : (second + 1) * ENCRYPTED]
    data[first * ENCRYPTED : (first + 1) * ENCRYPTED] = b
    data[second * ENCRYPTED : (second + 1) * ENCRYPTED] = a
    return bytes(data)


def _policy(manifest: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.b64decode(manifest["encryptionInformation"]["policy"]))
    return data


def _set_policy(manifest: dict[str, Any], policy: dict[str, Any]) -> None:
    manifest["encryptionInformation"]["policy"] = base64.b64encode(
        json.dumps(policy).encode()
    ).decode()


def _relabel_attributes(manifest: dict[str, Any]) -> None:
    policy = _policy(manifest)
    policy["body"]["dataAttributes"] = [
        a for a in policy["body"]["dataAttributes"] if "restrictive" not in a["attribute"]
    ]
    _set_policy(manifest, policy)


def _relabel_xml(manifest: dict[str, Any]) -> None:
    statement = manifest["assertions"][0]["statement"]
    statement["value"] = statement["value"].replace("GİZLİ", "HİZMETE ÖZEL")


def _drop_label_assertion(manifest: dict[str, Any]) -> None:
    del manifest["assertions"][0]


def _drop_last_segment(manifest: dict[str, Any]) -> None:
    del manifest["encryptionInformation"]["integrityInformation"]["segments"][-1]


def _segments(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    segments: list[dict[str, Any]] = manifest["encryptionInformation"]["integrityInformation"][
        "segments"
    ]
    return segments


def _swap_manifest_hashes(manifest: dict[str, Any]) -> None:
    segments = _segments(manifest)
    segments[0]["hash"], segments[1]["hash"] = segments[1]["hash"], segments[0]["hash"]


def _forge_policy_binding(manifest: dict[str, Any]) -> None:
    manifest["encryptionInformation"]["keyAccess"][0]["policyBinding"]["hash"] = base64.b64encode(
        b"0" * 64
    ).decode()


def _forge_root_signature(manifest: dict[str, Any]) -> None:
    root = manifest["encryptionInformation"]["integrityInformation"]["rootSignature"]
    root["sig"] = base64.b64encode(bytes(32)).decode()


def _rebind_assertion(manifest: dict[str, Any]) -> None:
    # Another container's (valid-looking) binding pasted onto this one's assertion.
    _, other = take_apart(seal_bytes(b"other", segment_size=SEGMENT))
    manifest["assertions"][1]["binding"] = other["assertions"][1]["binding"]


TAMPERING: dict[str, tuple[Callable[[], bytes], type[ComityError], str]] = {
    "a ciphertext byte flipped": (
        lambda: _edit_payload(lambda p: _flip(p, ENCRYPTED + 20)),
        IntegrityFailure,
        "ztdf.segment_corrupt",
    ),
    "an IV byte flipped": (
        lambda: _edit_payload(lambda p: _flip(p, 2 * ENCRYPTED + 3)),
        IntegrityFailure,
        "ztdf.segment_corrupt",
    ),
    "a segment's tag flipped": (
        lambda: _edit_payload(lambda p: _flip(p, 2 * ENCRYPTED - 1)),
        IntegrityFailure,
        "ztdf.segment_hash",
    ),
    "two segments swapped": (
        lambda: _edit_payload(lambda p: _swap(p, 1, 2)),
        IntegrityFailure,
        "ztdf.segment_order",
    ),
    "the payload cut after its first segments": (
        lambda: _edit_payload(lambda p: bytes(p[: 3 * ENCRYPTED])),
        IntegrityFailure,
        "ztdf.truncated",
    ),
    "the last segment dropped from payload and manifest": (
        lambda: put_together(
            take_apart(CONTAINER)[0][: 4 * ENCRYPTED],
            _with(take_apart(CONTAINER)[1], _drop_last_segment),
        ),
        IntegrityFailure,
        "ztdf.root_signature",
    ),
    "two segment hashes swapped in the manifest": (
        lambda: _edit_manifest(_swap_manifest_hashes),
        IntegrityFailure,
        "ztdf.root_signature",
    ),
    "the root signature replaced": (
        lambda: _edit_manifest(_forge_root_signature),
        IntegrityFailure,
        "ztdf.root_signature",
    ),
    "the attributes relabelled": (
        lambda: _edit_manifest(_relabel_attributes),
        IntegrityFailure,
        "ztdf.policy_binding",
    ),
    "the policy binding replaced": (
        lambda: _edit_manifest(_forge_policy_binding),
        IntegrityFailure,
        "ztdf.policy_binding",
    ),
    "the ADatP-4774 label edited": (
        lambda: _edit_manifest(_relabel_xml),
        IntegrityFailure,
        "ztdf.assertion_binding",
    ),
    "the label assertion removed": (
        lambda: _edit_manifest(_drop_label_assertion),
        IntegrityFailure,
        "ztdf.assertion_missing",
    ),
    "an assertion bound to another payload": (
        lambda: _edit_manifest(_rebind_assertion),
        IntegrityFailure,
        "ztdf.assertion_binding",
    ),
    "the manifest replaced by garbage": (
        lambda: put_together(take_apart(CONTAINER)[0], {"payload": 1}),
        InvalidInput,
        "ztdf.malformed",
    ),
    "not a zip at all": (lambda: b"PK\x03\x04" + bytes(100), InvalidInput, "ztdf.malformed"),
}


def _with(manifest: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    edited = copy.deepcopy(manifest)
    edit(edited)
    return edited


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_a_tampered_container_fails_to_open_with_its_reason(case: str) -> None:
    build, error, code = TAMPERING[case]
    with pytest.raises(error) as caught:
        open_bytes(build())
    assert caught.value.code == code
    # Errors name segments and fields, never content.
    assert PLAINTEXT[:8].hex() not in str(caught.value.as_dict())


def test_the_tampering_cases_tamper_with_an_otherwise_good_container() -> None:
    assert open_bytes(CONTAINER) == PLAINTEXT
    assert open_bytes(put_together(*take_apart(CONTAINER))) == PLAINTEXT


def test_nothing_is_released_before_the_whole_container_verified() -> None:
    # The root signature fails on the last segment's hash; no segment was decrypted before.
    tampered = _edit_manifest(lambda m: _segments(m)[-1].update(hash=_segments(m)[0]["hash"]))
    with pytest.raises(IntegrityFailure) as caught:
        ztdf.open_container(io.BytesIO(tampered), key_provider=provider(), expected=EXPECTED)
    assert caught.value.code == "ztdf.root_signature"


@pytest.mark.parametrize(
    ("expected", "code"),
    [
        (ztdf.ExpectedBinding("doc-2026-0043", VERSION, LABEL), "ztdf.document_mismatch"),
        (ztdf.ExpectedBinding(DOCUMENT, VERSION + 1, LABEL), "ztdf.version_mismatch"),
        (
            ztdf.ExpectedBinding(DOCUMENT, VERSION, labels.parse("TUR | ÇOK GİZLİ")),
            "ztdf.label_mismatch",
        ),
    ],
)
def test_a_container_presented_as_another_document_version_or_label_is_refused(
    expected: ztdf.ExpectedBinding, code: str
) -> None:
    with pytest.raises(IntegrityFailure) as caught:
        open_bytes(CONTAINER, expected=expected)
    assert caught.value.code == code


def test_the_expected_label_may_be_left_to_the_container() -> None:
    opened = ztdf.open_container(
        io.BytesIO(CONTAINER),
        key_provider=provider(),
        expected=ztdf.ExpectedBinding(DOCUMENT, VERSION),
    )
    assert opened.label == LABEL
    assert opened.binding is not None
    assert opened.binding.namespace == NAMESPACE
    assert opened.plaintext_size == len(PLAINTEXT)


def test_bad_arguments_are_refused_before_anything_is_written() -> None:
    for kwargs, code in (
        ({"segment_size": 0}, "ztdf.segment_size"),
        ({"version": 0}, "exchange.invalid_binding"),
        ({"document_id": ""}, "exchange.invalid_binding"),
        ({"key_provider": []}, "ztdf.no_key_access"),
        ({"key_provider": [provider(), provider()]}, "ztdf.no_key_access"),
    ):
        out = io.BytesIO()
        arguments: dict[str, Any] = {
            "label": LABEL,
            "namespace": NAMESPACE,
            "document_id": DOCUMENT,
            "version": VERSION,
            "key_provider": provider(),
            **kwargs,
        }
        with pytest.raises(InvalidInput) as caught:
            ztdf.seal(io.BytesIO(b"x"), out, **arguments)
        assert caught.value.code == code
        assert out.getvalue() == b""


# --- keys: split, shredding, rotation --------------------------------------------------------


def test_a_split_container_opens_only_with_every_share() -> None:
    tur, aze = (
        provider("https://tur.comity.example/kas"),
        provider("https://aze.comity.example/kas"),
    )
    container = seal_bytes(PLAINTEXT, key_provider=[tur, aze])
    _, manifest = take_apart(container)
    split_ids = [kao["sid"] for kao in manifest["encryptionInformation"]["keyAccess"]]
    assert len(set(split_ids)) == 2
    assert open_bytes(container, key_provider=[tur, aze]) == PLAINTEXT
    for alone in (tur, aze):
        with pytest.raises(Unavailable) as caught:
            open_bytes(container, key_provider=alone)
        assert caught.value.code == "ztdf.key_unavailable"


def test_a_shredded_document_cannot_be_opened_even_with_the_node_key() -> None:
    vault = ztdf.DocumentKeyVault("https://tur.comity.example/vault", ztdf.MemoryKekStore())
    node = provider()
    out = io.BytesIO()
    info = seal_to(PLAINTEXT, out, key_provider=[node, vault], segment_size=SEGMENT)
    assert open_bytes(out.getvalue(), key_provider=[node, vault]) == PLAINTEXT
    (document_key,) = [r.key_id for r in info.key_access if r.url == vault.url]
    vault.destroy(document_key)
    with pytest.raises(Unavailable) as caught:
        open_bytes(out.getvalue(), key_provider=[node, vault])
    assert caught.value.code == "ztdf.key_unavailable"


def test_rotation_rewraps_keys_without_touching_payloads_and_the_old_key_can_retire() -> None:
    ring = ztdf.MemoryKeyProvider("https://tur.comity.example/kas")
    old_key = ring.current_key_id()
    container = seal_bytes(PLAINTEXT, key_provider=ring)
    new_key = ring.rotate()
    assert open_bytes(container, key_provider=ring) == PLAINTEXT  # old key still unwraps
    target = io.BytesIO()
    assert ztdf.rewrap_container(io.BytesIO(container), target, key_provider=ring) == 1
    rewrapped = target.getvalue()
    assert take_apart(rewrapped)[0] == take_apart(container)[0]  # the payload, byte for byte
    (kao,) = take_apart(rewrapped)[1]["encryptionInformation"]["keyAccess"]
    assert kao["kid"] == new_key
    ring.retire(old_key)
    assert open_bytes(rewrapped, key_provider=ring) == PLAINTEXT
    with pytest.raises(Unavailable) as caught:
        open_bytes(container, key_provider=ring)
    assert caught.value.code == "ztdf.key_unavailable"
    again = io.BytesIO()
    assert ztdf.rewrap_container(io.BytesIO(rewrapped), again, key_provider=ring) == 0


def test_rewrapping_refuses_a_container_whose_policy_was_altered() -> None:
    ring = ztdf.MemoryKeyProvider("https://tur.comity.example/kas")
    container = seal_bytes(PLAINTEXT, key_provider=ring)
    ring.rotate()
    payload, manifest = take_apart(container)
    _relabel_attributes(manifest)
    with pytest.raises(IntegrityFailure) as caught:
        ztdf.rewrap_container(
            io.BytesIO(put_together(payload, manifest)), io.BytesIO(), key_provider=ring
        )
    assert caught.value.code == "ztdf.policy_binding"


def test_reading_segment_by_segment_gives_the_plaintext_and_stops_at_a_bad_segment() -> None:
    opened = ztdf.open_container(io.BytesIO(CONTAINER), key_provider=provider(), expected=EXPECTED)
    pieces = list(opened.segments())
    assert [len(p) for p in pieces] == [SEGMENT] * 4 + [10]
    assert b"".join(pieces) == PLAINTEXT
    corrupt = _edit_payload(lambda p: _flip(p, 3 * ENCRYPTED + 40))
    reading = ztdf.open_container(
        io.BytesIO(corrupt), key_provider=provider(), expected=EXPECTED
    ).segments()
    assert [next(reading) for _ in range(3)] == pieces[:3]
    with pytest.raises(IntegrityFailure) as caught:
        next(reading)
    assert caught.value.code == "ztdf.segment_corrupt"
    assert caught.value.fields["segment"] == 3


def test_a_callers_own_assertion_is_bound_like_comitys() -> None:
    handling = AssertionContent(
        "handling-instructions",
        "handling",
        "payload",
        "encrypted",
        Statement("string", "urn:comity:handling:1", "Return to the originator after use"),
    )
    out = io.BytesIO()
    ztdf.seal(
        io.BytesIO(PLAINTEXT),
        out,
        label=LABEL,
        namespace=NAMESPACE,
        document_id=DOCUMENT,
        version=VERSION,
        key_provider=provider(),
        assertions=[handling],
    )
    assert open_bytes(out.getvalue()) == PLAINTEXT
    payload, manifest = take_apart(out.getvalue())
    assert manifest["assertions"][2]["statement"]["value"].startswith("Return")
    manifest["assertions"][2]["statement"]["value"] = "Keep a copy"
    with pytest.raises(IntegrityFailure) as caught:
        open_bytes(put_together(payload, manifest))
    assert caught.value.code == "ztdf.assertion_binding"
    assert caught.value.fields["assertion"] == "handling-instructions"
