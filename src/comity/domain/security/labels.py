"""Confidentiality labels in the shape of NATO ADatP-4774: text form, XML form and label algebra.

A label is a policy identifier, one classification of that policy, and categories. Each category
has a tag name, a type (RESTRICTIVE: the reader must hold every value; PERMISSIVE: the reader must
hold at least one value of that tag, each tag separately; INFORMATIVE: shown, never enforced) and
a non-empty set of values. Releasability ("Releasable To" with country codes), need-to-know
compartments ("Need To Know") and caveats such as originator control are categories.

Invariants this module protects:

* A `Label` value is always well formed: names are non-empty, single-spaced, free of the
  separators of the text form and of invisible characters; a tag appears once; values are sorted
  and unique. So ``parse(format(label)) == label`` and ``format(parse(text))`` is canonical.
* Equal labels are interchangeable, and `intern` hands out one instance per label, with the
  frozensets that access decisions need computed once (decisions run millions of times a second).
* ``combine`` is the least upper bound of `dominates` (see its docstring for why a permissive tag
  missing from one label is kept, not dropped), so an aggregate is never readable by someone who
  could not read every part.
* Reading a label from XML (which comes from the other party) is bounded: DTDs and entities are
  refused, and the parser stops at the first element, attribute or text past the `MAX_XML_*`
  limits, so no document costs more than a label's worth of work.

Canonical text form (what ``format_label`` writes; ``parse`` also accepts any spacing)::

    TUR | GİZLİ | Need To Know (restrictive): ALPHA | Releasable To (permissive): AZE, TUR
"""

from __future__ import annotations

import itertools
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final, Protocol
from xml.etree import ElementTree as StdElementTree

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from comity.errors import InvalidInput

__all__ = [
    "NEED_TO_KNOW",
    "ORIGINATOR",
    "RELEASABLE_TO",
    "XML_NAMESPACE",
    "Category",
    "Label",
    "NameProblem",
    "Ranking",
    "TagType",
    "category_key",
    "check_name",
    "combine",
    "dominates",
    "format_label",
    "from_xml",
    "intern",
    "level_token",
    "parse",
    "to_access_expression",
    "to_xml",
]

XML_NAMESPACE: Final = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
#: The permissive tag of country codes a label may be released to (as in NATO labels).
RELEASABLE_TO: Final = "Releasable To"
#: The restrictive tag of need-to-know compartments (held through need-to-know grants).
NEED_TO_KNOW: Final = "Need To Know"
#: The tag naming the originating authority (who alone may downgrade or declassify).
ORIGINATOR: Final = "Originator"

# Characters that separate the parts of the text form; never inside a name or value.
_SEPARATORS: Final = frozenset('|(),"\\')
# Invisible or meaningless characters (control, surrogate, unassigned) are refused so that what a
# person reads in a marking is exactly what a decision compares.
_FORBIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cs", "Cn"})


class TagType(StrEnum):
    RESTRICTIVE = "restrictive"
    PERMISSIVE = "permissive"
    INFORMATIVE = "informative"


def category_key(tag: str, value: str) -> str:
    """The authorization a reader holds for one category value: ``"Releasable To:AZE"``.

    Tags never contain ``:``, so the first colon splits it back unambiguously."""
    return f"{tag}:{value}"


def level_token(policy: str, classification: str) -> str:
    """The authorization for one classification of one policy: ``"TUR/GİZLİ"``.

    Policy ids never contain ``/`` and no name contains ``:``, so level tokens never collide
    with category keys."""
    return f"{policy}/{classification}"


