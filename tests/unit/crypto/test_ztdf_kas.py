"""The key access service's rewrap core: a share is released only for its own policy, only
when the caller allows it, and only encrypted for the requester."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from comity.crypto.ztdf import kas
from comity.domain.exchange.policy import attributes_for
from comity.errors import InvalidInput
from tests.unit.crypto.ztdf_support import LABEL, NAMESPACE, provider, seal_bytes, take_apart

CLIENT = rsa.generate_private_key(65537, 2048)
CLIENT_PEM = (
    CLIENT.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


def _request(manifest: dict[str, Any], policy: str | None = None) -> dict[str, Any]:
    info = manifest["encryptionInformation"]
    return {
        "clientPublicKey": CLIENT_PEM,
        "requests": [
            {
                "policy": {"id": "policy", "body": policy or info["policy"]},
                "keyAccessObjects": [
                    {"keyAccessObjectId": f"kao-{i}", "keyAccessObject": kao}
                    for i, kao in enumerate(info["keyAccess"])
                ],
            }
        ],
    }


def _client_decrypt(wrapped: str) -> bytes:
    sha1 = hashes.SHA1()
    return CLIENT.decrypt(
        base64.b64decode(wrapped),
        padding.OAEP(mgf=padding.MGF1(sha1), algorithm=sha1, label=None),
    )


MANIFEST = take_apart(seal_bytes(b"secret"))[1]


def test_an_allowed_request_gets_the_share_encrypted_for_the_client() -> None:
    seen: list[tuple[str, ...]] = []
    answer = kas.rewrap(_request(MANIFEST), provider(), authorize=lambda a: not seen.append(a))
    (result,) = answer["responses"][0]["results"]
    assert result["status"] == "permit"
    share = _client_decrypt(result["kasWrappedKey"])
    assert len(share) == 32
    assert seen == [attributes_for(LABEL, NAMESPACE)]


def test_a_denied_request_gets_no_share() -> None:
    answer = kas.rewrap(_request(MANIFEST), provider(), authorize=lambda a: False)
    assert answer["responses"][0]["results"] == [
        {"keyAccessObjectId": "kao-0", "status": "fail", "error": "kas.forbidden"}
    ]


def test_a_policy_edited_to_pass_the_decision_gets_no_share() -> None:
    policy = json.loads(base64.b64decode(MANIFEST["encryptionInformation"]["policy"]))
    policy["body"]["dataAttributes"] = []
    edited = base64.b64encode(json.dumps(policy).encode()).decode()
    answer = kas.rewrap(_request(MANIFEST, edited), provider(), authorize=lambda a: True)
    (result,) = answer["responses"][0]["results"]
    assert result == {"keyAccessObjectId": "kao-0", "status": "fail", "error": "kas.policy_binding"}


def test_a_request_for_another_service_or_a_weak_client_key_is_refused() -> None:
    foreign = json.loads(json.dumps(MANIFEST))
    foreign["encryptionInformation"]["keyAccess"][0]["url"] = "https://elsewhere.example/kas"
    answer = kas.rewrap(_request(foreign), provider(), authorize=lambda a: True)
    assert answer["responses"][0]["results"][0]["error"] == "kas.invalid_request"
    weak = rsa.generate_private_key(65537, 1024).public_key()
    request = _request(MANIFEST)
    request["clientPublicKey"] = weak.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    with pytest.raises(InvalidInput) as caught:
        kas.rewrap(request, provider(), authorize=lambda a: True)
    assert caught.value.code == "kas.invalid_request"
