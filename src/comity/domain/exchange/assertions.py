"""The assertions comity puts in a sealed document's container, as statements, and back.

A container carries two assertions (OpenTDF assertion objects; the container code binds each to
the payload with a JWS over its hash and the payload's segment hashes):

* ``comity-label`` — a *handling* assertion whose statement is the ADatP-4774 XML label
  (`labels.to_xml`), so another party's data-centric-security tools read the marking they know;
* ``comity-binding`` — an assertion stating which document and version this container is and
  the canonical label text and attribute namespace it was sealed under (canonical JSON), so a
  container presented as another document or version, or under another label, is refused.

Statement values are always JSON *strings*: OpenTDF SDKs hash an assertion's canonical JSON,
and an object value is re-serialised differently by different SDKs, a string never.

Invariant: `parse_binding(binding_statement(b)) == b` and `label_from_statement(
label_statement(l)) == l`; any other statement (wrong schema, format, field, type) is refused
with what and why. Pure: values in, values out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

import rfc8785

from comity.domain.exchange.policy import check_namespace
from comity.domain.security import labels
from comity.domain.security.labels import Label
from comity.errors import InvalidInput

__all__ = [
    "BINDING_ASSERTION_ID",
    "BINDING_SCHEMA",
    "LABEL_ASSERTION_ID",
    "LABEL_SCHEMA",
    "MAX_DOCUMENT_ID",
    "MAX_VERSION",
    "AssertionContent",
    "DocumentBinding",
    "Statement",
    "comity_assertions",
    "label_from_statement",
    "parse_binding",
]

LABEL_ASSERTION_ID: Final = "comity-label"
BINDING_ASSERTION_ID: Final = "comity-binding"
#: The ADatP-4774 namespace, as OpenTDF's own example of a NATO label assertion names it.
LABEL_SCHEMA: Final = labels.XML_NAMESPACE
LABEL_FORMAT: Final = "xml-structured"
BINDING_SCHEMA: Final = "urn:comity:ztdf:binding:1"
BINDING_FORMAT: Final = "json-structured"
#: Characters in a document id (ids are comity's own; this bounds what a container may claim).
MAX_DOCUMENT_ID: Final = 200
#: The largest version JSON carries exactly (RFC 8785 integers are IEEE doubles).
MAX_VERSION: Final = 2**53 - 1


@dataclass(frozen=True, slots=True)
class Statement:
    format: str
    schema: str
    value: str

    def as_json(self) -> dict[str, str]:
        return {"format": self.format, "schema": self.schema, "value": self.value}


@dataclass(frozen=True, slots=True)
class AssertionContent:
    """An assertion without its binding: what its hash covers."""

    id: str
    type: str
    scope: str
    applies_to_state: str
    statement: Statement

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "scope": self.scope,
            "appliesToState": self.applies_to_state,
            "statement": self.statement.as_json(),
        }


@dataclass(frozen=True, slots=True)
class DocumentBinding:
    """What a container is: this document, this version, under this label and namespace."""

    document_id: str
    version: int
    label: Label
    namespace: str

    def __post_init__(self) -> None:
        if (
            not isinstance(self.document_id, str)
            or not 0 < len(self.document_id) <= MAX_DOCUMENT_ID
        ):
            raise InvalidInput(
                "invalid document id",
                location="document_id",
                reason=f"1 to {MAX_DOCUMENT_ID} characters",
                code="exchange.invalid_binding",
            )
        version = self.version
        if (
            isinstance(version, bool)
            or not isinstance(version, int)
            or not 0 < version <= MAX_VERSION
        ):
            raise InvalidInput(
                f"invalid document version {self.version!r}",
                location="version",
                reason=f"a whole number from 1 to {MAX_VERSION}",
                code="exchange.invalid_binding",
            )
        check_namespace(self.namespace)

    def statement(self) -> Statement:
        # RFC 8785 without the kernel's NFC step: the label text must come back exactly as the
        # XML label states it, whatever normalisation its writer used.
        value = rfc8785.dumps(
            {
                "document": self.document_id,
                "version": self.version,
                "label": labels.format_label(self.label),
                "namespace": self.namespace,
            }
        ).decode("utf-8")
        return Statement(BINDING_FORMAT, BINDING_SCHEMA, value)


def label_statement(label: Label) -> Statement:
    return Statement(LABEL_FORMAT, LABEL_SCHEMA, labels.to_xml(label))


def comity_assertions(binding: DocumentBinding) -> tuple[AssertionContent, AssertionContent]:
    """The label (handling, payload) and binding (other, whole container) assertions."""
    return (
        AssertionContent(
            LABEL_ASSERTION_ID, "handling", "payload", "encrypted", label_statement(binding.label)
        ),
        AssertionContent(BINDING_ASSERTION_ID, "other", "tdo", "encrypted", binding.statement()),
    )


def _refuse(what: str, reason: str) -> InvalidInput:
    return InvalidInput(
        f"the {what} statement is not comity's",
        location=f"assertion {what}",
        reason=reason,
        code="exchange.invalid_statement",
    )


def _expect(statement: Statement, what: str, fmt: str, schema: str) -> None:
    if statement.schema != schema:
        raise _refuse(what, f"schema {statement.schema!r}, expected {schema!r}")
    if statement.format != fmt:
        raise _refuse(what, f"format {statement.format!r}, expected {fmt!r}")


def label_from_statement(statement: Statement) -> Label:
    """The label an ADatP-4774 label statement carries (bounded, refusing DTDs: `from_xml`)."""
    _expect(statement, LABEL_ASSERTION_ID, LABEL_FORMAT, LABEL_SCHEMA)
    return labels.from_xml(statement.value, source=f"assertion {LABEL_ASSERTION_ID}")


def parse_binding(statement: Statement) -> DocumentBinding:
    """The binding a ``comity-binding`` statement states; refused unless it is exactly the
    canonical JSON comity writes."""
    _expect(statement, BINDING_ASSERTION_ID, BINDING_FORMAT, BINDING_SCHEMA)
    try:
        data = json.loads(statement.value)
    except ValueError as exc:
        raise _refuse(BINDING_ASSERTION_ID, f"not JSON: {exc}") from None
    if not isinstance(data, dict) or set(data) != {"document", "version", "label", "namespace"}:
        raise _refuse(BINDING_ASSERTION_ID, "expected document, version, label and namespace")
    if not isinstance(data["label"], str) or not isinstance(data["document"], str):
        raise _refuse(BINDING_ASSERTION_ID, "document and label are text")
    if not isinstance(data["namespace"], str):
        raise _refuse(BINDING_ASSERTION_ID, "namespace is text")
    binding = DocumentBinding(
        data["document"], data["version"], labels.parse(data["label"]), data["namespace"]
    )
    if binding.statement() != statement:
        raise _refuse(BINDING_ASSERTION_ID, "not in canonical form")
    return binding
