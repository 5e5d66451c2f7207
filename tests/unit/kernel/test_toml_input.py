"""`load_toml`: any text ends in a document or one clear `InvalidInput`, never a crash."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.domain.kernel import toml_input
from comity.domain.kernel.toml_input import MAX_NESTING, load_toml
from comity.errors import InvalidInput

CODE = "test.invalid"


def refusal(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        load_toml(text, source="f.toml", code=CODE)
    return caught.value


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a = 1\nx = " + "[" * 10_000 + "]" * 10_000, 2, 5 + MAX_NESTING),
        ("x = " + "{a = " * 10_000 + "1" + "}" * 10_000, 1, 5 + 5 * MAX_NESTING),
        ("[[a]]\nx = [" + "[" * 5_000 + "]" * 5_001, 2, 5 + MAX_NESTING),
    ],
    ids=["arrays", "inline tables", "after a table header"],
)
def test_nesting_ten_thousand_deep_is_refused_with_its_line_and_column(
    text: str, line: int, column: int
) -> None:
    error = refusal(text)
    assert error.code == CODE
    assert error.location == "f.toml"
    assert error.reason == (
        f"tables or arrays nested deeper than {MAX_NESTING} levels "
        f"(at line {line}, column {column})"
    )


def test_nesting_up_to_the_limit_parses() -> None:
    text = "x = " + "[" * MAX_NESTING + "1" + "]" * MAX_NESTING
    value: Any = load_toml(text, source="f.toml", code=CODE)["x"]
    for _ in range(MAX_NESTING):
        value = value[0]
    assert value == 1


def test_dotted_keys_cannot_nest_deeper_than_brackets_can() -> None:
    error = refusal("x." + ".".join(["a"] * (MAX_NESTING + 5)) + " = 1")
    assert error.reason == f"tables or arrays nested deeper than {MAX_NESTING} levels (at x.a.a…)"


def test_a_five_thousand_digit_integer_is_refused_with_its_position() -> None:
    error = refusal("a = 1\n\nbig = " + "7" * 5_000)
    limit = sys.get_int_max_str_digits()
    assert error.reason == f"a number with more than {limit} digits (at line 3, column 7)"


def test_an_integer_past_64_bits_is_refused_with_its_path() -> None:
    assert refusal("[t]\nx = [1, 0x" + "f" * 17 + "]").reason == (
        "an integer outside the 64-bit range (at t.x[1])"
    )
    document = load_toml("x = 9223372036854775807\ny = -9223372036854775808", source="f", code=CODE)
    assert document == {"x": 2**63 - 1, "y": -(2**63)}


def test_long_numbers_inside_strings_and_comments_are_text() -> None:
    digits = "9" * 5_000
    text = f'a = "{digits}"\nb = \'{digits}\'  # {digits}\nc = """\n{digits}\n"""'
    document = load_toml(text, source="f.toml", code=CODE)
    assert document == {"a": digits, "b": digits, "c": digits + "\n"}


def test_a_nul_escape_is_refused_by_the_shared_text_rule() -> None:
    error = refusal('[title]\nen = "a\\u0000b"')
    assert error.code == "text.unstorable"
    assert error.location == "f.toml: title.en"
    key = refusal('"a\\u0000" = 1')
    assert (key.code, key.location) == ("text.unstorable", "f.toml: a key in the top level")


def test_a_syntax_error_keeps_the_parsers_position() -> None:
    error = refusal('id = "x"\nparties = [1 2]')
    assert error.message == "not valid TOML"
    assert error.reason is not None
    assert error.reason.endswith("(at line 2, column 14)")


def test_a_gap_in_the_scan_would_still_end_in_a_clear_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(toml_input, "_first_problem", lambda text: None)
    deep = refusal("x = " + "[" * 10_000 + "]" * 10_000)
    assert deep.reason == f"tables or arrays nested deeper than {MAX_NESTING} levels"
    long = refusal("x = " + "1" * 5_000)
    assert long.reason is not None
    assert "4300 digits" in long.reason


# Text that plays with what the scan must skip: quotes, backslashes and comment marks among runs
# of brackets, so that a string the scan ended too early would show a run of a dozen brackets.
_PIECES = ['"', "'", "\\", "#", "\n", "a", "[" * 12, "{" * 12]
tricky_text = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)
STYLES = ("basic", "literal", "multi-line basic", "multi-line literal")


def written(text: str, style: str) -> str:
    """`text` as a TOML string in `style`, or as a basic string when the style cannot hold it
    (a newline right after a multi-line opening delimiter is dropped by TOML, so none is
    written there)."""
    if style == "literal" and "'" not in text and "\n" not in text:
        return f"'{text}'"
    if style == "multi-line basic" and not text.startswith("\n"):
        return '"""' + text.replace("\\", "\\\\").replace('"', '\\"') + '"""'
    if style == "multi-line literal" and "'''" not in text and not text.startswith("\n"):
        return "'''" + text + "'''"
    return json.dumps(text)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, object]:
    """A TOML value (as text, and as parsed): arrays of integers and of strings written in
    every style."""

    def value(level: int) -> tuple[str, object]:
        kinds = ["text", "integer", "array"] if level < 6 else ["text", "integer"]
        kind = draw(st.sampled_from(kinds))
        if kind == "text":
            text = draw(tricky_text)
            return written(text, draw(st.sampled_from(STYLES))), text
        if kind == "integer":
            number = draw(st.integers(-(2**63), 2**63 - 1))
            return str(number), number
        items = [value(level + 1) for _ in range(draw(st.integers(0, 3)))]
        return "[" + ", ".join(text for text, _ in items) + "]", [item for _, item in items]

    return value(0)


@given(document=documents())
def test_any_document_within_the_limits_reads_back_as_written(
    document: tuple[str, object],
) -> None:
    text, value = document
    comment = "# " + "[" * (MAX_NESTING + 1) + " ' \" \\"
    # A limit just above the documents' own depth (at most 7 with the table): a scan that took
    # a bracket inside a string for structure would refuse a valid document.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(toml_input, "MAX_NESTING", 8)
        parsed = load_toml(f"v = {text} {comment}\n", source="f.toml", code=CODE)
    assert parsed == {"v": value}


@given(inner=tricky_text, style=st.sampled_from(STYLES), extra=st.integers(1, 40))
def test_any_bracket_past_the_limit_is_refused_whatever_the_strings_hold(
    inner: str, style: str, extra: int
) -> None:
    levels = MAX_NESTING + extra
    text = "v = " + "[" * levels + written(inner, style) + "]" * levels
    assert refusal(text).reason == (
        f"tables or arrays nested deeper than {MAX_NESTING} levels "
        f"(at line 1, column {5 + MAX_NESTING})"
    )
