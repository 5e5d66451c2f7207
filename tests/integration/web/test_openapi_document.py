"""The OpenAPI document declares what the request guard answers before any route runs: 413 (body
too large) and 415 (not JSON) on every operation that may carry a body, in the error shape —
and the server does answer them there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.integration.web.conftest import EXAMPLE_ID

#: Methods whose requests may carry a body (the guard lets GET, HEAD, OPTIONS, TRACE through).
BODY_METHODS = frozenset({"post", "put", "patch", "delete"})
ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
#: A real value for each path parameter, so the request reaches the guard as a client's would.
PATH_VALUES = {
    "agreement_id": EXAMPLE_ID,
    "username": "someone",
    "assignment_id": "1",
    "token_id": "1",
}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_every_operation_that_may_carry_a_body_declares_413_and_415_in_the_error_shape(
    document: dict[str, Any],
) -> None:
    with_body = [op for op in _operations(document) if op[0] in BODY_METHODS]
    assert len(with_body) >= 10
    # Every operation that declares a request body is among them.
    assert {(m, p) for m, p, op in _operations(document) if "requestBody" in op} <= {
        (m, p) for m, p, _op in with_body
    }
    for method, path, operation in with_body:
        for status in ("413", "415"):
            declared = operation["responses"].get(status)
            assert declared is not None, f"{method.upper()} {path} does not declare {status}"
            assert declared["content"]["application/json"]["schema"] == ERROR_BODY
            assert declared["description"]


def test_reads_do_not_declare_what_only_a_body_can_cause(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        if method not in BODY_METHODS:
            assert not {"413", "415"} & set(operation["responses"]), f"{method} {path}"


def test_the_declared_413_and_415_are_what_each_operation_answers(
    make_app: Callable[..., FastAPI], document: dict[str, Any]
) -> None:
    with TestClient(make_app(max_body_bytes=64)) as client:
        for method, path, operation in _operations(document):
            if method not in BODY_METHODS:
                continue
            url = path.format(**PATH_VALUES)
            too_large = client.request(
                method,
                url,
                content=b'{"x": "' + b"y" * 100 + b'"}',
                headers={"content-type": "application/json"},
            )
            not_json = client.request(
                method, url, content=b"x=1", headers={"content-type": "text/plain"}
            )
            for response in (too_large, not_json):
                assert str(response.status_code) in operation["responses"], (method, path)
            assert (too_large.status_code, too_large.json()["error"]) == (
                413,
                "payload_too_large",
            )
            assert (not_json.status_code, not_json.json()["error"]) == (
                415,
                "unsupported_media_type",
            )
