"""Sealing a document version into a ZTDF container, and opening one, as streams.

A container is a zip (`zipio`) of ``0.payload`` — the plaintext cut into segments, each
encrypted with AES-256-GCM under the payload key as ``IV (12 random bytes) ‖ ciphertext ‖ tag
(16 bytes)``, no associated data (what every OpenTDF SDK decrypts) — and ``0.manifest.json``:
the segment hashes (their tags), the root signature over them, the base64 policy (the label's
attributes, `comity.domain.exchange.policy`), the key access objects wrapping the payload key
(or its XOR shares, one per `KeyProvider`, each bound to the policy), and two assertions bound
to the payload (`comity.domain.exchange.assertions`): the ADatP-4774 label and comity's
binding of document id, version, canonical label and namespace.

What binds what (all keyed with the payload key, so only a holder of the key can forge them;
they play the part that GCM associated data would, which no other SDK could read):

* a relabelled container (policy edited) fails its policy binding; a label or binding
  assertion edited or removed fails its assertion binding or is missing; a container whose
  policy and label disagree is refused;
* a swapped container (another document or version) fails `ExpectedBinding`;
* a truncated payload is shorter than its manifest says; a segment dropped from both fails
  the root signature; reordered segments meet the wrong hash (and are named as reordered);
  a flipped ciphertext bit fails its segment's tag.

Opening checks all of this *before* the first plaintext byte is released, except each
segment's tag and order, which are checked as the segment is read: a failure part-way raises,
and whatever the caller already wrote from the earlier segments must be discarded.

Invariants: plaintext exists only in segment-sized buffers in memory — never in a temporary
file, a log line or an error message (errors name segments by index, never by content); a
2 GiB document is sealed and opened with a few segments' worth of memory.
"""

from __future__ import annotations

import hmac
import json
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from comity.crypto.ztdf import bindings
from comity.crypto.ztdf.keys import KeyProvider, WrappedShare
from comity.crypto.ztdf.zipio import (
    MANIFEST_NAME,
    PAYLOAD_NAME,
    ContainerEntries,
    ZipStreamWriter,
    read_entries,
)
from comity.domain.exchange import assertions as statements
from comity.domain.exchange.assertions import AssertionContent, DocumentBinding, Statement
from comity.domain.exchange.policy import attributes_for
from comity.domain.security.labels import Label
from comity.errors import IntegrityFailure, InvalidInput, Unavailable

__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "MAX_SEGMENT_SIZE",
    "TDF_SPEC_VERSION",
    "ExpectedBinding",
    "KeyAccessRecord",
    "OpenedContainer",
    "SealedInfo",
    "open_container",
    "read_manifest",
    "rewrap_container",
    "rewrap_manifest",
    "seal",
]

DEFAULT_SEGMENT_SIZE: Final = 1024 * 1024
#: The largest segment comity writes or reads (bounds the memory one segment takes).
MAX_SEGMENT_SIZE: Final = 64 * 1024 * 1024
#: The manifest format comity writes: 4.3.0 and later hash in raw bytes, not hex.
TDF_SPEC_VERSION: Final = "4.3.0"
KEY_ACCESS_SCHEMA_VERSION: Final = "1.0"
IV_SIZE: Final = 12
TAG_SIZE: Final = 16
SEGMENT_OVERHEAD: Final = IV_SIZE + TAG_SIZE
KEY_SIZE: Final = 32
CIPHER: Final = "AES-256-GCM"
MIME_TYPE: Final = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class KeyAccessRecord:
    """Which service wrapped (a share of) a container's key, under which key, for which split."""

    url: str
    key_id: str
    split_id: str


@dataclass(frozen=True, slots=True)
class SealedInfo:
    """What `seal` wrote: enough for the caller to record, never any key or plaintext."""

    binding: DocumentBinding
    policy_uuid: str
    plaintext_size: int
    segment_count: int
    container_size: int
    key_access: tuple[KeyAccessRecord, ...]


@dataclass(frozen=True, slots=True)
class ExpectedBinding:
    """What the caller expects a container to be; `label` None accepts the stated label."""

    document_id: str
    version: int
    label: Label | None = None


