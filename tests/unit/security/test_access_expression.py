"""Access expressions: laws (hypothesis), normal form, quoting and error positions."""

from __future__ import annotations

from collections.abc import Collection

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.domain.security.access_expression import (
    MAX_NESTING,
    AccessExpression,
    AllOf,
    AnyOf,
    InvalidAccessExpression,
    Node,
    Term,
    parse,
    quote,
    unquote,
)
from comity.errors import InvalidInput

# --- strategies -------------------------------------------------------------------------------

BARE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-:./"

bare_terms = st.text(alphabet=BARE_ALPHABET, min_size=1, max_size=8)
any_terms = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cn"), blacklist_characters="\ufffd"),
    min_size=1,
    max_size=8,
)
# A small shared pool so that generated expressions and authorization sets overlap often.
POOL = ["A", "B", "C", "TR", "AZE", "NATO:S", 'q"t', "back\\slash", "五", "two words"]
pool_terms = st.sampled_from(POOL)
authorization_sets = st.frozensets(st.sampled_from([*POOL, "other"]), max_size=len(POOL))


def _trees(terms: st.SearchStrategy[str]) -> st.SearchStrategy[Node]:
    return st.recursive(
        terms.map(Term),
        lambda children: st.one_of(
            st.lists(children, min_size=2, max_size=4).map(lambda ops: AllOf(tuple(ops))),
            st.lists(children, min_size=2, max_size=4).map(lambda ops: AnyOf(tuple(ops))),
        ),
        max_leaves=12,
    )


def _naive(node: Node, authorizations: Collection[str]) -> bool:
    """The reference reading: a term is membership, & is and, | is or."""
    if isinstance(node, Term):
        return node.value in authorizations
    results = [_naive(operand, authorizations) for operand in node.operands]
    return all(results) if isinstance(node, AllOf) else any(results)


def _write(node: Node, draw: st.DrawFn, *, top: bool = True) -> str:
    """Text for a tree, with the liberties a person may take: redundant parentheses and
    quotes around terms that need none."""
    if isinstance(node, Term):
        text = quote(node.value)
        if not text.startswith('"') and draw(st.booleans()):
            text = f'"{text}"'
    else:
        operator = "&" if isinstance(node, AllOf) else "|"
        parts = [_write(operand, draw, top=False) for operand in node.operands]
        text = operator.join(parts)
        if not top:
            text = f"({text})"
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        text = f"({text})"
    return text


@st.composite
def written_trees(draw: st.DrawFn) -> tuple[Node, str]:
    tree = draw(_trees(pool_terms))
    return tree, _write(tree, draw)


# --- laws -------------------------------------------------------------------------------------


@given(any_terms)
def test_unquote_inverts_quote_for_every_allowed_term(term: str) -> None:
    assert unquote(quote(term)) == term


@given(any_terms)
def test_a_quoted_term_parses_to_an_expression_mentioning_only_that_term(term: str) -> None:
    expression = parse(quote(term))
    assert expression.tokens == {term}
    assert expression.evaluate({term})
    assert not expression.evaluate(set())


@given(bare_terms)
def test_a_term_that_needs_no_quotes_is_left_bare(term: str) -> None:
    assert quote(term) == term


@given(written_trees(), authorization_sets)
def test_evaluate_agrees_with_the_naive_reference_evaluator(
    written: tuple[Node, str], authorizations: frozenset[str]
) -> None:
    tree, text = written
    expression = parse(text)
    assert expression.evaluate(authorizations) == _naive(tree, authorizations)


@given(written_trees(), authorization_sets)
def test_the_compiled_predicate_agrees_with_evaluate_for_sets_and_lists(
    written: tuple[Node, str], authorizations: frozenset[str]
) -> None:
    expression = parse(written[1])
    expected = _naive(written[0], authorizations)
    assert expression.compile()(authorizations) is expected
    assert expression.evaluate(sorted(authorizations)) is expected


@given(written_trees(), authorization_sets)
def test_the_normal_form_reparses_to_an_equal_and_equivalent_expression(
    written: tuple[Node, str], authorizations: frozenset[str]
) -> None:
    expression = parse(written[1])
    again = parse(str(expression))
    assert again == expression
    assert str(again) == str(expression)
    assert again.evaluate(authorizations) == expression.evaluate(authorizations)


@given(written_trees())
def test_tokens_are_exactly_the_terms_written(written: tuple[Node, str]) -> None:
    tree, text = written
    terms: set[str] = set()

    def collect(node: Node) -> None:
        if isinstance(node, Term):
            terms.add(node.value)
        else:
            for operand in node.operands:
                collect(operand)

    collect(tree)
    assert parse(text).tokens == terms


@given(st.text(alphabet='AB&|()"\\ #', max_size=12))
def test_any_text_either_parses_or_fails_with_a_position_inside_it(text: str) -> None:
    index = None
    try:
        parse(text)
    except InvalidAccessExpression as error:
        index = error.index
    assert index is None or 0 <= index <= len(text)


# --- examples ---------------------------------------------------------------------------------


def test_the_empty_expression_allows_everyone_even_without_authorizations() -> None:
    empty = parse("")
    assert empty.is_empty
    assert empty.evaluate(set())
    assert empty.tokens == frozenset()
    assert str(empty) == ""