class NameProblem(Exception):
    """Internal: a bad character at `offset` within a name (turned into InvalidInput)."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason


def check_name(text: str, what: str, extra_forbidden: str = "") -> str:
    """Normalise (trim, single spaces) and validate a name; raise `NameProblem` on failure."""
    for offset, char in enumerate(text):
        if char in _SEPARATORS or char in extra_forbidden:
            raise NameProblem(offset, f"{char!r} is not allowed in a {what}")
        if char == "\ufffd" or unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            raise NameProblem(offset, f"character U+{ord(char):04X} is not allowed in a {what}")
    normal = " ".join(text.split())
    if not normal:
        raise NameProblem(0, f"empty {what}")
    return normal


def _valid_name(text: str, what: str, extra_forbidden: str = "") -> str:
    try:
        return check_name(text, what, extra_forbidden)
    except NameProblem as exc:
        raise InvalidInput(
            f"invalid {what} {text!r}",
            location=f"{what}, index {exc.offset}",
            reason=exc.reason,
            code="label.invalid",
            index=exc.offset,
        ) from None


# What each kind of name may not contain beyond the separators (see level_token/category_key).
_POLICY_FORBIDDEN: Final = ":/"
_CLASSIFICATION_FORBIDDEN: Final = ":"
_TAG_FORBIDDEN: Final = ":"


@dataclass(frozen=True, slots=True)
class Category:
    """One category of a label: a tag, its type and its (sorted, unique, non-empty) values."""

    tag: str
    type: TagType
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "tag", _valid_name(self.tag, "tag", _TAG_FORBIDDEN))
        object.__setattr__(self, "type", TagType(self.type))
        values = tuple(sorted({_valid_name(value, "value") for value in self.values}))
        if not values:
            raise InvalidInput(
                f"category {self.tag!r} has no values",
                location=f"category {self.tag}",
                reason="a category needs at least one value",
                code="label.invalid",
            )
        object.__setattr__(self, "values", values)

    @classmethod
    def of(cls, tag: str, type_: TagType | str, values: Iterable[str]) -> Category:
        return cls(tag, TagType(type_), tuple(values))

    def __str__(self) -> str:
        return f"{self.tag} ({self.type.value}): {', '.join(self.values)}"


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Label:
    """A confidentiality label. Build with `Label.of` (sorts categories) or `parse`."""

    policy: str
    classification: str
    categories: tuple[Category, ...] = ()
    # Precomputed for the decision hot path (not part of equality).
    _hash: int = field(init=False, repr=False, compare=False)
    level: str = field(init=False, repr=False, compare=False)
    restrictive: frozenset[str] = field(init=False, repr=False, compare=False)
    permissive: tuple[frozenset[str], ...] = field(init=False, repr=False, compare=False)
    #: Per-label data the decision module derives once (reasons it may need to give).
    _plan: Any = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        policy = _valid_name(self.policy, "policy", _POLICY_FORBIDDEN)
        classification = _valid_name(
            self.classification, "classification", _CLASSIFICATION_FORBIDDEN
        )
        categories = tuple(sorted(self.categories, key=lambda c: c.tag))
        for before, after in itertools.pairwise(categories):
            if before.tag == after.tag:
                raise InvalidInput(
                    f"tag {after.tag!r} appears twice",
                    location=f"category {after.tag}",
                    reason="each tag appears once in a label; list all its values together",
                    code="label.invalid",
                )
        set_ = object.__setattr__
        set_(self, "policy", policy)
        set_(self, "classification", classification)
        set_(self, "categories", categories)
        set_(self, "_hash", hash((policy, classification, categories)))
        set_(self, "level", level_token(policy, classification))
        set_(
            self,
            "restrictive",
            frozenset(
                category_key(c.tag, v)
                for c in categories
                if c.type is TagType.RESTRICTIVE
                for v in c.values
            ),
        )
        set_(
            self,
            "permissive",
            tuple(
                frozenset(category_key(c.tag, v) for v in c.values)
                for c in categories
                if c.type is TagType.PERMISSIVE
            ),
        )

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def of(cls, policy: str, classification: str, categories: Iterable[Category] = ()) -> Label:
        return intern(cls(policy, classification, tuple(categories)))

    def category(self, tag: str) -> Category | None:
        for category in self.categories:
            if category.tag == tag:
                return category
        return None

    def values(self, tag: str) -> tuple[str, ...]:
        category = self.category(tag)
        return category.values if category else ()

    @property
    def originators(self) -> tuple[str, ...]:
        """Who may downgrade or declassify: the Originator tag, else the label's policy."""
        return self.values(ORIGINATOR) or (self.policy,)

    def with_classification(self, policy: str, classification: str) -> Label:
        return Label.of(policy, classification, self.categories)

    def __str__(self) -> str:
        return format_label(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "classification": self.classification,
            "categories": [
                {"tag": c.tag, "type": c.type.value, "values": list(c.values)}
                for c in self.categories
            ],
            "text": format_label(self),
        }