def _providers(key_provider: KeyProvider | Sequence[KeyProvider]) -> tuple[KeyProvider, ...]:
    providers = (key_provider,) if isinstance(key_provider, KeyProvider) else tuple(key_provider)
    if not providers:
        raise InvalidInput("no key provider", location="key_provider", code="ztdf.no_key_access")
    urls = [provider.url for provider in providers]
    if len(set(urls)) != len(urls):
        raise InvalidInput(
            "two key providers share a URL",
            location="key_provider",
            reason="each key access service has its own URL",
            code="ztdf.no_key_access",
        )
    return providers


def _read_full(stream: BinaryIO, view: memoryview) -> int:
    """Fill `view` from `stream` unless it ends first; the number of bytes read."""
    filled = 0
    readinto = getattr(stream, "readinto", None)
    while filled < len(view):
        if readinto is not None:
            count = readinto(view[filled:])
        else:
            chunk = stream.read(len(view) - filled)
            count = len(chunk)
            view[filled : filled + count] = chunk
        if not count:
            break
        filled += count
    return filled


def seal(
    plaintext: BinaryIO,
    out: BinaryIO,
    *,
    label: Label,
    namespace: str,
    document_id: str,
    version: int,
    key_provider: KeyProvider | Sequence[KeyProvider],
    segment_size: int = DEFAULT_SEGMENT_SIZE,
    assertions: Sequence[AssertionContent] = (),
    mime_type: str = MIME_TYPE,
) -> SealedInfo:
    """Read `plaintext` to its end and write its container to `out`, segment by segment.

    One provider wraps the whole payload key; several each wrap one XOR share (OpenTDF's split
    key access), so the container opens only where every share can be unwrapped. `assertions`
    are added beside comity's two and bound the same way. `out` need not be seekable."""
    if isinstance(segment_size, bool) or not 1 <= segment_size <= MAX_SEGMENT_SIZE:
        raise InvalidInput(
            f"invalid segment size {segment_size!r}",
            location="segment_size",
            reason=f"1 to {MAX_SEGMENT_SIZE} bytes",
            code="ztdf.segment_size",
        )
    binding = DocumentBinding(document_id, version, label, namespace)
    providers = _providers(key_provider)
    extra_ids = [assertion.id for assertion in assertions]
    reserved = {statements.LABEL_ASSERTION_ID, statements.BINDING_ASSERTION_ID}
    if len(set(extra_ids)) != len(extra_ids) or reserved & set(extra_ids):
        raise InvalidInput(
            "assertion ids must be unique and not comity's own",
            location="assertions",
            code="ztdf.assertion_id",
        )

    policy_uuid = str(uuid.uuid4())
    policy = bindings.b64encode(
        json.dumps(
            {
                "uuid": policy_uuid,
                "body": {
                    "dataAttributes": [
                        {"attribute": fqn} for fqn in attributes_for(label, namespace)
                    ],
                    "dissem": [],
                },
            },
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode("utf-8")
    )
    split = len(providers) > 1
    shares = [os.urandom(KEY_SIZE) for _ in providers]
    payload_key = bytes(KEY_SIZE)
    for share in shares:
        payload_key = bytes(a ^ b for a, b in zip(payload_key, share, strict=True))
    key_access: list[dict[str, Any]] = []
    records: list[KeyAccessRecord] = []
    for provider, share in zip(providers, shares, strict=True):
        split_id = str(uuid.uuid4()) if split else ""
        wrapped: WrappedShare = provider.wrap(share)
        key_access.append(_key_access_object(provider.url, wrapped, split_id, share, policy))
        records.append(KeyAccessRecord(provider.url, wrapped.key_id, split_id))

    writer = ZipStreamWriter(out)
    writer.begin_payload()
    aead = AESGCM(payload_key)
    plain_buffer = bytearray(segment_size)
    plain_view = memoryview(plain_buffer)
    sealed_buffer = bytearray(segment_size + SEGMENT_OVERHEAD)
    sealed_view = memoryview(sealed_buffer)
    segments: list[dict[str, Any]] = []
    tags: list[bytes] = []
    total = 0
    while True:
        count = _read_full(plaintext, plain_view)
        if count == 0 and segments:
            break
        iv = os.urandom(IV_SIZE)
        sealed_view[:IV_SIZE] = iv
        end = IV_SIZE + count + TAG_SIZE
        aead.encrypt_into(iv, plain_view[:count], None, sealed_view[IV_SIZE:end])
        writer.write_payload(sealed_view[:end])
        tag = bytes(sealed_view[end - TAG_SIZE : end])
        tags.append(tag)
        segments.append(
            {
                "hash": bindings.b64encode(tag),
                "segmentSize": count,
                "encryptedSegmentSize": count + SEGMENT_OVERHEAD,
            }
        )
        total += count
        if count < segment_size:
            break
    # The plaintext's last segment is still in memory: clear it before the buffers are freed.
    plain_view[:] = bytes(segment_size)
    writer.end_payload()

    aggregate = b"".join(tags)
    manifest: dict[str, Any] = {
        "encryptionInformation": {
            "type": "split",
            "policy": policy,
            "keyAccess": key_access,
            "method": {"algorithm": CIPHER, "iv": "", "isStreamable": True},
            "integrityInformation": {
                "rootSignature": {
                    "alg": "HS256",
                    "sig": bindings.root_signature(payload_key, aggregate),
                },
                "segmentHashAlg": "GMAC",
                "segmentSizeDefault": segment_size,
                "encryptedSegmentSizeDefault": segment_size + SEGMENT_OVERHEAD,
                "segments": segments,
            },
        },
        "payload": {
            "type": "reference",
            "url": PAYLOAD_NAME,
            "protocol": "zip",
            "mimeType": mime_type,
            "isEncrypted": True,
        },
        "schemaVersion": TDF_SPEC_VERSION,
        "assertions": [
            _bound(content.as_json(), payload_key, aggregate)
            for content in (*statements.comity_assertions(binding), *assertions)
        ],
    }
    writer.add_manifest(json.dumps(manifest, separators=(",", ":")).encode("utf-8"))
    size = writer.finish()
    return SealedInfo(binding, policy_uuid, total, len(segments), size, tuple(records))


def _key_access_object(
    url: str, wrapped: WrappedShare, split_id: str, share: bytes, policy: str
) -> dict[str, Any]:
    kao: dict[str, Any] = {
        "type": "wrapped",
        "url": url,
        "protocol": "kas",
        "wrappedKey": bindings.b64encode(wrapped.wrapped),
        "policyBinding": {"alg": "HS256", "hash": bindings.policy_binding(share, policy)},
        "kid": wrapped.key_id,
        "schemaVersion": KEY_ACCESS_SCHEMA_VERSION,
    }
    if split_id:
        kao["sid"] = split_id
    return kao


def _bound(assertion: dict[str, Any], payload_key: bytes, aggregate: bytes) -> dict[str, Any]:
    hash_hex = bindings.assertion_hash(assertion)
    claims = {
        "assertionHash": hash_hex,
        "assertionSig": bindings.assertion_signature(aggregate, hash_hex),
    }
    return {
        **assertion,
        "binding": {"method": "jws", "signature": bindings.jws_sign(payload_key, claims)},
    }


# --- reading -----------------------------------------------------------------------------------


def _malformed(where: str, reason: str) -> InvalidInput:
    return InvalidInput(
        "not a ZTDF container comity can read",
        location=f"{MANIFEST_NAME}: {where}",
        reason=reason,
        code="ztdf.malformed",
    )


def _integrity(
    code: str, message: str, *, where: str, reason: str, **fields: Any
) -> IntegrityFailure:
    return IntegrityFailure(message, location=where, reason=reason, code=f"ztdf.{code}", **fields)


def _get(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _malformed(f"{where}.{key}", f"missing or not {getattr(kind, '__name__', kind)}")
    return value


def _expect(data: Mapping[str, Any], key: str, wanted: object, where: str) -> None:
    if data.get(key) != wanted:
        raise _malformed(f"{where}.{key}", f"{data.get(key)!r}, comity reads {wanted!r}")


@dataclass(frozen=True, slots=True)
class _Segment:
    size: int
    encrypted_size: int
    tag: bytes


@dataclass(frozen=True, slots=True)
class _Manifest:
    raw: dict[str, Any]
    policy: str
    attributes: tuple[str, ...]
    policy_uuid: str
    key_access: tuple[dict[str, Any], ...]
    segments: tuple[_Segment, ...]
    segment_size: int
    root_signature: str
    assertions: tuple[dict[str, Any], ...]


def read_manifest(container: BinaryIO) -> dict[str, Any]:
    """The container's manifest as JSON data (read, not verified: for inspection and tests)."""
    return _load_json(read_entries(container).manifest)


def _load_json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _malformed("(whole)", f"not UTF-8 JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _malformed("(whole)", "not a JSON object")
    return data


def _parse_manifest(raw: bytes) -> _Manifest:
    data = _load_json(raw)
    if not isinstance(data.get("schemaVersion"), str):
        raise _malformed(
            "schemaVersion",
            "missing: a manifest before 4.3.0 hashes in hex, which comity does not read",
        )
    payload = _get(data, "payload", dict, "")
    _expect(payload, "type", "reference", "payload")
    _expect(payload, "url", PAYLOAD_NAME, "payload")
    _expect(payload, "protocol", "zip", "payload")
    _expect(payload, "isEncrypted", True, "payload")
    info = _get(data, "encryptionInformation", dict, "")
    where = "encryptionInformation"
    method = _get(info, "method", dict, where)
    _expect(method, "algorithm", CIPHER, f"{where}.method")
    integrity = _get(info, "integrityInformation", dict, where)
    iwhere = f"{where}.integrityInformation"
    _expect(integrity, "segmentHashAlg", "GMAC", iwhere)
    root = _get(integrity, "rootSignature", dict, iwhere)
    _expect(root, "alg", "HS256", f"{iwhere}.rootSignature")
    root_signature = _get(root, "sig", str, f"{iwhere}.rootSignature")
    segment_size = _get(integrity, "segmentSizeDefault", int, iwhere)
    if not 1 <= segment_size <= MAX_SEGMENT_SIZE:
        raise _malformed(f"{iwhere}.segmentSizeDefault", f"not within 1..{MAX_SEGMENT_SIZE}")
    if (
        _get(integrity, "encryptedSegmentSizeDefault", int, iwhere)
        != segment_size + SEGMENT_OVERHEAD
    ):
        raise _malformed(f"{iwhere}.encryptedSegmentSizeDefault", "not segmentSizeDefault + 28")
    segments: list[_Segment] = []
    listed = _get(integrity, "segments", list, iwhere)
    for index, item in enumerate(listed):
        swhere = f"{iwhere}.segments[{index}]"
        if not isinstance(item, dict):
            raise _malformed(swhere, "not an object")
        size = _get(item, "segmentSize", int, swhere)
        encrypted = _get(item, "encryptedSegmentSize", int, swhere)
        last = index == len(listed) - 1
        if encrypted != size + SEGMENT_OVERHEAD or size > segment_size or size < 0:
            raise _malformed(swhere, "sizes do not fit AES-GCM segments")
        if not last and size != segment_size:
            raise _malformed(swhere, "only the last segment may be shorter than the default")
        try:
            tag = bindings.b64decode(_get(item, "hash", str, swhere))
        except ValueError:
            raise _malformed(f"{swhere}.hash", "not base64") from None
        if len(tag) != TAG_SIZE:
            raise _malformed(f"{swhere}.hash", "a GMAC segment hash is 16 bytes")
        segments.append(_Segment(size, encrypted, tag))
    policy = _get(info, "policy", str, where)
    try:
        policy_data = json.loads(bindings.b64decode(policy).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise _malformed(f"{where}.policy", "not base64 of UTF-8 JSON") from None
    if not isinstance(policy_data, dict):
        raise _malformed(f"{where}.policy", "not a JSON object")
    policy_uuid = _get(policy_data, "uuid", str, "policy")
    body = _get(policy_data, "body", dict, "policy")
    attributes: list[str] = []
    for index, item in enumerate(body.get("dataAttributes") or []):
        if not isinstance(item, dict):
            raise _malformed(f"policy.body.dataAttributes[{index}]", "not an object")
        attributes.append(_get(item, "attribute", str, f"policy.body.dataAttributes[{index}]"))
    key_access = _get(info, "keyAccess", list, where)
    if not key_access:
        raise _malformed(f"{where}.keyAccess", "no key access object")
    for index, kao in enumerate(key_access):
        kwhere = f"{where}.keyAccess[{index}]"
        if not isinstance(kao, dict):
            raise _malformed(kwhere, "not an object")
        _expect(kao, "type", "wrapped", kwhere)
        _expect(kao, "protocol", "kas", kwhere)
        _get(kao, "url", str, kwhere)
        _get(kao, "wrappedKey", str, kwhere)
    found = data.get("assertions") or []
    if not isinstance(found, list) or not all(isinstance(a, dict) for a in found):
        raise _malformed("assertions", "not a list of objects")
    return _Manifest(
        data,
        policy,
        tuple(attributes),
        policy_uuid,
        tuple(key_access),
        tuple(segments),
        segment_size,
        root_signature,
        tuple(found),
    )


def _policy_binding_hash(kao: Mapping[str, Any], where: str) -> str:
    binding = kao.get("policyBinding")
    if isinstance(binding, str):
        return binding
    if isinstance(binding, dict) and binding.get("alg", "HS256") == "HS256":
        stated: str = _get(binding, "hash", str, f"{where}.policyBinding")
        return stated
    raise _malformed(f"{where}.policyBinding", "an HS256 binding is expected")


def _unwrap(provider: KeyProvider, kid: str, wrapped: bytes) -> tuple[str, bytes]:
    """The share and the key id that unwrapped it. Another SDK may leave the key id out: then
    each key the provider still holds is tried."""
    if kid:
        return kid, provider.unwrap(kid, wrapped)
    for candidate in provider.key_ids():
        try:
            return candidate, provider.unwrap(candidate, wrapped)
        except IntegrityFailure:
            continue
    raise Unavailable(
        f"no key at {provider.url} unwraps the share",
        location="keyAccess",
        reason="the key access object names no key, and none of the provider's keys opens it",
        code="ztdf.key_unavailable",
    )


def _payload_key(
    manifest: _Manifest, providers: Sequence[KeyProvider]
) -> tuple[bytes, tuple[KeyAccessRecord, ...]]:
    """XOR of one unwrapped share per split, each checked against the policy."""
    by_url = {provider.url: provider for provider in providers}
    splits: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for index, kao in enumerate(manifest.key_access):
        sid = kao.get("sid") or ""
        if not isinstance(sid, str):
            raise _malformed(f"encryptionInformation.keyAccess[{index}].sid", "not text")
        splits.setdefault(sid, []).append((index, kao))
    key = bytes(KEY_SIZE)
    used: list[KeyAccessRecord] = []
    for sid, candidates in splits.items():
        share: bytes | None = None
        problem: Unavailable | None = None
        for index, kao in candidates:
            where = f"encryptionInformation.keyAccess[{index}]"
            provider = by_url.get(kao["url"])
            if provider is None:
                continue
            kid = kao.get("kid") or ""
            try:
                wrapped = bindings.b64decode(kao["wrappedKey"])
            except ValueError:
                raise _malformed(f"{where}.wrappedKey", "not base64") from None
            try:
                kid, candidate = _unwrap(provider, str(kid), wrapped)
            except Unavailable as exc:
                problem = exc
                continue
            if len(candidate) != KEY_SIZE:
                raise _integrity(
                    "unwrap_failed",
                    "a key share is not 32 bytes",
                    where=where,
                    reason="the wrapped key is not an AES-256 key share",
                )
            if not bindings.policy_binding_matches(
                candidate, manifest.policy, _policy_binding_hash(kao, where)
            ):
                raise _integrity(
                    "policy_binding",
                    "the container's policy is not the one its key was bound to",
                    where=f"{where}.policyBinding",
                    reason="the policy (the label's attributes) was altered after sealing",
                )
            share = candidate
            used.append(KeyAccessRecord(kao["url"], str(kid), sid))
            break
        if share is None:
            if problem is not None:
                raise problem
            raise Unavailable(
                "no key provider here can unwrap a share of this container's key",
                location="keyAccess",
                reason=f"split {sid or '(whole key)'} is wrapped for "
                + ", ".join(sorted({str(kao["url"]) for _, kao in candidates})),
                code="ztdf.key_unavailable",
            )
        key = bytes(a ^ b for a, b in zip(key, share, strict=True))
    return key, tuple(used)


def _verify_assertions(manifest: _Manifest, key: bytes, aggregate: bytes) -> dict[str, Statement]:
    found: dict[str, Statement] = {}
    for index, assertion in enumerate(manifest.assertions):
        where = f"assertions[{index}]"
        assertion_id = _get(assertion, "id", str, where)
        if assertion_id in found:
            raise _malformed(where, f"assertion id {assertion_id!r} appears twice")
        binding = _get(assertion, "binding", dict, where)
        _expect(binding, "method", "jws", f"{where}.binding")
        try:
            claims = bindings.jws_verify(key, _get(binding, "signature", str, f"{where}.binding"))
        except ValueError as exc:
            raise _integrity(
                "assertion_binding",
                f"assertion {assertion_id!r} is not bound to this payload",
                where=where,
                reason=str(exc),
                assertion=assertion_id,
            ) from None
        hash_hex = bindings.assertion_hash(assertion)
        if claims.get("assertionHash") != hash_hex:
            raise _integrity(
                "assertion_binding",
                f"assertion {assertion_id!r} was altered after sealing",
                where=where,
                reason="its content does not match the hash its binding signs",
                assertion=assertion_id,
            )
        if claims.get("assertionSig") != bindings.assertion_signature(aggregate, hash_hex):
            raise _integrity(
                "assertion_binding",
                f"assertion {assertion_id!r} was bound to another payload",
                where=where,
                reason="its binding signs other segment hashes",
                assertion=assertion_id,
            )
        statement = _get(assertion, "statement", dict, where)
        found[assertion_id] = Statement(
            _get(statement, "format", str, f"{where}.statement"),
            _get(statement, "schema", str, f"{where}.statement"),
            _get(statement, "value", str, f"{where}.statement"),
        )
    return found


def _check_binding(
    manifest: _Manifest, found: Mapping[str, Statement], expected: ExpectedBinding | None
) -> DocumentBinding | None:
    if expected is None and not found.keys() & {
        statements.LABEL_ASSERTION_ID,
        statements.BINDING_ASSERTION_ID,
    }:
        return None
    for assertion_id in (statements.LABEL_ASSERTION_ID, statements.BINDING_ASSERTION_ID):
        if assertion_id not in found:
            raise _integrity(
                "assertion_missing",
                f"the container has no {assertion_id!r} assertion",
                where="assertions",
                reason="comity seals every container with its label and binding assertions",
                assertion=assertion_id,
            )
    binding = statements.parse_binding(found[statements.BINDING_ASSERTION_ID])
    xml_label = statements.label_from_statement(found[statements.LABEL_ASSERTION_ID])
    if xml_label != binding.label:
        raise _integrity(
            "label_mismatch",
            "the container's ADatP-4774 label and its bound label differ",
            where=f"assertions.{statements.LABEL_ASSERTION_ID}",
            reason="a relabelled container",
        )
    if manifest.attributes != attributes_for(binding.label, binding.namespace):
        raise _integrity(
            "label_mismatch",
            "the container's policy attributes do not encode its label",
            where="encryptionInformation.policy",
            reason="a relabelled container",
        )
    if expected is None:
        return binding
    if binding.document_id != expected.document_id:
        raise _integrity(
            "document_mismatch",
            "the container is another document's",
            where=f"assertions.{statements.BINDING_ASSERTION_ID}",
            reason=f"sealed for {binding.document_id!r}, expected {expected.document_id!r}",
        )
    if binding.version != expected.version:
        raise _integrity(
            "version_mismatch",
            "the container is another version of the document",
            where=f"assertions.{statements.BINDING_ASSERTION_ID}",
            reason=f"sealed as version {binding.version}, expected {expected.version}",
        )
    if expected.label is not None and binding.label != expected.label:
        raise _integrity(
            "label_mismatch",
            "the container is sealed under another label",
            where=f"assertions.{statements.BINDING_ASSERTION_ID}",
            reason="the label recorded for the document differs from the container's",
        )
    return binding


@dataclass(slots=True)
class OpenedContainer:
    """A container whose key, policy, signatures and binding verified; its plaintext is read
    (and each segment checked) by iterating `segments()` or by `copy_to`."""

    #: None for a container another tool sealed (opened with ``expected=None``).
    binding: DocumentBinding | None
    policy_uuid: str
    #: The policy's attribute value FQNs, as the container states them.
    attributes: tuple[str, ...]
    plaintext_size: int
    key_access: tuple[KeyAccessRecord, ...]
    _stream: BinaryIO = field(repr=False)
    _offset: int = field(repr=False)
    _segments: tuple[_Segment, ...] = field(repr=False)
    _aead: AESGCM = field(repr=False)

    @property
    def label(self) -> Label | None:
        return self.binding.label if self.binding else None

    def segments(self) -> Iterator[bytes]:
        """The plaintext, one verified segment at a time, in order."""
        for sealed, index in self._sealed_segments():
            try:
                yield self._aead.decrypt(bytes(sealed[:IV_SIZE]), sealed[IV_SIZE:], None)
            except InvalidTag:
                raise _segment_corrupt(index) from None

    def copy_to(self, sink: BinaryIO) -> int:
        """Write the whole plaintext to `sink`; the number of bytes written. Decrypts into one
        reused buffer, which is wiped before it is freed."""
        largest = max((s.size for s in self._segments), default=0)
        plain = memoryview(bytearray(largest + TAG_SIZE))
        written = 0
        try:
            for sealed, index in self._sealed_segments():
                size = len(sealed) - SEGMENT_OVERHEAD
                try:
                    self._aead.decrypt_into(
                        bytes(sealed[:IV_SIZE]), sealed[IV_SIZE:], None, plain[:size]
                    )
                except InvalidTag:
                    raise _segment_corrupt(index) from None
                sink.write(plain[:size])
                written += size
        finally:
            plain[:] = bytes(len(plain))
        return written

    def _sealed_segments(self) -> Iterator[tuple[memoryview, int]]:
        """Each segment's sealed bytes (a view of one reused buffer) once its tag is the one
        the manifest lists at its place."""
        positions = {segment.tag: index for index, segment in enumerate(self._segments)}
        self._stream.seek(self._offset)
        buffer = bytearray(max((s.encrypted_size for s in self._segments), default=0))
        view = memoryview(buffer)
        for index, segment in enumerate(self._segments):
            sealed = view[: segment.encrypted_size]
            if _read_full(self._stream, sealed) != segment.encrypted_size:
                raise _integrity(
                    "truncated",
                    "the payload ends inside a segment",
                    where=f"{PAYLOAD_NAME}, segment {index}",
                    reason="the container was cut short",
                    segment=index,
                )
            tag = bytes(sealed[-TAG_SIZE:])
            if tag != segment.tag:
                elsewhere = positions.get(tag)
                if elsewhere is not None:
                    raise _integrity(
                        "segment_order",
                        "the payload's segments are out of order",
                        where=f"{PAYLOAD_NAME}, segment {index}",
                        reason=f"found segment {elsewhere} where segment {index} belongs",
                        segment=index,
                    )
                raise _integrity(
                    "segment_hash",
                    "a segment's tag does not match its hash in the manifest",
                    where=f"{PAYLOAD_NAME}, segment {index}",
                    reason="the segment or its tag was altered",
                    segment=index,
                )
            yield sealed, index


def _segment_corrupt(index: int) -> IntegrityFailure:
    return _integrity(
        "segment_corrupt",
        "a segment does not decrypt",
        where=f"{PAYLOAD_NAME}, segment {index}",
        reason="its ciphertext or IV was altered",
        segment=index,
    )


def open_container(
    container: BinaryIO,
    *,
    key_provider: KeyProvider | Sequence[KeyProvider],
    expected: ExpectedBinding | None,
) -> OpenedContainer:
    """Verify a container (a seekable binary stream) and return it ready to read.

    `expected` is what the caller's records say the container is; None opens a container that
    another OpenTDF tool sealed (its key, policy bindings, root signature, assertions and
    segments are verified all the same; comity's binding is checked if it is there).

    Raises `InvalidInput` (``ztdf.malformed``) for what is not a container, `Unavailable`
    (``ztdf.key_unavailable``) when a key share cannot be unwrapped here, and `IntegrityFailure`
    (``ztdf.*``: see the module docstring) for anything altered, swapped or cut."""
    providers = _providers(key_provider)
    entries: ContainerEntries = read_entries(container)
    manifest = _parse_manifest(entries.manifest)
    expected_payload = sum(segment.encrypted_size for segment in manifest.segments)
    if entries.payload_size != expected_payload:
        raise _integrity(
            "truncated" if entries.payload_size < expected_payload else "payload_size",
            "the payload's size is not the one its manifest states",
            where=PAYLOAD_NAME,
            reason=f"{entries.payload_size} bytes, the segments add up to {expected_payload}",
        )
    key, used = _payload_key(manifest, providers)
    aggregate = b"".join(segment.tag for segment in manifest.segments)
    if not hmac.compare_digest(
        manifest.root_signature.encode(), bindings.root_signature(key, aggregate).encode()
    ):
        raise _integrity(
            "root_signature",
            "the segment list is not the one sealed",
            where="encryptionInformation.integrityInformation.rootSignature",
            reason="segments were removed, added, reordered or altered in the manifest",
        )
    found = _verify_assertions(manifest, key, aggregate)
    binding = _check_binding(manifest, found, expected)
    return OpenedContainer(
        binding,
        manifest.policy_uuid,
        manifest.attributes,
        sum(segment.size for segment in manifest.segments),
        used,
        container,
        entries.payload_offset,
        manifest.segments,
        AESGCM(key),
    )


# --- key rotation ------------------------------------------------------------------------------


def rewrap_manifest(
    manifest: bytes, key_provider: KeyProvider | Sequence[KeyProvider]
) -> tuple[bytes, int]:
    """The manifest with every key share that one of the providers wrapped under a key other
    than its current one wrapped again for the current key; and how many were. Only
    ``wrappedKey`` and ``kid`` change: the policy bindings (keyed by the share), the root
    signature and the assertions (keyed by the payload key) stay valid as they are."""
    providers = _providers(key_provider)
    by_url = {provider.url: provider for provider in providers}
    parsed = _parse_manifest(manifest)
    data = parsed.raw
    changed = 0
    for index, kao in enumerate(data["encryptionInformation"]["keyAccess"]):
        provider = by_url.get(kao["url"])
        kid = kao.get("kid") or ""
        if provider is None or (kid and kid == provider.current_key_id()):
            continue
        where = f"encryptionInformation.keyAccess[{index}]"
        try:
            wrapped = bindings.b64decode(kao["wrappedKey"])
        except ValueError:
            raise _malformed(f"{where}.wrappedKey", "not base64") from None
        _, share = _unwrap(provider, str(kid), wrapped)
        if not bindings.policy_binding_matches(
            share, parsed.policy, _policy_binding_hash(kao, where)
        ):
            # Rewrapping would lend a current key to a policy that was altered.
            raise _integrity(
                "policy_binding",
                "the container's policy is not the one its key was bound to",
                where=f"{where}.policyBinding",
                reason="refusing to rewrap a key for an altered policy",
            )
        rewrapped = provider.wrap(share)
        kao["wrappedKey"] = bindings.b64encode(rewrapped.wrapped)
        kao["kid"] = rewrapped.key_id
        changed += 1
    return json.dumps(data, separators=(",", ":")).encode("utf-8"), changed


def rewrap_container(
    source: BinaryIO, target: BinaryIO, *, key_provider: KeyProvider | Sequence[KeyProvider]
) -> int:
    """Write to `target` the `source` container with its key shares moved to the providers'
    current keys (`rewrap_manifest`); the payload entry is copied byte for byte, never
    decrypted. Returns how many shares were rewrapped. Write `target` beside the original and
    replace it once this returns: then the old key can be retired."""
    entries = read_entries(source)
    manifest, changed = rewrap_manifest(entries.manifest, key_provider)
    writer = ZipStreamWriter(target)
    writer.copy_payload_entry(source, entries)
    writer.add_manifest(manifest)
    writer.finish()
    return changed
