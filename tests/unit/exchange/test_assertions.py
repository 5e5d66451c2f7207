"""The label and binding statements a container carries: round trips and refusals."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.domain.exchange import assertions
from comity.domain.exchange.assertions import DocumentBinding, Statement
from comity.domain.security import labels
from comity.domain.security.labels import Label
from comity.errors import InvalidInput
from tests.unit.security.test_labels import any_label

LABEL = labels.parse("TUR | GİZLİ | Releasable To (permissive): AZE, TUR")


@given(
    any_label(),
    st.text(min_size=1, max_size=assertions.MAX_DOCUMENT_ID),
    st.integers(min_value=1, max_value=assertions.MAX_VERSION),
)
def test_a_binding_comes_back_from_its_statement(label: Label, document: str, version: int) -> None:
    binding = DocumentBinding(document, version, label, "comity.example")
    assert assertions.parse_binding(binding.statement()) == binding


@given(any_label())
def test_a_label_comes_back_from_its_adatp_4774_statement(label: Label) -> None:
    label_assertion, _ = assertions.comity_assertions(
        DocumentBinding("d", 1, label, "comity.example")
    )
    assert label_assertion.type == "handling"
    assert label_assertion.statement.schema == labels.XML_NAMESPACE
    assert assertions.label_from_statement(label_assertion.statement) == label


def test_the_binding_statement_is_canonical_json_text() -> None:
    statement = DocumentBinding("doc-7", 3, LABEL, "comity.example").statement()
    assert statement.value == (
        '{"document":"doc-7","label":"TUR | GİZLİ | Releasable To (permissive): AZE, TUR",'
        '"namespace":"comity.example","version":3}'
    )


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        "[]",
        '{"document":"d","label":"TUR | GİZLİ","namespace":"comity.example"}',
        '{"document":"d","label":"TUR | GİZLİ","namespace":"comity.example","version":"1"}',
        '{"document":"d","label":"TUR | GİZLİ","namespace":"comity.example","version":0}',
        '{"document":"d","label":"TUR | GİZLİ","namespace":"comity.example","version":true}',
        '{"document":"d","label":"TUR | GİZLİ","namespace":"comity.example",'
        '"version":9007199254740992}',
        '{"document":"","label":"TUR | GİZLİ","namespace":"comity.example","version":1}',
        '{"document":"d","label":"TUR","namespace":"comity.example","version":1}',
        '{"version":1,"document":"d","label":"TUR | GİZLİ","namespace":"comity.example"}',
        '{"document":"d","label":"TUR | GİZLİ","namespace":"comity.example","version":1,"x":1}',
    ],
)
def test_a_binding_statement_that_is_not_exactly_comitys_is_refused(value: str) -> None:
    statement = Statement(assertions.BINDING_FORMAT, assertions.BINDING_SCHEMA, value)
    with pytest.raises(InvalidInput):
        assertions.parse_binding(statement)


def test_a_statement_under_another_schema_or_format_is_refused() -> None:
    good = DocumentBinding("d", 1, LABEL, "comity.example").statement()
    for bad in (
        dataclasses.replace(good, schema="urn:other"),
        dataclasses.replace(good, format="string"),
    ):
        with pytest.raises(InvalidInput) as caught:
            assertions.parse_binding(bad)
        assert caught.value.code == "exchange.invalid_statement"
    with pytest.raises(InvalidInput):
        assertions.label_from_statement(good)
