"""A comity label as OpenTDF policy attributes, and the attributes back as the label.

OpenTDF enforces a container's policy through attribute values named by fully qualified names
(FQNs) ``https://<namespace>/attr/<name>/value/<value>``, each attribute definition carrying one
of three rules; comity's label rules are the same three:

* the classification is a HIERARCHY attribute, one per policy (``classification:TUR``), whose
  values are the policy's levels, highest first (a reader cleared for a level reads the lower);
* each restrictive tag is an ALL_OF attribute (``restrictive:Need%20To%20Know``): the reader
  needs every value;
* each permissive tag is an ANY_OF attribute (``permissive:Releasable%20To``): one value will do;
* informative tags are not access policy: they are left out of the attributes and travel in
  the label statement (the ADatP-4774 XML), shown and never enforced.

Names and values are percent-encoded UTF-8 (RFC 3986: everything but unreserved characters),
case kept, so any comity name maps and comes back unchanged. The namespace is the node's
authority (``comity.example``), a parameter.

Invariants: ``label_from_attributes(attributes_for(label, ns), ns, informative=...) == label``
for every label; one label has exactly one attribute list (sorted, canonical encoding), so a
list in any other encoding or order is not comity's and is refused, as is anything that does
not map back to exactly one label (an unknown kind, another namespace, no or two
classifications, a tag under two rules, a malformed name). Pure: values in, values out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from urllib.parse import quote, unquote

from comity.domain.security.labels import Category, Label, TagType
from comity.domain.security.schemes import Policy
from comity.errors import InvalidInput

__all__ = [
    "AttributeDefinition",
    "AttributeRule",
    "attribute_definitions",
    "attributes_for",
    "check_namespace",
    "label_from_attributes",
]


class AttributeRule(StrEnum):
    """OpenTDF's attribute rule types (the names its policy service uses)."""

    HIERARCHY = "hierarchy"
    ALL_OF = "allOf"
    ANY_OF = "anyOf"


# The attribute name's prefix says which part of the label it carries; the rest is the
# percent-encoded policy id (classification) or tag (categories). ':' is always encoded inside
# a name, so the first ':' splits the two unambiguously.
_CLASSIFICATION: Final = "classification"
_KIND_OF_TYPE: Final = {TagType.RESTRICTIVE: "restrictive", TagType.PERMISSIVE: "permissive"}
_TYPE_OF_KIND: Final = {kind: tag_type for tag_type, kind in _KIND_OF_TYPE.items()}

#: A DNS name, lower case, as OpenTDF namespaces are.
_NAMESPACE: Final = re.compile(
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)
_FQN: Final = re.compile(
    r"https://(?P<namespace>[^/?#]+)/attr/(?P<kind>[a-z]+):(?P<name>[^/?#:]+)"
    r"/value/(?P<value>[^/?#]+)"
)


@dataclass(frozen=True, slots=True)
class AttributeDefinition:
    """What an OpenTDF attribute registry must define for the attributes to be enforced."""

    namespace: str
    name: str
    rule: AttributeRule
    #: For a hierarchy: every level, highest first. Otherwise: the values the labels use.
    values: tuple[str, ...]

    @property
    def fqn(self) -> str:
        return f"https://{self.namespace}/attr/{self.name}"

    def value_fqn(self, value: str) -> str:
        return f"{self.fqn}/value/{_encode(value)}"


def check_namespace(namespace: str) -> str:
    """The namespace if it is a lower-case DNS name; InvalidInput otherwise."""
    if not isinstance(namespace, str) or not _NAMESPACE.fullmatch(namespace):
        raise InvalidInput(
            f"invalid attribute namespace {namespace!r}",
            location="namespace",
            reason="a lower-case DNS name, such as comity.example",
            code="exchange.invalid_namespace",
        )
    return namespace


def _encode(text: str) -> str:
    return quote(text, safe="", encoding="utf-8", errors="strict")


def _classification_name(policy: str) -> str:
    return f"{_CLASSIFICATION}:{_encode(policy)}"


def _category_name(category: Category) -> str:
    return f"{_KIND_OF_TYPE[category.type]}:{_encode(category.tag)}"


def attributes_for(label: Label, namespace: str) -> tuple[str, ...]:
    """The label's enforced parts as attribute value FQNs, sorted (informative tags left out)."""
    check_namespace(namespace)
    base = f"https://{namespace}/attr/"
    fqns = [f"{base}{_classification_name(label.policy)}/value/{_encode(label.classification)}"]
    for category in label.categories:
        if category.type is TagType.INFORMATIVE:
            continue
        name = _category_name(category)
        fqns.extend(f"{base}{name}/value/{_encode(value)}" for value in category.values)
    return tuple(sorted(fqns))


