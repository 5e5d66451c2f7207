"""Labels: the canonical text form, the ADatP-4774 XML form, markings and refusals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.domain.security import labels
from comity.domain.security.labels import Category, Label, TagType
from comity.errors import InvalidInput
from tests.unit.security.security_data import AZE, TUR

_NAME_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs", "Cn"), blacklist_characters='|(),"\\:/\ufffd'
)


def _names(min_size: int = 1) -> st.SearchStrategy[str]:
    return (
        st.text(_NAME_CHARS, min_size=min_size, max_size=12)
        .map(lambda text: " ".join(text.split()))
        .filter(bool)
    )


@st.composite
def any_label(draw: st.DrawFn) -> Label:
    tags = draw(st.lists(_names(), max_size=4, unique=True))
    categories = [
        Category.of(
            tag,
            draw(st.sampled_from(list(TagType))),
            draw(st.lists(_names(), min_size=1, max_size=4)),
        )
        for tag in tags
    ]
    return Label.of(draw(_names()), draw(_names()), categories)


@given(any_label())
def test_a_label_survives_the_text_form(label: Label) -> None:
    text = labels.format_label(label)
    assert labels.parse(text) == label
    assert labels.format_label(labels.parse(text)) == text


@given(any_label())
def test_a_label_survives_the_adatp_4774_xml_form(label: Label) -> None:
    assert labels.from_xml(labels.to_xml(label)) == label


def test_parsing_accepts_any_spacing_and_order_and_formats_canonically() -> None:
    label = labels.parse(
        "TUR|GİZLİ|Releasable To (PERMISSIVE):TUR ,AZE,TUR|  Need   To Know (restrictive): B, A"
    )
    assert str(label) == (
        "TUR | GİZLİ | Need To Know (restrictive): A, B | Releasable To (permissive): AZE, TUR"
    )
    assert label.values("Releasable To") == ("AZE", "TUR")


def test_equal_labels_are_one_interned_instance() -> None:
    first = labels.parse("TUR | GİZLİ | Releasable To (permissive): AZE")
    second = Label.of("TUR", "GİZLİ", [Category.of("Releasable To", "permissive", ["AZE"])])
    assert first is second


@pytest.mark.parametrize(
    ("text", "index", "reason"),
    [
        ("TUR", 3, "a label reads"),
        ("TUR | ", 5, "empty classification"),
        (" | GİZLİ", 0, "empty policy"),
        ("TUR | GİZLİ | Releasable To: AZE", 32, "a category reads"),
        ("TUR | GİZLİ | Releasable To (perm): AZE", 29, "unknown category type"),
        ("TUR | GİZLİ | Releasable To (permissive) AZE", 41, "expected ':'"),
        ("TUR | GİZLİ | Releasable To (permissive: AZE", 28, "unclosed"),
        ("TUR | GİZLİ | Releasable To (permissive): AZE,", 46, "empty value"),
        ("TUR | GİZLİ | R (restrictive): A | R (permissive): B", 34, "appears twice"),
        ("TUR | GİZ\x07Lİ", 9, "U+0007"),
        ("T/R | GİZLİ", 1, "'/' is not allowed in a policy"),
        ("TUR | A:B", 7, "':' is not allowed in a classification"),
    ],
)
def test_a_malformed_label_is_refused_with_its_position_and_reason(
    text: str, index: int, reason: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        labels.parse(text)
    assert caught.value.fields["index"] == index
    assert caught.value.location == f"label, index {index}"
    assert reason in (caught.value.reason or "")


def test_the_marking_is_in_the_schemes_language() -> None:
    label = labels.parse("TUR | GİZLİ | Releasable To (permissive): TUR, AZE")
    assert TUR.marking(label) == "GİZLİ — Releasable to AZE, TUR"
    translated = labels.parse("AZE | tam məxfi | Releasable To (permissive): TUR, AZE")
    assert AZE.marking(translated) == "TAM MƏXFİ — Releasable to AZE, TUR"


def test_the_marking_shows_caveats_after_the_classification_and_notes_at_the_end() -> None:
    label = labels.parse(
        "TUR | ÇOK GİZLİ | Special Category Designators (restrictive): ATOMAL"
        " | Releasable To (permissive): TUR | Context (permissive): NATO"
        " | Administrative (informative): STAFF"
    )
    assert TUR.marking(label) == ("ÇOK GİZLİ ATOMAL — Releasable to TUR — Context: NATO — STAFF")


def test_marking_a_label_of_another_policy_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not under policy TUR"):
        TUR.marking(labels.parse("AZE | məxfi"))


def test_the_nato_example_label_is_read_from_xml() -> None:
    document = """<?xml version="1.0" encoding="UTF-8"?>
