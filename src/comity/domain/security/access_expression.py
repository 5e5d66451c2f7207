"""Access expressions in Apache Accumulo's grammar: parse, normalise, evaluate, quote.

This module owns the boolean access-expression language that labels compile to. The grammar is
Accumulo's (``apache/accumulo-access`` SPECIFICATION.md), reproduced here for the reader::

    access-expression = [expression]            ; the empty expression allows everyone
    expression        = (token / "(" expression ")") [and-expression / or-expression]
    and-expression    = "&" (token / "(" expression ")") [and-expression]
    or-expression     = "|" (token / "(" expression ")") [or-expression]
    token             = 1*(ALPHA / DIGIT / "_" / "-" / "." / ":" / "/")
                      / DQUOTE 1*(any character but DQUOTE and "\\" / "\\" DQUOTE / "\\\\") DQUOTE

There is no operator precedence: within one pair of parentheses every operator is the same, and
whitespace is never allowed. Quoted tokens are unescaped before they are compared.

Invariants it protects:

* Only well-formed expressions exist as `AccessExpression` values; everything else raises
  `InvalidAccessExpression` with the (code point) index of the first offending character.
* An authorization term is a non-empty string without control characters, lone surrogates or
  unassigned code points (Accumulo's default ``AuthorizationValidator``); such terms cannot be
  written even in quotes, so a term that renders invisibly cannot grant or deny access.
* ``str(expr)`` is a normal form that parses back to an equal expression, and the compiled
  predicate (the hot path of every access decision) gives the same answer as the tree.
* Evaluation against several authorization sets grants access only when every set passes; no
  sets at all is treated as one empty set, so a missing set fails closed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Final, TypeAlias

from comity.errors import InvalidInput

__all__ = [
    "MAX_NESTING",
    "AccessExpression",
    "AllOf",
    "AnyOf",
    "InvalidAccessExpression",
    "Node",
    "Predicate",
    "Term",
    "parse",
    "quote",
    "unquote",
]

#: Deepest allowed parenthesis nesting. Accumulo has no limit; we keep one so that a hostile
#: expression cannot exhaust the Python stack (real labels nest two levels deep).
MAX_NESTING: Final = 100

#: A compiled expression: authorizations in, allowed or not out. Fastest with a set/frozenset.
Predicate: TypeAlias = Callable[[Collection[str]], bool]

_UNQUOTED_TOKEN: Final = re.compile(r"[A-Za-z0-9_\-:./]+")
_UNQUOTED_WHOLE: Final = re.compile(r"[A-Za-z0-9_\-:./]+\Z")
_QUOTE: Final = '"'
_BACKSLASH: Final = "\\"
# Unicode categories that may not appear in a term: control, surrogate, unassigned.
_FORBIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cs", "Cn"})


class InvalidAccessExpression(InvalidInput):
    """An expression (or a quoted term) that does not follow the grammar.

    ``index`` is the 0-based code-point index of the offending character (the length of the text
    when the input ended too early); ``reason`` says what was wrong there.
    """

    def __init__(self, expression: str, index: int, reason: str) -> None:
        shown = expression if len(expression) <= 80 else expression[:77] + "..."
        super().__init__(
            f"invalid access expression {shown!r}",
            location=f"access expression, index {index}",
            reason=reason,
            code="access_expression.invalid",
            index=index,
            expression=expression,
        )
        self.index = index
        self.expression = expression


# --- the tree -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """One authorization, already unquoted and unescaped."""

    value: str


@dataclass(frozen=True, slots=True)
class AllOf:
    """Conjunction (``&``) of two or more operands, none of which is itself an `AllOf`."""

    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Disjunction (``|``) of two or more operands, none of which is itself an `AnyOf`."""

    operands: tuple[Node, ...]


Node: TypeAlias = Term | AllOf | AnyOf


def _normalise(node: Node) -> Node:
    """Flatten same-operator nesting, drop repeated operands, collapse one-operand groups.

    Each step keeps the meaning: ``&`` and ``|`` are associative and idempotent.
    """
    if isinstance(node, Term):
        return node
    kind = type(node)
    seen: dict[Node, None] = {}
    for operand in node.operands:
        child = _normalise(operand)
        if not isinstance(child, Term) and type(child) is kind:
            for grandchild in child.operands:
                seen.setdefault(grandchild)
        else:
            seen.setdefault(child)
    operands = tuple(seen)
    if len(operands) == 1:
        return operands[0]
    return kind(operands)