_INTERNED: weakref.WeakValueDictionary[Label, Label] = weakref.WeakValueDictionary()


def intern(label: Label) -> Label:
    """The one shared instance equal to `label` (so its precomputed sets are built once)."""
    existing = _INTERNED.get(label)
    if existing is not None:
        return existing
    _INTERNED[label] = label
    return label


def format_label(label: Label) -> str:
    """The canonical text form."""
    return " | ".join([label.policy, label.classification, *map(str, label.categories)])


# --- parsing the text form -------------------------------------------------------------------


def _fail(text: str, index: int, reason: str) -> InvalidInput:
    shown = text if len(text) <= 80 else text[:77] + "..."
    return InvalidInput(
        f"invalid label {shown!r}",
        location=f"label, index {index}",
        reason=reason,
        code="label.invalid",
        index=index,
    )


def _name_at(text: str, start: int, end: int, what: str, extra_forbidden: str = "") -> str:
    try:
        return check_name(text[start:end], what, extra_forbidden)
    except NameProblem as exc:
        raise _fail(text, start + exc.offset, exc.reason) from None


def _segments(text: str) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    start = 0
    for index, char in enumerate(text):
        if char == "|":
            bounds.append((start, index))
            start = index + 1
    bounds.append((start, len(text)))
    return bounds


def _parse_category(text: str, start: int, end: int) -> Category:
    open_at = text.find("(", start, end)
    if open_at < 0:
        raise _fail(
            text, end, "a category reads 'Tag (restrictive|permissive|informative): values'"
        )
    tag = _name_at(text, start, open_at, "tag", _TAG_FORBIDDEN)
    close_at = text.find(")", open_at, end)
    if close_at < 0:
        raise _fail(text, open_at, "unclosed '(' after the tag")
    kind = text[open_at + 1 : close_at].strip().lower()
    try:
        tag_type = TagType(kind)
    except ValueError:
        raise _fail(
            text,
            open_at + 1,
            f"unknown category type {kind!r}: restrictive, permissive or informative",
        ) from None
    colon = close_at + 1
    while colon < end and text[colon].isspace():
        colon += 1
    if colon >= end or text[colon] != ":":
        raise _fail(text, colon, "expected ':' and the values after the category type")
    values: list[str] = []
    value_start = colon + 1
    for index in range(colon + 1, end + 1):
        if index == end or text[index] == ",":
            values.append(_name_at(text, value_start, index, "value"))
            value_start = index + 1
    return Category(tag, tag_type, tuple(values))


@lru_cache(maxsize=8192)
def parse(text: str) -> Label:
    """Parse the text form; raise InvalidInput with the index of the first error."""
    if not isinstance(text, str):
        raise InvalidInput("a label must be text", location="label", code="label.invalid")
    segments = _segments(text)
    if len(segments) < 2:
        raise _fail(text, len(text), "a label reads 'POLICY | CLASSIFICATION [| category ...]'")
    policy = _name_at(text, *segments[0], "policy", _POLICY_FORBIDDEN)
    classification = _name_at(text, *segments[1], "classification", _CLASSIFICATION_FORBIDDEN)
    categories: list[Category] = []
    seen: dict[str, int] = {}
    for start, end in segments[2:]:
        category = _parse_category(text, start, end)
        if category.tag in seen:
            raise _fail(text, start, f"tag {category.tag!r} appears twice")
        seen[category.tag] = start
        categories.append(category)
    return Label.of(policy, classification, categories)


