"""An ADatP-4774 label in XML costs a label's worth of work, whatever the document's size: the
parser stops at the first element, attribute or text past its limits and says where."""

from __future__ import annotations

import pytest

from comity.domain.security import labels
from comity.domain.security.labels import (
    MAX_XML_ATTRIBUTES,
    MAX_XML_ELEMENTS,
    MAX_XML_TEXT,
    XML_NAMESPACE,
)
from comity.errors import InvalidInput


def document(
    *, values: int = 1, value: str = "AZE", attributes: int = 0, categories: int = 0
) -> str:
    extra = "".join(f' a{i}="x"' for i in range(attributes))
    generic = "".join(f"<GenericValue>{value}{i or ''}</GenericValue>" for i in range(values))
    more = "".join(
        f'<Category TagName="T{i}" Type="INFORMATIVE"><GenericValue>x</GenericValue></Category>'
        for i in range(categories)
    )
    return (
        f'<originatorConfidentialityLabel xmlns="{XML_NAMESPACE}"><ConfidentialityInformation>'
        "<PolicyIdentifier>TUR</PolicyIdentifier><Classification>GİZLİ</Classification>"
        f'<Category TagName="Releasable To" Type="PERMISSIVE"{extra}>{generic}</Category>{more}'
        "</ConfidentialityInformation></originatorConfidentialityLabel>"
    )


def refusal(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        labels.from_xml(text, source="big.xml")
    assert caught.value.code == "label.invalid_xml"
    return caught.value


def column(error: InvalidInput) -> int:
    """Where the parser stopped: the column of ``big.xml:1:COLUMN``."""
    assert error.location is not None
    source, line, at = error.location.split(":")
    assert (source, line) == ("big.xml", "1")
    return int(at)


def test_a_label_within_every_limit_reads() -> None:
    text = document(values=MAX_XML_ELEMENTS - 10, value="V" * (MAX_XML_TEXT - 4))
    label = labels.from_xml(text)
    assert len(label.categories[0].values) == MAX_XML_ELEMENTS - 10


def test_a_twenty_megabyte_label_is_refused_where_it_passes_the_element_limit() -> None:
    text = document(values=600_000)
    assert len(text) > 20_000_000
    error = refusal(text)
    assert error.reason == f"more than {MAX_XML_ELEMENTS} elements"
    # Stopped after about a thousand elements, not at the end of the document.
    assert column(error) < 40 * MAX_XML_ELEMENTS


def test_one_twenty_megabyte_value_is_refused_without_reading_it_all() -> None:
    error = refusal(document(value="A" * 20_000_000))
    assert error.reason == f"a text longer than {MAX_XML_TEXT} characters"


def test_many_categories_count_towards_the_element_limit() -> None:
    assert refusal(document(categories=MAX_XML_ELEMENTS)).reason == (
        f"more than {MAX_XML_ELEMENTS} elements"
    )


def test_too_many_attributes_on_one_element_are_refused() -> None:
    assert refusal(document(attributes=MAX_XML_ATTRIBUTES)).reason == (
        f"more than {MAX_XML_ATTRIBUTES} attributes on one element"
    )


def test_a_long_attribute_value_is_refused() -> None:
    text = document().replace('TagName="Releasable To"', f'TagName="{"T" * (MAX_XML_TEXT + 1)}"')
    assert refusal(text).reason == f"an attribute value longer than {MAX_XML_TEXT} characters"


def test_whitespace_between_elements_counts_as_text() -> None:
    text = document().replace("<Classification>", " " * (MAX_XML_TEXT + 1) + "<Classification>")
    assert refusal(text).reason == f"a text longer than {MAX_XML_TEXT} characters"
