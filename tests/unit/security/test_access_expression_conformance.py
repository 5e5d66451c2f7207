"""Apache Accumulo's access-expression conformance data passes in full.

The file (`../shared/conformance/accumulo_access_testdata.json`) holds data sets, each with one or
more authorization sets and groups of expressions expected to be ACCESSIBLE, INACCESSIBLE or an
ERROR. As in the upstream harness, an expression is accessible only if it passes for every set.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from comity.domain.security.access_expression import InvalidAccessExpression, parse

CONFORMANCE_FILE = "accumulo_access_testdata.json"


def _cases(conformance_dir: Path) -> list[tuple[str, str, list[frozenset[str]]]]:
    """(expected result, expression, authorization sets) for every case in the file."""
    data: list[dict[str, Any]] = json.loads(
        (conformance_dir / CONFORMANCE_FILE).read_text(encoding="utf-8")
    )
    cases = []
    for data_set in data:
        auths = [frozenset(auth_set) for auth_set in data_set["auths"]]
        for group in data_set["tests"]:
            for expression in group["expressions"]:
                cases.append((group["expectedResult"], expression, auths))
    return cases


def test_the_conformance_file_holds_all_242_cases(conformance_dir: Path) -> None:
    # Guards against a truncated or replaced file silently shrinking the suite below.
    counts = Counter(expected for expected, _, _ in _cases(conformance_dir))
    assert counts == {"ACCESSIBLE": 82, "INACCESSIBLE": 47, "ERROR": 113}


@pytest.mark.parametrize("expected", ["ACCESSIBLE", "INACCESSIBLE"])
def test_every_valid_conformance_expression_gets_the_expected_decision(
    conformance_dir: Path, expected: str
) -> None:
    wrong = []
    for want, text, auths in _cases(conformance_dir):
        if want != expected:
            continue
        expression = parse(text)
        # Accessible only when every authorization set of the case satisfies the expression.
        got = "ACCESSIBLE" if all(map(expression.evaluate, auths)) else "INACCESSIBLE"
        # The tree and the compiled fast path must agree with each other and with the data.
        per_set = [expression.compile()(auth_set) for auth_set in auths]
        if got != want or all(per_set) != (got == "ACCESSIBLE"):
            wrong.append(text)
    assert wrong == []


def test_every_valid_conformance_expression_survives_normalisation(conformance_dir: Path) -> None:
    wrong = []
    for want, text, auths in _cases(conformance_dir):
        if want == "ERROR":
            continue
        expression = parse(text)
        again = parse(str(expression))
        decisions = [expression.evaluate(auth_set) for auth_set in auths]
        if again != expression or [again.evaluate(a) for a in auths] != decisions:
            wrong.append(text)
    assert wrong == []


def test_every_malformed_conformance_expression_is_rejected(conformance_dir: Path) -> None:
    accepted, misplaced = [], []
    for want, text, _ in _cases(conformance_dir):
        if want != "ERROR":
            continue
        try:
            parse(text)
        except InvalidAccessExpression as error:
            if not (0 <= error.index <= len(text) and error.reason):
                misplaced.append(text)
        else:
            accepted.append(text)
    assert accepted == []
    assert misplaced == []