# --- label algebra ---------------------------------------------------------------------------


class Ranking(Protocol):
    """What the algebra needs from a classification scheme: its id and a rank per level."""

    @property
    def id(self) -> str: ...

    def rank(self, classification: str) -> int: ...


def _by_type(label: Label, tag_type: TagType) -> dict[str, frozenset[str]]:
    return {c.tag: frozenset(c.values) for c in label.categories if c.type is tag_type}


def _same_policy(labels: Sequence[Label], scheme: Ranking) -> None:
    for label in labels:
        if label.policy != scheme.id:
            raise InvalidInput(
                f"label {label} is not under policy {scheme.id}",
                location="label",
                reason="translate labels to one policy before comparing or combining them",
                code="label.policy_mismatch",
            )


def dominates(a: Label, b: Label, scheme: Ranking) -> bool:
    """Whether `a` is at least as protective as `b`: everyone allowed to read `a` may read `b`.

    Same policy; `a`'s classification ranks at least as high; `a` carries every restrictive and
    informative value of `b`; and every permissive tag of `b` is in `a` with a subset of its
    values (a permissive tag that `a` lacks would let anyone through on that tag).
    """
    _same_policy((a, b), scheme)
    if scheme.rank(a.classification) < scheme.rank(b.classification):
        return False
    for tag_type in (TagType.RESTRICTIVE, TagType.INFORMATIVE):
        mine = _by_type(a, tag_type)
        for tag, values in _by_type(b, tag_type).items():
            if not values <= mine.get(tag, frozenset()):
                return False
    mine = _by_type(a, TagType.PERMISSIVE)
    for tag, values in _by_type(b, TagType.PERMISSIVE).items():
        if tag not in mine or not mine[tag] <= values:
            return False
    # A permissive tag that `a` has and `b` lacks only narrows who may read `a`.
    return True


def combine(labels: Iterable[Label], scheme: Ranking) -> Label:
    """The label of an aggregate (e.g. minutes quoting several documents): the least label that
    dominates every input.

    Highest classification; union of restrictive (and informative) values; for each permissive
    tag, the intersection of its values over the labels that carry it.

    Deviation from rule 6 of the reference note (§2c, "a permissive tag missing from any one
    label is dropped"): under comity's access rule a label *without* a permissive tag lets
    everyone through on that tag, so dropping a tag would make the aggregate readable by people
    who may not read one of its parts. The tag is therefore kept. An empty intersection (no
    reader could pass) cannot be written as a label and needs a decision by a security officer:
    it raises InvalidInput (`label.no_common_release`).
    """
    items = list(labels)
    if not items:
        raise InvalidInput("nothing to combine", location="labels", code="label.invalid")
    _same_policy(items, scheme)
    top = max(items, key=lambda label: scheme.rank(label.classification)).classification
    types: dict[str, TagType] = {}
    merged: dict[str, frozenset[str]] = {}
    for label in items:
        for category in label.categories:
            known = types.setdefault(category.tag, category.type)
            if known is not category.type:
                raise InvalidInput(
                    f"tag {category.tag!r} is {known.value} in one label and "
                    f"{category.type.value} in another",
                    location=f"category {category.tag}",
                    reason="a tag has one type within a policy",
                    code="label.invalid",
                )
            values = frozenset(category.values)
            if category.tag not in merged:
                merged[category.tag] = values
            elif category.type is TagType.PERMISSIVE:
                merged[category.tag] = merged[category.tag] & values
            else:
                merged[category.tag] = merged[category.tag] | values
    for tag, values in merged.items():
        if not values:
            raise InvalidInput(
                f"the labels have no common {tag} value",
                location=f"category {tag}",
                reason="no reader could pass this tag; a security officer must choose the label",
                code="label.no_common_release",
            )
    return Label.of(
        scheme.id,
        top,
        (Category(tag, types[tag], tuple(values)) for tag, values in merged.items()),
    )


