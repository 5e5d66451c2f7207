"""comity's containers against what others wrote: the OpenTDF manifest schemas, and
otdf-python (an OpenTDF SDK from PyPI) reading what comity sealed — offline with the key-access
private key, and online through comity's rewrap answered over Connect on 127.0.0.1 — and
writing what comity opens."""

from __future__ import annotations

import base64
import io
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jsonschema
import jwt
import pytest
from otdf_python.config import KASInfo, TDFConfig
from otdf_python.kas_client import KASClient
from otdf_python.tdf import TDF, TDFReaderConfig
from otdf_python_proto.kas import kas_pb2
from otdf_python_proto.kas.kas_connect import AccessServiceWSGIApplication

from comity.crypto import ztdf
from comity.crypto.ztdf import kas
from comity.domain.exchange.policy import attributes_for
from comity.errors import IntegrityFailure
from tests.unit.crypto.ztdf_support import (
    LABEL,
    NAMESPACE,
    open_bytes,
    provider,
    put_together,
    seal_bytes,
    take_apart,
)

SCHEMAS = Path(__file__).resolve().parents[2] / "conformance" / "opentdf"


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _containers() -> list[bytes]:
    other = provider("https://aze.comity.example/kas")
    return [
        seal_bytes(b""),
        seal_bytes(os.urandom(1000), segment_size=100),
        seal_bytes(os.urandom(10), key_provider=[provider(), other]),
    ]


def test_every_manifest_comity_writes_is_valid_under_the_go_sdks_strict_schema() -> None:
    validator = _validator("platform-manifest.schema.json")
    for container in _containers():
        manifest = take_apart(container)[1]
        assert list(validator.iter_errors(manifest)) == []


def test_under_the_specs_schema_the_one_error_is_the_payload_version_no_sdk_writes() -> None:
    validator = _validator("spec-manifest.schema.json")
    for container in _containers():
        errors = list(validator.iter_errors(take_apart(container)[1]))
        assert [(list(e.path), e.validator, e.message) for e in errors] == [
            (["payload"], "required", "'tdf_spec_version' is a required property")
        ]


@pytest.mark.parametrize(
    ("size", "segment_size"), [(0, 64), (1, 64), (640, 64), (3_000_000, ztdf.DEFAULT_SEGMENT_SIZE)]
)
def test_otdf_python_decrypts_what_comity_sealed_with_the_key_access_private_key(
    size: int, segment_size: int
) -> None:
    plaintext = os.urandom(size)
    container = seal_bytes(plaintext, segment_size=segment_size)
    private_key = provider().private_key_pem()
    assert TDF().load_tdf(container, TDFReaderConfig(kas_private_key=private_key)).payload == (
        plaintext
    )
    # read_payload also checks every segment's GMAC hash against the manifest.
    sink = io.BytesIO()
    TDF().read_payload(container, {"kas_private_key": private_key}, sink)
    assert sink.getvalue() == plaintext


def _otdf_python_seal(plaintext: bytes, key_provider: ztdf.MemoryKeyProvider) -> bytes:
    config = TDFConfig(
        kas_info_list=[
            KASInfo(
                url=key_provider.url,
                public_key=key_provider.public_key_pem(),
                kid=key_provider.current_key_id(),
            )
        ],
        attributes=list(attributes_for(LABEL, NAMESPACE)),
        default_segment_size=1024,
    )
    _, _, out = TDF().create_tdf(plaintext, config)
    return bytes(out.getvalue())


@pytest.mark.parametrize("size", [0, 5, 5000])
def test_comity_opens_what_otdf_python_sealed(size: int) -> None:
    plaintext = os.urandom(size)
    container = _otdf_python_seal(plaintext, provider())
    opened = ztdf.open_container(io.BytesIO(container), key_provider=provider(), expected=None)
    assert opened.binding is None
    assert opened.attributes == attributes_for(LABEL, NAMESPACE)
    sink = io.BytesIO()
    opened.copy_to(sink)
    assert sink.getvalue() == plaintext