def test_a_bare_string_is_refused_as_authorizations() -> None:
    with pytest.raises(TypeError):
        parse("A").evaluate("A")


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("((A|B)|C)&(D)", "(A|B|C)&D"),
        ("(A)", "A"),
        ("A&A&(B)", "A&B"),
        ('"A"|"A#C"', 'A|"A#C"'),
        ('"q\\"t"&"b\\\\s"', '"q\\"t"&"b\\\\s"'),
        ("(A&(B&C))|D", "(A&B&C)|D"),
    ],
)
def test_the_normal_form_strips_redundant_parentheses_quotes_and_repeats(
    text: str, normal: str
) -> None:
    assert str(parse(text)) == normal


def test_escapes_are_removed_before_comparing() -> None:
    expression = parse('"abc\\\\xyz"&"say \\"hi\\""')
    assert expression.tokens == {"abc\\xyz", 'say "hi"'}


def test_an_expression_can_be_built_from_a_tree_and_is_normalised() -> None:
    built = AccessExpression(
        AllOf((Term("L2"), AllOf((Term("ATOMAL"), AnyOf((Term("GBR"), Term("USA")))))))
    )
    assert str(built) == "L2&ATOMAL&(GBR|USA)"
    assert built == parse("L2&(ATOMAL&(GBR|USA))")


def test_a_tree_with_an_invalid_term_is_refused() -> None:
    with pytest.raises(InvalidAccessExpression):
        AccessExpression(Term("bell\x07"))


# --- errors and positions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "index", "reason"),
    [
        ("a|b&c", 3, "cannot mix"),
        ("A&B&C|D", 5, "cannot mix"),
        ("(A&B)|(C&D)&(E)", 11, "cannot mix"),
        ("a&&b", 2, "found '&'"),
        ("&A", 0, "found '&'"),
        ("A|", 2, "end of input"),
        ("", None, None),
        (" ", 0, "U+0020"),
        ("A\nB", 1, "U+000A"),
        ("A$B", 1, "unexpected '$'"),
        ("A)", 1, "unbalanced ')'"),
        ("(A", 2, "expected ')'"),
        ("a|(b(c))", 4, "expected ')', found '('"),
        ("(one)(two)", 5, "unexpected '('"),
        ("()", 1, "found ')'"),
        ('""', 0, "empty authorization"),
        ('A&""', 2, "empty authorization"),
        ('"abc', 0, "unclosed quote"),
        ('X|"abc', 2, "unclosed quote"),
        ('"a\\c"', 2, "invalid escape"),
        ('"a\\', 2, "invalid escape"),
        ('"a\x00b"', 2, "U+0000"),
        ("五", 0, "found '五'"),
    ],
)
def test_a_malformed_expression_is_rejected_with_its_position_and_reason(
    text: str, index: int | None, reason: str | None
) -> None:
    if index is None:
        parse(text)  # the empty expression is valid
        return
    with pytest.raises(InvalidAccessExpression) as raised:
        parse(text)
    assert raised.value.index == index
    assert reason is not None
    assert raised.value.reason is not None
    assert reason in raised.value.reason
    assert f"index {index}" in raised.value.one_line()


def test_the_error_is_invalid_input_with_a_stable_code_and_the_index_in_its_detail() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse("a|b&c")
    assert raised.value.code == "access_expression.invalid"
    assert raised.value.as_dict()["detail"]["index"] == 3


def test_nesting_deeper_than_the_limit_is_refused_without_exhausting_the_stack() -> None:
    parse("(" * MAX_NESTING + "A" + ")" * MAX_NESTING)
    deep = "(" * (MAX_NESTING + 1) + "A" + ")" * (MAX_NESTING + 1)
    with pytest.raises(InvalidAccessExpression) as raised:
        parse(deep)
    assert raised.value.index == MAX_NESTING


@pytest.mark.parametrize(
    ("text", "index"),
    [("", 0), ('"a', 0), ("a b", 1), ('"a"b', 3), ("a&b", 1), ('"\\x"', 1)],
)
def test_unquote_accepts_exactly_one_token(text: str, index: int) -> None:
    with pytest.raises(InvalidAccessExpression) as raised:
        unquote(text)
    assert raised.value.index == index


@pytest.mark.parametrize("term", ["", "tab\there", "\ufffd", chr(0xD800)])
def test_quote_refuses_terms_that_no_expression_may_contain(term: str) -> None:
    with pytest.raises(InvalidAccessExpression):
        quote(term)


@pytest.mark.parametrize(
    "text",
    [
        "A",
        "A&B",
        "A|B",
        "A&B&(C|D)",
        "A&(B|C)&(C|D)",
        "A&(B|C)&(C|D)&(D|A)",
        "(A|B)&(C|D)",
        "(A&B)|(C&D)",
        "(A&B)|(C&D)|A",
        "(A&B)|(C&D)|(B&D)",
        "A&(B|(C&D))",
        "A|(B&(C|D))",
        "(A|(B&C))&(D|(A&C))",
        "((A|B)&C)|((C|D)&A)",
    ],
)
def test_every_compiled_shape_agrees_with_the_tree_on_every_subset(text: str) -> None:
    expression = parse(text)
    assert expression.root is not None
    universe = ["A", "B", "C", "D"]
    for mask in range(1 << len(universe)):
        held = frozenset(term for bit, term in enumerate(universe) if mask >> bit & 1)
        assert expression.compile()(held) is _naive(expression.root, held), (text, held)


def test_an_expression_cannot_be_changed_after_it_is_built() -> None:
    expression = parse("A&B")
    with pytest.raises(AttributeError):
        expression.root = None
    assert expression.evaluate({"A", "B"})