def to_access_expression(label: Label) -> str:
    """The label as an access expression (Accumulo grammar) over `decision.authorizations`.

    ``level & restrictive... & (permissive | ...) & ...``: evaluating it against a subject's
    authorizations gives the same answer as ``decide(subject, label, "read")``.
    """
    from comity.domain.security.access_expression import quote

    parts = [quote(label.level)]
    for category in label.categories:
        keys = [quote(category_key(category.tag, value)) for value in category.values]
        if category.type is TagType.RESTRICTIVE:
            parts.extend(keys)
        elif category.type is TagType.PERMISSIVE:
            parts.append(keys[0] if len(keys) == 1 else f"({'|'.join(keys)})")
    return "&".join(parts)


# --- ADatP-4774 XML --------------------------------------------------------------------------

_NS: Final = "{" + XML_NAMESPACE + "}"
_ROOTS: Final = frozenset(
    {"originatorConfidentialityLabel", "alternativeConfidentialityLabel", "ConfidentialityLabel"}
)


def to_xml(label: Label, *, root: str = "originatorConfidentialityLabel") -> str:
    """The label as an ADatP-4774 confidentiality label document (UTF-8 text, no declaration)."""
    if root not in _ROOTS:
        raise InvalidInput(f"unknown label element {root!r}", location="root", code="label.invalid")
    StdElementTree.register_namespace("", XML_NAMESPACE)
    element = StdElementTree.Element(_NS + root)
    info = StdElementTree.SubElement(element, _NS + "ConfidentialityInformation")
    StdElementTree.SubElement(info, _NS + "PolicyIdentifier").text = label.policy
    StdElementTree.SubElement(info, _NS + "Classification").text = label.classification
    for category in label.categories:
        node = StdElementTree.SubElement(
            info, _NS + "Category", {"TagName": category.tag, "Type": category.type.value.upper()}
        )
        for value in category.values:
            StdElementTree.SubElement(node, _NS + "GenericValue").text = value
    StdElementTree.indent(element)
    return StdElementTree.tostring(element, encoding="unicode") + "\n"


#: What one label may hold in XML. A label is a policy, a classification and a few categories
#: with a few dozen values: these leave room for ten times that, and bound the work per document.
MAX_XML_ELEMENTS: Final = 1000
MAX_XML_ATTRIBUTES: Final = 16
#: Characters in one element's text or one attribute's value (a name, a value, a tag).
MAX_XML_TEXT: Final = 256


