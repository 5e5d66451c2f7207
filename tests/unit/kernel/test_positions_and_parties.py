"""One rule for where an input is wrong, and one rule for party codes."""

from __future__ import annotations

import pytest

from comity.domain.kernel.parties import party_code
from comity.domain.kernel.positions import Position
from comity.errors import InvalidInput


def test_a_position_reads_file_line_column_then_field_path_counted_from_one() -> None:
    where = Position("agreement.toml").field("events").item(2).field("date").at_line(41, 1)
    assert str(where) == "agreement.toml:41:1: events[3].date"


def test_a_position_without_a_line_names_the_file_and_the_field() -> None:
    assert str(Position("scheme.toml", ("levels", 1, "name"))) == "scheme.toml: levels[1].name"
    assert str(Position(path=("title", "tr"))) == "title.tr"


def test_list_items_are_never_counted_from_zero() -> None:
    with pytest.raises(ValueError, match="count from 1"):
        Position("x", ("events", 0))


@pytest.mark.parametrize("code", ["TUR", "AZE", "EU", "NATO", "OSCE", "UN", "G20"])
def test_states_and_organisations_are_parties(code: str) -> None:
    assert party_code(code) == code


@pytest.mark.parametrize("text", ["T", "tu r", "1AB", "TOOLONGPARTYCODE", "", "A-B"])
def test_malformed_party_codes_are_refused_with_the_rule(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        party_code(text, location="parties[1]")
    assert refused.value.location == "parties[1]"
    assert refused.value.code == "party.bad"


def test_operator_is_a_party_of_accounts_only_and_unknown_of_none() -> None:
    assert party_code("operator", operator=True) == "OPERATOR"
    with pytest.raises(InvalidInput):
        party_code("OPERATOR")
    with pytest.raises(InvalidInput):
        party_code("UNKNOWN", operator=True)
