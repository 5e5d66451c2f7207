"""The key access service's rewrap: a wrapped key share, rewrapped for the requesting client.

OpenTDF readers that hold no private key (every SDK's online mode) send the key access service
(KAS) a rewrap request (``/kas/v2/rewrap``; the Connect RPC ``kas.AccessService/Rewrap``): a
signed request token whose ``requestBody`` claim is JSON with the client's public key and, per
policy, the base64 policy and its key access objects. For each object the service unwraps the
share with its key, checks the object's policy binding against the policy, asks the caller
whether the requester may have it (the web layer decides with comity's access rule on the
label the policy's attributes encode), and returns the share encrypted for the client's RSA
key (RSA-OAEP, SHA-1, as the SDKs decrypt it).

This module is the transport-free core: the web layer verifies the request token's signature
and the requester's identity, then calls `rewrap`; a test serves it over Connect to
otdf-python's own KAS client.

Invariants: a share is released only if its policy binding verifies (so a policy edited to
please the access decision releases nothing) and `authorize` allows that policy's attributes;
every failure is per key access object (``status: fail`` with a reason code), never a share;
no share or key appears in an error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from comity.crypto.ztdf import bindings
from comity.crypto.ztdf.container import KEY_SIZE
from comity.crypto.ztdf.keys import KeyProvider, rsa_oaep_encrypt
from comity.errors import ComityError, InvalidInput

__all__ = ["Authorize", "policy_attributes", "rewrap"]

#: Decides whether the requester may have a share of a container under this policy: it gets
#: the policy's attribute value FQNs.
Authorize = Callable[[tuple[str, ...]], bool]

_MAX_OBJECTS: Final = 64


def _bad(where: str, reason: str) -> InvalidInput:
    return InvalidInput(
        "invalid rewrap request", location=where, reason=reason, code="kas.invalid_request"
    )


def policy_attributes(policy: str) -> tuple[str, ...]:
    """The attribute value FQNs of a base64 policy object."""
    try:
        data = json.loads(bindings.b64decode(policy).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise _bad("policy.body", "not base64 of UTF-8 JSON") from None
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, dict):
        raise _bad("policy.body", "no policy body")
    attributes: list[str] = []
    for item in body.get("dataAttributes") or []:
        attribute = item.get("attribute") if isinstance(item, dict) else None
        if not isinstance(attribute, str):
            raise _bad("policy.body.dataAttributes", "an attribute without its FQN")
        attributes.append(attribute)
    return tuple(attributes)


def _client_key(pem: object) -> rsa.RSAPublicKey:
    if not isinstance(pem, str):
        raise _bad("clientPublicKey", "missing")
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise _bad("clientPublicKey", "not a PEM public key") from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise _bad("clientPublicKey", "an RSA key of at least 2048 bits is expected")
    return key


def _field(data: Mapping[str, Any], *names: str) -> Any:
    # The SDKs name some fields after the manifest, some after the protocol buffers.
    for name in names:
        if name in data:
            return data[name]
    return None


def _binding_hash(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        stated = value.get("hash")
        return stated if isinstance(stated, str) else None
    return None


def _rewrap_one(
    kao: Mapping[str, Any],
    policy: str,
    client: rsa.RSAPublicKey,
    providers: Mapping[str, KeyProvider],
) -> bytes:
    url = _field(kao, "url", "kasUrl", "kas_url")
    provider = providers.get(url) if isinstance(url, str) else None
    if provider is None:
        raise _bad("keyAccessObject.url", "not a key access service of this node")
    wrapped_text = _field(kao, "wrappedKey", "wrapped_key")
    stated = _binding_hash(_field(kao, "policyBinding", "policy_binding"))
    if not isinstance(wrapped_text, str) or stated is None:
        raise _bad("keyAccessObject", "wrappedKey and policyBinding are required")
    try:
        wrapped = bindings.b64decode(wrapped_text)
    except ValueError:
        raise _bad("keyAccessObject.wrappedKey", "not base64") from None
    kid = _field(kao, "kid")
    share = provider.unwrap(kid if isinstance(kid, str) else "", wrapped)
    if len(share) != KEY_SIZE or not bindings.policy_binding_matches(share, policy, stated):
        raise ComityError(
            "the policy is not the one the key was bound to",
            location="keyAccessObject.policyBinding",
            code="kas.policy_binding",
        )
    return rsa_oaep_encrypt(client, share)


def rewrap(
    request_body: Mapping[str, Any],
    key_provider: KeyProvider | Sequence[KeyProvider],
    *,
    authorize: Authorize,
) -> dict[str, Any]:
    """Answer a rewrap request body (the JSON of the request token's ``requestBody``) with the
    v2 response: per policy, per key access object, ``permit`` and the rewrapped share, or
    ``fail`` and an error code. `InvalidInput` only for a request that cannot be read at all."""
    providers_list = (
        (key_provider,) if isinstance(key_provider, KeyProvider) else tuple(key_provider)
    )
    providers = {provider.url: provider for provider in providers_list}
    client = _client_key(request_body.get("clientPublicKey"))
    requests = request_body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise _bad("requests", "no policy request")
    if sum(len(r.get("keyAccessObjects") or []) for r in requests if isinstance(r, dict)) > (
        _MAX_OBJECTS
    ):
        raise _bad("requests", f"more than {_MAX_OBJECTS} key access objects")
    responses: list[dict[str, Any]] = []
    for index, request in enumerate(requests):
        if not isinstance(request, dict) or not isinstance(request.get("policy"), dict):
            raise _bad(f"requests[{index}]", "a policy request has a policy")
        policy_id = request["policy"].get("id", "")
        policy = request["policy"].get("body")
        if not isinstance(policy, str):
            raise _bad(f"requests[{index}].policy.body", "the base64 policy is required")
        allowed = authorize(policy_attributes(policy))
        results: list[dict[str, Any]] = []
        for item in request.get("keyAccessObjects") or []:
            if not isinstance(item, dict) or not isinstance(item.get("keyAccessObject"), dict):
                raise _bad(f"requests[{index}].keyAccessObjects", "malformed entry")
            result: dict[str, Any] = {"keyAccessObjectId": item.get("keyAccessObjectId", "")}
            if not allowed:
                result.update(status="fail", error="kas.forbidden")
            else:
                try:
                    share = _rewrap_one(item["keyAccessObject"], policy, client, providers)
                except ComityError as exc:
                    result.update(status="fail", error=exc.code)
                else:
                    result.update(status="permit", kasWrappedKey=bindings.b64encode(share))
            results.append(result)
        responses.append({"policyId": policy_id, "results": results})
    return {"sessionPublicKey": "", "responses": responses}