def attribute_definitions(
    labels: Iterable[Label], namespace: str, schemes: Iterable[Policy]
) -> tuple[AttributeDefinition, ...]:
    """The definitions an OpenTDF registry needs to enforce these labels' attributes: one
    hierarchy per policy (all its levels, highest first) and one rule per tag, with the values
    the labels use. A label whose policy is not among `schemes` is refused."""
    check_namespace(namespace)
    by_id = {scheme.id: scheme for scheme in schemes}
    hierarchies: dict[str, AttributeDefinition] = {}
    tags: dict[str, tuple[TagType, set[str]]] = {}
    for label in labels:
        scheme = by_id.get(label.policy)
        if scheme is None:
            raise InvalidInput(
                f"no classification scheme for policy {label.policy!r}",
                location="label",
                code="exchange.unknown_policy",
            )
        scheme.validate(label)
        hierarchies[label.policy] = AttributeDefinition(
            namespace,
            _classification_name(label.policy),
            AttributeRule.HIERARCHY,
            tuple(c.name for c in scheme.classifications),
        )
        for category in label.categories:
            if category.type is TagType.INFORMATIVE:
                continue
            known_type, values = tags.setdefault(category.tag, (category.type, set()))
            if known_type is not category.type:
                raise _tag_under_two_rules(category.tag)
            values.update(category.values)
    definitions = list(hierarchies.values())
    for tag, (tag_type, values) in tags.items():
        rule = AttributeRule.ALL_OF if tag_type is TagType.RESTRICTIVE else AttributeRule.ANY_OF
        name = f"{_KIND_OF_TYPE[tag_type]}:{_encode(tag)}"
        definitions.append(AttributeDefinition(namespace, name, rule, tuple(sorted(values))))
    return tuple(sorted(definitions, key=lambda d: d.name))


def _tag_under_two_rules(tag: str) -> InvalidInput:
    return InvalidInput(
        f"tag {tag!r} is both restrictive and permissive",
        location=f"category {tag}",
        reason="a tag has one rule",
        code="exchange.attribute_unmapped",
    )


def _unmapped(index: int, reason: str) -> InvalidInput:
    return InvalidInput(
        "the container's attributes do not encode a comity label",
        location=f"dataAttributes[{index}]",
        reason=reason,
        code="exchange.attribute_unmapped",
        index=index,
    )


def _decode(text: str, index: int, what: str) -> str:
    try:
        decoded = unquote(text, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise _unmapped(index, f"the {what} is not percent-encoded UTF-8") from None
    if _encode(decoded) != text:
        # One label, one encoding: "%41" for "A" or a raw space is some other writer's.
        raise _unmapped(index, f"the {what} {text!r} is not in canonical percent-encoding")
    return decoded


def label_from_attributes(
    fqns: Sequence[str],
    namespace: str,
    *,
    informative: Iterable[Category] = (),
) -> Label:
    """The label whose attributes (`attributes_for`) these are, with its informative categories
    (carried outside the attributes) added back. Anything that is not exactly one comity label's
    attribute list is refused with the index of the first attribute that does not map."""
    check_namespace(namespace)
    policy: str | None = None
    classification: str | None = None
    values: dict[str, tuple[TagType, list[str]]] = {}
    for index, fqn in enumerate(fqns):
        if not isinstance(fqn, str):
            raise _unmapped(index, "an attribute is text")
        match = _FQN.fullmatch(fqn)
        if match is None:
            raise _unmapped(
                index, f"{fqn!r} is not https://<namespace>/attr/<kind>:<name>/value/<value>"
            )
        if match["namespace"] != namespace:
            raise _unmapped(index, f"namespace {match['namespace']!r} is not {namespace!r}")
        kind = match["kind"]
        name = _decode(match["name"], index, "name")
        value = _decode(match["value"], index, "value")
        if kind == _CLASSIFICATION:
            if policy is not None:
                raise _unmapped(index, "a label has one classification")
            policy, classification = name, value
        elif kind in _TYPE_OF_KIND:
            tag_type = _TYPE_OF_KIND[kind]
            known_type, tag_values = values.setdefault(name, (tag_type, []))
            if known_type is not tag_type:
                raise _unmapped(index, f"tag {name!r} is both restrictive and permissive")
            tag_values.append(value)
        else:
            raise _unmapped(index, f"unknown attribute kind {kind!r}")
    if policy is None or classification is None:
        raise _unmapped(len(fqns), "no classification attribute")
    try:
        categories = [Category(tag, kind, tuple(vals)) for tag, (kind, vals) in values.items()]
    except InvalidInput as exc:
        raise _unmapped(0, exc.reason or exc.message) from None
    for category in informative:
        if category.type is not TagType.INFORMATIVE:
            raise InvalidInput(
                f"category {category.tag!r} is not informative",
                location=f"category {category.tag}",
                reason="only informative categories travel outside the attributes",
                code="exchange.attribute_unmapped",
            )
        if category.tag in values:
            raise _tag_under_two_rules(category.tag)
        categories.append(category)
    try:
        label = Label.of(policy, classification, categories)
    except InvalidInput as exc:
        raise _unmapped(0, exc.reason or exc.message) from None
    if attributes_for(label, namespace) != tuple(fqns):
        raise _unmapped(0, "the attributes are not in comity's order or repeat a value")
    return label