def _render(node: Node, *, nested: bool) -> str:
    if isinstance(node, Term):
        return quote(node.value)
    operator = "&" if isinstance(node, AllOf) else "|"
    text = operator.join(_render(operand, nested=True) for operand in node.operands)
    return f"({text})" if nested else text


def _terms(node: Node, into: set[str]) -> None:
    if isinstance(node, Term):
        into.add(node.value)
    else:
        for operand in node.operands:
            _terms(operand, into)


# --- compilation: the hot path ----------------------------------------------------------------
#
# A predicate is built once per expression and then called on every decision, so it does as much
# as possible in C. Operands that are plain terms are gathered into one frozenset: a whole
# conjunction of terms is one `issubset`, a whole disjunction one `isdisjoint`. A nested group of
# plain terms is folded into its parent the same way, so the two shapes labels produce cost no
# nested Python call:
#
# * CNF, ``LEVEL&CAT&(REL1|REL2)&(CTX1|CTX2)``: one subset check, then one disjointness check per
#   permissive group;
# * DNF, ``(A&B)|(C&D)|E``: one disjointness check, then one subset check per clause.
#
# A pure conjunction is the bound method `frozenset.issubset` itself, with no Python frame at
# all. Deeper shapes fall back to calling the compiled operands.


def _always(authorizations: Collection[str]) -> bool:
    return True


def _terms_of(node: Node) -> frozenset[str] | None:
    """The terms of a group made only of terms (or a single term); None for deeper groups."""
    if isinstance(node, Term):
        return frozenset((node.value,))
    if all(isinstance(operand, Term) for operand in node.operands):
        return frozenset(operand.value for operand in node.operands)  # type: ignore[union-attr]
    return None


def _compile(node: Node) -> Predicate:
    if isinstance(node, Term):
        return frozenset((node.value,)).issubset
    terms = frozenset(op.value for op in node.operands if isinstance(op, Term))
    nested = [op for op in node.operands if not isinstance(op, Term)]
    flat = [_terms_of(op) for op in nested]
    if isinstance(node, AllOf):
        if all(group is not None for group in flat):
            # Nested operands of an AllOf are AnyOf: each needs one shared term.
            return _compile_cnf(terms, tuple(g.isdisjoint for g in flat if g is not None))
        return _compile_all(terms, tuple(_compile(op) for op in nested))
    if all(group is not None for group in flat):
        # Nested operands of an AnyOf are AllOf: each needs all of its terms.
        return _compile_dnf(terms, tuple(g.issubset for g in flat if g is not None))
    return _compile_any(terms, tuple(_compile(op) for op in nested))


def _compile_cnf(required: frozenset[str], disjoints: tuple[Predicate, ...]) -> Predicate:
    """All of ``required`` and, for each group, at least one of its terms."""
    subset = required.issubset
    if not disjoints:
        return subset
    if len(disjoints) == 1:
        (first,) = disjoints

        def cnf_one(authorizations: Collection[str]) -> bool:
            return subset(authorizations) and not first(authorizations)

        return cnf_one
    if len(disjoints) == 2:
        first, second = disjoints

        def cnf_two(authorizations: Collection[str]) -> bool:
            return (
                subset(authorizations) and not first(authorizations) and not second(authorizations)
            )

        return cnf_two

    def cnf_many(authorizations: Collection[str]) -> bool:
        if not subset(authorizations):
            return False
        # A plain loop, not all(...): no generator object on the hot path.
        for disjoint in disjoints:  # noqa: SIM110
            if disjoint(authorizations):
                return False
        return True

    return cnf_many


