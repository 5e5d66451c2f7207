"""A comity label as OpenTDF policy attributes, and back: the three rules, and refusals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.domain.exchange.policy import (
    AttributeRule,
    attribute_definitions,
    attributes_for,
    label_from_attributes,
)
from comity.domain.security import labels
from comity.domain.security.labels import Label, TagType
from comity.errors import InvalidInput
from tests.unit.security.security_data import AZE, TUR
from tests.unit.security.test_labels import any_label

NS = "comity.example"
LABEL = labels.parse(
    "TUR | GİZLİ | Need To Know (restrictive): ALPHA, BRAVO | Releasable To (permissive): AZE, TUR"
    " | Handling (informative): Exclusive for the commission"
)


def _informative(label: Label) -> list[labels.Category]:
    return [c for c in label.categories if c.type is TagType.INFORMATIVE]


@given(any_label(), st.sampled_from(["comity.example", "tr.comity.example", "kas-1.example"]))
def test_every_label_comes_back_from_its_attributes(label: Label, namespace: str) -> None:
    fqns = attributes_for(label, namespace)
    assert label_from_attributes(fqns, namespace, informative=_informative(label)) == label


def test_classification_restrictive_and_permissive_tags_become_attribute_values() -> None:
    assert attributes_for(LABEL, NS) == (
        "https://comity.example/attr/classification:TUR/value/G%C4%B0ZL%C4%B0",
        "https://comity.example/attr/permissive:Releasable%20To/value/AZE",
        "https://comity.example/attr/permissive:Releasable%20To/value/TUR",
        "https://comity.example/attr/restrictive:Need%20To%20Know/value/ALPHA",
        "https://comity.example/attr/restrictive:Need%20To%20Know/value/BRAVO",
    )


def test_informative_tags_are_not_access_policy_and_travel_beside_it() -> None:
    fqns = attributes_for(LABEL, NS)
    assert not any("Handling" in fqn for fqn in fqns)
    without = label_from_attributes(fqns, NS)
    assert without.category("Handling") is None
    assert label_from_attributes(fqns, NS, informative=_informative(LABEL)) == LABEL


def test_definitions_give_each_policy_a_hierarchy_highest_first_and_each_tag_its_rule() -> None:
    other = labels.parse("AZE | məxfi | Need To Know (restrictive): CHARLIE")
    definitions = {d.name: d for d in attribute_definitions([LABEL, other], NS, [TUR, AZE])}
    turkish = definitions["classification:TUR"]
    assert turkish.rule is AttributeRule.HIERARCHY
    assert turkish.values == tuple(c.name for c in TUR.classifications)
    assert TUR.rank(turkish.values[0]) > TUR.rank(turkish.values[-1])
    assert definitions["classification:AZE"].values[0] == "xüsusi əhəmiyyətli"
    need_to_know = definitions["restrictive:Need%20To%20Know"]
    assert need_to_know.rule is AttributeRule.ALL_OF
    assert need_to_know.values == ("ALPHA", "BRAVO", "CHARLIE")
    releasable = definitions["permissive:Releasable%20To"]
    assert releasable.rule is AttributeRule.ANY_OF
    assert releasable.value_fqn("AZE") in attributes_for(LABEL, NS)
    assert "informative:Handling" not in definitions


def test_definitions_refuse_a_label_without_its_scheme() -> None:
    with pytest.raises(InvalidInput) as caught:
        attribute_definitions([LABEL], NS, [AZE])
    assert caught.value.code == "exchange.unknown_policy"


@pytest.mark.parametrize(
    ("fqns", "reason"),
    [
        ([], "no classification attribute"),
        (
            [
                "https://comity.example/attr/classification:TUR/value/A",
                "https://comity.example/attr/classification:TUR/value/B",
            ],
            "one classification",
        ),
        (["https://other.example/attr/classification:TUR/value/A"], "namespace"),
        (["https://comity.example/attr/clearance:TUR/value/A"], "unknown attribute kind"),
        (["https://comity.example/attr/classification/value/A"], "is not https://"),
        (["http://comity.example/attr/classification:TUR/value/A"], "is not https://"),
        (["https://comity.example/attr/classification:TUR/value/%41"], "canonical"),
        (["https://comity.example/attr/classification:TUR/value/%FF"], "UTF-8"),
        (["https://comity.example/attr/classification:T%7CR/value/A"], "not allowed"),
        (
            [
                "https://comity.example/attr/classification:TUR/value/A",
                "https://comity.example/attr/permissive:X/value/1",
                "https://comity.example/attr/restrictive:X/value/2",
            ],
            "both restrictive and permissive",
        ),
        (
            [
                "https://comity.example/attr/restrictive:X/value/1",
                "https://comity.example/attr/classification:TUR/value/A",
            ],
            "comity's order",
        ),
        (
            [
                "https://comity.example/attr/classification:TUR/value/A",
                "https://comity.example/attr/restrictive:X/value/1",
                "https://comity.example/attr/restrictive:X/value/1",
            ],
            "repeat",
        ),
    ],
)
def test_attributes_that_do_not_encode_exactly_one_label_are_refused(
    fqns: list[str], reason: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        label_from_attributes(fqns, NS)
    assert caught.value.code == "exchange.attribute_unmapped"
    assert reason in (caught.value.reason or "")


def test_a_namespace_must_be_a_lower_case_dns_name() -> None:
    for namespace in ("Comity.Example", "comity.example/attr", "", "-x.example"):
        with pytest.raises(InvalidInput) as caught:
            attributes_for(LABEL, namespace)
        assert caught.value.code == "exchange.invalid_namespace"