class _TooLarge(Exception):
    """Internal: the document passed a `MAX_XML_*` limit (raised from the parser's callbacks,
    which stops it at once)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _BoundedTreeBuilder:
    """An ElementTree parser target that counts what it is given and refuses past the limits.

    Comments and processing instructions are not passed to it (it has no handler for them), so
    they never reach the tree."""

    def __init__(self) -> None:
        self._tree = StdElementTree.TreeBuilder()
        self._elements = 0
        #: Characters of text since the last tag (an element's text or tail).
        self._text = 0

    def start(self, tag: str, attributes: dict[str, str]) -> StdElementTree.Element:
        self._elements += 1
        self._text = 0
        if self._elements > MAX_XML_ELEMENTS:
            raise _TooLarge(f"more than {MAX_XML_ELEMENTS} elements")
        if len(attributes) > MAX_XML_ATTRIBUTES:
            raise _TooLarge(f"more than {MAX_XML_ATTRIBUTES} attributes on one element")
        if any(len(value) > MAX_XML_TEXT for value in attributes.values()):
            raise _TooLarge(f"an attribute value longer than {MAX_XML_TEXT} characters")
        return self._tree.start(tag, attributes)

    def end(self, tag: str) -> StdElementTree.Element:
        self._text = 0
        return self._tree.end(tag)

    def data(self, text: str) -> None:
        self._text += len(text)
        if self._text > MAX_XML_TEXT:
            raise _TooLarge(f"a text longer than {MAX_XML_TEXT} characters")
        self._tree.data(text)

    def close(self) -> StdElementTree.Element:
        return self._tree.close()


def _xml_fail(where: str, reason: str) -> InvalidInput:
    return InvalidInput(
        "invalid ADatP-4774 label", location=where, reason=reason, code="label.invalid_xml"
    )


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _text(element: StdElementTree.Element, where: str) -> str:
    text = (element.text or "").strip()
    if not text:
        raise _xml_fail(where, "empty element")
    return text


def from_xml(document: str | bytes, *, source: str = "label.xml") -> Label:
    """Read an ADatP-4774 label. DTDs, entities and external references are refused (the input
    may come from the other party), and every structural error names the element. The parser
    stops at the first element, attribute or text past the `MAX_XML_*` limits, so that no
    document, whatever its size, costs more than a label's worth of work."""
    builder = _BoundedTreeBuilder()
    parser = SafeElementTree.DefusedXMLParser(target=builder, forbid_dtd=True)
    try:
        parser.feed(document)
        root = parser.close()
    except StdElementTree.ParseError as exc:
        line, column = exc.position
        raise _xml_fail(f"{source}:{line}:{column + 1}", str(exc)) from None
    except DefusedXmlException as exc:
        raise _xml_fail(source, f"refused: {exc}") from None
    except _TooLarge as exc:
        expat = parser.parser
        where = f"{source}:{expat.CurrentLineNumber}:{expat.CurrentColumnNumber + 1}"
        raise _xml_fail(where, exc.reason) from None
    namespace, name = _local(root.tag)
    if namespace != XML_NAMESPACE or name not in _ROOTS:
        raise _xml_fail(
            f"{source}:/{name}", f"expected a {{{XML_NAMESPACE}}}originatorConfidentialityLabel"
        )
    infos = root.findall(_NS + "ConfidentialityInformation")
    if len(infos) != 1:
        raise _xml_fail(f"{source}:/{name}", "needs exactly one ConfidentialityInformation")
    info = infos[0]
    base = f"{source}:/{name}/ConfidentialityInformation"
    policy = classification = None
    categories: list[Category] = []
    category_count = 0
    for child in info:
        child_ns, child_name = _local(child.tag)
        if child_ns != XML_NAMESPACE:
            raise _xml_fail(f"{base}/{child_name}", "element outside the ADatP-4774 namespace")
        if child_name == "PolicyIdentifier":
            policy = _text(child, f"{base}/PolicyIdentifier")
        elif child_name == "Classification":
            classification = _text(child, f"{base}/Classification")
        elif child_name == "Category":
            category_count += 1
            where = f"{base}/Category[{category_count}]"
            tag = child.get("TagName")
            kind = (child.get("Type") or "").lower()
            if not tag:
                raise _xml_fail(f"{where}/@TagName", "missing TagName")
            if kind not in {t.value for t in TagType}:
                raise _xml_fail(f"{where}/@Type", f"unknown Type {child.get('Type')!r}")
            values: list[str] = []
            for index, value in enumerate(child, start=1):
                value_ns, value_name = _local(value.tag)
                if value_ns != XML_NAMESPACE or value_name != "GenericValue":
                    raise _xml_fail(f"{where}/{value_name}", "only GenericValue is supported")
                values.append(_text(value, f"{where}/GenericValue[{index}]"))
            try:
                categories.append(Category(tag, TagType(kind), tuple(values)))
            except InvalidInput as exc:
                raise _xml_fail(where, exc.reason or exc.message) from None
        else:
            raise _xml_fail(f"{base}/{child_name}", "unknown element")
    if policy is None:
        raise _xml_fail(f"{base}/PolicyIdentifier", "missing PolicyIdentifier")
    if classification is None:
        raise _xml_fail(f"{base}/Classification", "missing Classification")
    try:
        return Label.of(policy, classification, categories)
    except InvalidInput as exc:
        raise _xml_fail(base, exc.reason or exc.message) from None