def _compile_dnf(alternatives: frozenset[str], subsets: tuple[Predicate, ...]) -> Predicate:
    """One of ``alternatives``, or all the terms of one of the clauses."""
    disjoint = alternatives.isdisjoint
    if not alternatives and len(subsets) == 2:
        first, second = subsets

        def dnf_two(authorizations: Collection[str]) -> bool:
            return first(authorizations) or second(authorizations)

        return dnf_two
    if not subsets:

        def any_term(authorizations: Collection[str]) -> bool:
            return not disjoint(authorizations)

        return any_term

    def dnf_many(authorizations: Collection[str]) -> bool:
        if not disjoint(authorizations):
            return True
        for subset in subsets:  # noqa: SIM110 (see cnf_many)
            if subset(authorizations):
                return True
        return False

    return dnf_many


def _compile_all(required: frozenset[str], groups: tuple[Predicate, ...]) -> Predicate:
    subset = required.issubset

    def all_nested(authorizations: Collection[str]) -> bool:
        if not subset(authorizations):
            return False
        for group in groups:  # noqa: SIM110 (see cnf_many)
            if not group(authorizations):
                return False
        return True

    return all_nested


def _compile_any(alternatives: frozenset[str], groups: tuple[Predicate, ...]) -> Predicate:
    disjoint = alternatives.isdisjoint

    def any_nested(authorizations: Collection[str]) -> bool:
        if not disjoint(authorizations):
            return True
        for group in groups:  # noqa: SIM110 (see cnf_many)
            if group(authorizations):
                return True
        return False

    return any_nested


# --- the value --------------------------------------------------------------------------------


class AccessExpression:
    """A parsed, normalised access expression. Immutable; equal when the normal forms are equal.

    Build one with `parse` (from text) or from a tree of `Term`/`AllOf`/`AnyOf` (``None`` is the
    empty expression, which allows everyone).
    """

    __slots__ = ("_check", "_text", "_tokens", "root")

    root: Node | None
    _check: Predicate
    _text: str
    _tokens: frozenset[str]

    def __init__(self, root: Node | None) -> None:
        if root is not None:
            _validate_tree(root)
            root = _normalise(root)
        terms: set[str] = set()
        if root is not None:
            _terms(root, terms)
        set_ = object.__setattr__
        set_(self, "root", root)
        set_(self, "_check", _always if root is None else _compile(root))
        set_(self, "_text", "" if root is None else _render(root, nested=False))
        set_(self, "_tokens", frozenset(terms))

    def __setattr__(self, name: str, value: object) -> None:
        # Immutable: the compiled predicate must never drift from the tree it was built from.
        raise AttributeError(f"AccessExpression is immutable (tried to set {name!r})")

    @property
    def tokens(self) -> frozenset[str]:
        """Every authorization term the expression mentions (unquoted)."""
        return self._tokens

    @property
    def is_empty(self) -> bool:
        """The empty expression: everyone, even with no authorizations, may access."""
        return self.root is None

    def compile(self) -> Predicate:
        """The precompiled predicate; call it with a set or frozenset for the fastest check.

        It trusts its argument: a `str` would be read as a collection of characters.
        """
        return self._check

    def evaluate(self, authorizations: Collection[str]) -> bool:
        """True when the authorizations satisfy the expression (each term is a membership test)."""
        if isinstance(authorizations, str):
            # A bare string is a Collection[str] of characters: almost certainly a caller's bug.
            raise TypeError("authorizations must be a collection of terms, not a str")
        return self._check(authorizations)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"AccessExpression({self._text!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AccessExpression):
            return NotImplemented
        return self.root == other.root

    def __hash__(self) -> int:
        return hash(self.root)


def _validate_tree(node: Node) -> None:
    if isinstance(node, Term):
        _check_term(node.value, node.value, 0)
        return
    if len(node.operands) < 2:
        raise ValueError(f"{type(node).__name__} needs at least two operands")
    for operand in node.operands:
        _validate_tree(operand)


def _check_term(term: str, expression: str, offset: int) -> None:
    if not term:
        raise InvalidAccessExpression(expression, offset, "empty authorization")
    for position, char in enumerate(term):
        if char == "\ufffd" or unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            raise InvalidAccessExpression(
                expression,
                offset + position,
                f"character {_show(char)} is not allowed in an authorization",
            )


def _show(char: str) -> str:
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    return f"U+{ord(char):04X}"