<originatorConfidentialityLabel xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0">
  <ConfidentialityInformation>
    <PolicyIdentifier>NATO</PolicyIdentifier>
    <Classification>RESTRICTED</Classification>
    <Category TagName="Context" Type="PERMISSIVE">
      <GenericValue>NATO</GenericValue><GenericValue>Releasable</GenericValue>
    </Category>
    <Category TagName="Releasable To" Type="PERMISSIVE">
      <GenericValue>NATO</GenericValue><GenericValue>JPN</GenericValue>
      <GenericValue>CHE</GenericValue><GenericValue>UKR</GenericValue>
    </Category>
  </ConfidentialityInformation>
  <CreationDateTime>2017-03-14T09:00:00Z</CreationDateTime>
</originatorConfidentialityLabel>"""
    label = labels.from_xml(document)
    assert str(label) == (
        "NATO | RESTRICTED | Context (permissive): NATO, Releasable"
        " | Releasable To (permissive): CHE, JPN, NATO, UKR"
    )


def test_xml_export_uses_the_4774_namespace() -> None:
    document = labels.to_xml(labels.parse("TUR | GİZLİ | Need To Know (restrictive): ALPHA"))
    assert 'xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"' in document
    assert '<Category TagName="Need To Know" Type="RESTRICTIVE">' in document


_NS = 'xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"'


@pytest.mark.parametrize(
    ("document", "where", "reason"),
    [
        ("<originatorConfidentialityLabel", "label.xml:1:", "unclosed token"),
        (
            '<!DOCTYPE x [<!ENTITY e "boom">]><originatorConfidentialityLabel/>',
            "label.xml",
            "refused",
        ),
        (
            "<originatorConfidentialityLabel/>",
            "label.xml:/originatorConfidentialityLabel",
            "expected",
        ),
        (
            f"<originatorConfidentialityLabel {_NS}><ConfidentialityInformation>"
            "<Classification>GİZLİ</Classification></ConfidentialityInformation>"
            "</originatorConfidentialityLabel>",
            "ConfidentialityInformation/PolicyIdentifier",
            "missing PolicyIdentifier",
        ),
        (
            f"<originatorConfidentialityLabel {_NS}><ConfidentialityInformation>"
            "<PolicyIdentifier>TUR</PolicyIdentifier><Classification>GİZLİ</Classification>"
            '<Category TagName="R" Type="MANDATORY"><GenericValue>A</GenericValue></Category>'
            "</ConfidentialityInformation></originatorConfidentialityLabel>",
            "Category[1]/@Type",
            "unknown Type",
        ),
        (
            f"<originatorConfidentialityLabel {_NS}><ConfidentialityInformation>"
            "<PolicyIdentifier>TUR</PolicyIdentifier><Classification>GİZLİ</Classification>"
            '<Category TagName="R" Type="RESTRICTIVE"><GenericValue>A|B</GenericValue></Category>'
            "</ConfidentialityInformation></originatorConfidentialityLabel>",
            "Category[1]",
            "'|' is not allowed in a value",
        ),
    ],
)
def test_a_malformed_or_unsafe_xml_label_is_refused_with_where_and_why(
    document: str, where: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        labels.from_xml(document)
    assert where in (caught.value.location or "")
    assert reason in (caught.value.reason or "")


def test_an_xml_entity_expansion_bomb_is_refused_without_expanding() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f"<originatorConfidentialityLabel {_NS}>&lol2;</originatorConfidentialityLabel>"
    )
    with pytest.raises(InvalidInput, match="invalid ADatP-4774 label"):
        labels.from_xml(bomb)


def test_a_category_needs_values_and_a_tag_appears_once() -> None:
    with pytest.raises(InvalidInput, match="has no values"):
        Category.of("Releasable To", "permissive", [])
    with pytest.raises(InvalidInput, match="appears twice"):
        Label.of(
            "TUR",
            "GİZLİ",
            [Category.of("R", "restrictive", ["A"]), Category.of("R", "permissive", ["B"])],
        )