def test_comity_refuses_a_tampered_container_otdf_python_sealed() -> None:
    payload, manifest = take_apart(_otdf_python_seal(os.urandom(3000), provider()))
    flipped = bytearray(payload)
    flipped[1100] ^= 1
    with pytest.raises(IntegrityFailure) as caught:
        open_bytes(put_together(bytes(flipped), manifest), expected=None)
    assert caught.value.code == "ztdf.segment_corrupt"


# --- online: comity's rewrap behind a Connect endpoint ----------------------------------------


class _RewrapService:
    """kas.AccessService over comity's `kas.rewrap` (what the web layer will adapt)."""

    def __init__(self, key_provider: ztdf.KeyProvider, *, allow: bool) -> None:
        self.key_provider = key_provider
        self.allow = allow
        self.seen: list[tuple[str, ...]] = []

    def public_key(self, request: Any, ctx: Any) -> Any:
        raise NotImplementedError

    def legacy_public_key(self, request: Any, ctx: Any) -> Any:
        raise NotImplementedError

    def _authorize(self, attributes: tuple[str, ...]) -> bool:
        self.seen.append(attributes)
        return self.allow

    def rewrap(self, request: Any, ctx: Any) -> Any:
        # The test trusts the request token; the web layer verifies it and the requester.
        claims = jwt.decode(request.signed_request_token, options={"verify_signature": False})
        answer = kas.rewrap(
            json.loads(claims["requestBody"]), self.key_provider, authorize=self._authorize
        )
        return kas_pb2.RewrapResponse(
            responses=[
                kas_pb2.PolicyRewrapResult(
                    policy_id=response["policyId"],
                    results=[_result(result) for result in response["results"]],
                )
                for response in answer["responses"]
            ]
        )


def _result(result: dict[str, Any]) -> Any:
    # kas_wrapped_key and error are one protobuf oneof: set only the one that applies.
    if result["status"] == "permit":
        return kas_pb2.KeyAccessRewrapResult(
            key_access_object_id=result["keyAccessObjectId"],
            status="permit",
            kas_wrapped_key=base64.b64decode(result["kasWrappedKey"]),
        )
    return kas_pb2.KeyAccessRewrapResult(
        key_access_object_id=result["keyAccessObjectId"], status="fail", error=result["error"]
    )


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def kas_server() -> Iterator[tuple[WSGIServer, dict[str, Any]]]:
    """A Connect endpoint on 127.0.0.1 (a port the system picks) serving `app` in the dict."""
    slot: dict[str, Any] = {}
    server = make_server(
        "127.0.0.1", 0, lambda environ, start: slot["app"](environ, start), handler_class=_Quiet
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, slot
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _online_open(container: bytes, url: str) -> bytes:
    client = KASClient(kas_url=url, token_source=lambda: "test-token", use_plaintext=True)

    class Services:
        def kas(self) -> KASClient:
            return client

    try:
        payload: bytes = TDF(services=Services()).load_tdf(container, TDFReaderConfig()).payload
    finally:
        client.close()
    return payload


def test_otdf_python_opens_a_comity_container_through_comitys_rewrap(
    kas_server: tuple[WSGIServer, dict[str, Any]],
) -> None:
    server, slot = kas_server
    ring = ztdf.MemoryKeyProvider(f"https://127.0.0.1:{server.server_port}/kas")
    service = _RewrapService(ring, allow=True)
    slot["app"] = AccessServiceWSGIApplication(service)
    plaintext = os.urandom(5000)
    container = seal_bytes(plaintext, key_provider=ring, segment_size=1000)
    assert _online_open(container, ring.url) == plaintext
    assert service.seen == [attributes_for(LABEL, NAMESPACE)]


def test_a_denied_rewrap_releases_nothing_to_otdf_python(
    kas_server: tuple[WSGIServer, dict[str, Any]],
) -> None:
    server, slot = kas_server
    ring = ztdf.MemoryKeyProvider(f"https://127.0.0.1:{server.server_port}/kas")
    slot["app"] = AccessServiceWSGIApplication(_RewrapService(ring, allow=False))
    container = seal_bytes(b"not for you", key_provider=ring)
    with pytest.raises(ValueError, match="Unable to unwrap"):
        _online_open(container, ring.url)