# --- parsing ----------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the text, keeping the index for error messages."""

    __slots__ = ("index", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0

    def fail(self, reason: str, index: int | None = None) -> InvalidAccessExpression:
        return InvalidAccessExpression(self.text, self.index if index is None else index, reason)

    def found(self) -> str:
        if self.index >= len(self.text):
            return "end of input"
        return _show(self.text[self.index])

    def expression(self, depth: int) -> Node:
        first = self.operand(depth)
        text = self.text
        if self.index >= len(text) or text[self.index] not in "&|":
            return first
        operator = text[self.index]
        operands = [first]
        while self.index < len(text) and text[self.index] == operator:
            self.index += 1
            operands.append(self.operand(depth))
        if self.index < len(text) and text[self.index] in "&|":
            raise self.fail("cannot mix '|' and '&' without parentheses")
        return AllOf(tuple(operands)) if operator == "&" else AnyOf(tuple(operands))

    def operand(self, depth: int) -> Node:
        text = self.text
        if self.index >= len(text):
            raise self.fail("expected '(' or an authorization, found end of input")
        char = text[self.index]
        if char == "(":
            if depth >= MAX_NESTING:
                raise self.fail(f"parentheses nested deeper than {MAX_NESTING} levels")
            self.index += 1
            inner = self.expression(depth + 1)
            if self.index >= len(text) or text[self.index] != ")":
                raise self.fail(f"expected ')', found {self.found()}")
            self.index += 1
            return inner
        if char == _QUOTE:
            return Term(self.quoted())
        match = _UNQUOTED_TOKEN.match(text, self.index)
        if match is None:
            raise self.fail(f"expected '(' or an authorization, found {self.found()}")
        self.index = match.end()
        return Term(match.group())

    def quoted(self) -> str:
        text = self.text
        opening = self.index
        position = opening + 1
        parts: list[str] = []
        start = position
        while True:
            if position >= len(text):
                raise self.fail("unclosed quote", opening)
            char = text[position]
            if char == _QUOTE:
                break
            if char == _BACKSLASH:
                following = text[position + 1 : position + 2]
                if following not in (_QUOTE, _BACKSLASH):
                    raise self.fail('invalid escape in quotes: only \\" and \\\\', position)
                parts.append(text[start:position])
                parts.append(following)
                position += 2
                start = position
                continue
            if char == "\ufffd" or unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
                raise self.fail(
                    f"character {_show(char)} is not allowed in an authorization", position
                )
            position += 1
        parts.append(text[start:position])
        if position == opening + 1:
            raise self.fail("empty authorization in quotes", opening)
        self.index = position + 1
        return "".join(parts)


def parse(text: str) -> AccessExpression:
    """Parse an access expression; raise `InvalidAccessExpression` with the index of the error."""
    if not isinstance(text, str):
        raise TypeError("an access expression is a str")
    if not text:
        return _EMPTY
    parser = _Parser(text)
    root = parser.expression(0)
    if parser.index < len(text):
        if text[parser.index] == ")":
            raise parser.fail("unbalanced ')'")
        raise parser.fail(f"unexpected {parser.found()} after a complete expression")
    return AccessExpression(root)


_EMPTY: Final = AccessExpression(None)


# --- quoting ----------------------------------------------------------------------------------


def quote(term: str) -> str:
    """The term as it must appear in an expression: bare when it can be, else quoted and escaped."""
    _check_term(term, term, 0)
    if _UNQUOTED_WHOLE.match(term):
        return term
    escaped = term.replace(_BACKSLASH, _BACKSLASH * 2).replace(_QUOTE, _BACKSLASH + _QUOTE)
    return f'"{escaped}"'


def unquote(text: str) -> str:
    """The term written as one token (bare, or quoted with escapes): the inverse of `quote`."""
    if not text:
        raise InvalidAccessExpression(text, 0, "empty authorization")
    parser = _Parser(text)
    if text[0] == _QUOTE:
        term = parser.quoted()
    else:
        match = _UNQUOTED_TOKEN.match(text)
        if match is None:
            raise parser.fail(f"expected an authorization, found {parser.found()}")
        parser.index = match.end()
        term = match.group()
    if parser.index < len(text):
        raise parser.fail(f"unexpected {parser.found()} after the authorization")
    return term
