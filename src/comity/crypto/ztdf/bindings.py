"""The keyed bindings of a ZTDF manifest, computed exactly as the OpenTDF SDKs compute them.

For manifests that state ``schemaVersion`` (4.3.0 and later; comity writes 4.3.0), following
opentdf/platform ``sdk/tdf.go`` and ``sdk/assertion.go``:

* segment hash (``GMAC``): the segment's 16-byte AES-GCM tag; the manifest holds it in base64;
* root signature (``HS256``): ``base64(HMAC-SHA256(payload key, tag₁ ‖ tag₂ ‖ …))`` over the raw
  tags in payload order (the *aggregate hash*);
* policy binding (``HS256``): ``base64(hex(HMAC-SHA256(key share, policy)))``, where policy is
  the manifest's base64 policy *string* — the SDKs hex-encode here, and only here;
* assertion hash: ``hex(SHA-256(JCS(assertion without its binding)))`` (RFC 8785);
* assertion binding: a JWS (HS256, payload key) whose claims are ``assertionHash`` (that hex)
  and ``assertionSig`` = ``base64(aggregate hash ‖ raw assertion hash)``.

Invariant: every comparison of a received MAC is constant-time, and a JWS is accepted only with
``alg`` HS256 (never ``none``, never a key-confusion algorithm).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, Final

import rfc8785

__all__ = [
    "assertion_hash",
    "assertion_signature",
    "b64decode",
    "b64encode",
    "jws_sign",
    "jws_verify",
    "policy_binding",
    "policy_binding_matches",
    "root_signature",
]

_JWS_HEADER: Final = {"alg": "HS256", "typ": "JWT"}


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    """Strict standard base64; ValueError for anything else."""
    if not isinstance(text, str):
        raise ValueError("not text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(str(exc)) from None


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def root_signature(payload_key: bytes, aggregate_hash: bytes) -> str:
    return b64encode(_hmac(payload_key, aggregate_hash))


def policy_binding(share: bytes, policy: str) -> str:
    return b64encode(_hmac(share, policy.encode("ascii")).hex().encode("ascii"))


def policy_binding_matches(share: bytes, policy: str, stated: str) -> bool:
    """Whether `stated` binds `policy` to `share` (hex-in-base64 as the SDKs write; the raw
    form the spec's prose describes is accepted too)."""
    mac = _hmac(share, policy.encode("ascii"))
    try:
        received = b64decode(stated)
    except ValueError:
        return False
    return hmac.compare_digest(received, mac.hex().encode("ascii")) or hmac.compare_digest(
        received, mac
    )


def assertion_hash(assertion: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the assertion's RFC 8785 form, its binding left out."""
    unbound = {key: value for key, value in assertion.items() if key != "binding"}
    return hashlib.sha256(rfc8785.dumps(unbound)).hexdigest()


def assertion_signature(aggregate_hash: bytes, hash_hex: str) -> str:
    return b64encode(aggregate_hash + bytes.fromhex(hash_hex))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(str(exc)) from None


def jws_sign(key: bytes, claims: Mapping[str, Any]) -> str:
    header = _b64url(json.dumps(_JWS_HEADER, separators=(",", ":")).encode())
    body = _b64url(json.dumps(dict(claims), separators=(",", ":")).encode())
    signing_input = f"{header}.{body}".encode("ascii")
    return f"{header}.{body}.{_b64url(_hmac(key, signing_input))}"


def jws_verify(key: bytes, token: str) -> dict[str, Any]:
    """The claims of an HS256 JWS compact token signed with `key`; ValueError otherwise."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise ValueError("not a JWS compact serialization")
    header_part, body_part, signature_part = token.split(".")
    header = json.loads(_b64url_decode(header_part))
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise ValueError("the binding is not signed with HS256")
    if header.get("crit"):
        raise ValueError("the binding has critical header parameters comity does not know")
    expected = _hmac(key, f"{header_part}.{body_part}".encode("ascii"))
    if not hmac.compare_digest(_b64url_decode(signature_part), expected):
        raise ValueError("the binding's signature does not verify with the payload key")
    claims = json.loads(_b64url_decode(body_part))
    if not isinstance(claims, dict):
        raise ValueError("the binding's claims are not an object")
    return claims
