"""Classification schemes and equivalence tables: loading, refusals, translation."""

from __future__ import annotations

from datetime import date

import pytest

from comity.domain.security import labels, schemes
from comity.errors import InvalidInput
from tests.unit.security.security_data import (
    AGREEMENT,
    AZE,
    EQUIVALENCE,
    EQUIVALENCE_TEXT,
    POLICIES,
    POST_2022_EQUIVALENCE,
    TUR,
)

ON = date(2026, 11, 29)


def test_the_example_schemes_load_with_their_levels_highest_first() -> None:
    assert [c.name for c in TUR.classifications] == ["ÇOK GİZLİ", "GİZLİ", "ÖZEL", "HİZMETE ÖZEL"]
    assert [c.name for c in AZE.classifications] == ["xüsusi əhəmiyyətli", "tam məxfi", "məxfi"]
    assert [c.name for c in AGREEMENT.classifications] == [
        "TOP SECRET",
        "SECRET",
        "CONFIDENTIAL",
        "RESTRICTED",
    ]
    assert TUR.classification("ÖZEL").retired_on == date(2022, 4, 26)
    assert TUR.at_or_below("GİZLİ") == {"GİZLİ", "ÖZEL", "HİZMETE ÖZEL"}


def test_a_scheme_survives_storage_as_data() -> None:
    assert schemes.policy_from_data(TUR.as_data()) == TUR
    assert schemes.equivalence_from_data(EQUIVALENCE.as_data()) == EQUIVALENCE


def test_the_example_equivalence_checks_against_the_example_schemes() -> None:
    EQUIVALENCE.check(POLICIES)
    assert EQUIVALENCE.equivalent("TUR", "ÖZEL", "AZE") == "məxfi"
    assert EQUIVALENCE.equivalent("AZE", "məxfi", "TR-AZ-2017") == "CONFIDENTIAL"
    assert EQUIVALENCE.equivalent("TUR", "HİZMETE ÖZEL", "AZE") is None


def test_translation_keeps_the_categories_and_changes_policy_and_level() -> None:
    label = labels.parse("TUR | GİZLİ | Releasable To (permissive): AZE, TUR")
    translated = schemes.translate(label, AZE, on=ON, equivalences=[EQUIVALENCE])
    assert str(translated) == "AZE | tam məxfi | Releasable To (permissive): AZE, TUR"
    assert AZE.marking(translated) == "TAM MƏXFİ — Releasable to AZE, TUR"


def test_a_gap_in_the_table_cannot_be_translated() -> None:
    with pytest.raises(InvalidInput) as caught:
        schemes.translate(
            labels.parse("TUR | HİZMETE ÖZEL"), "AZE", on=ON, equivalences=[EQUIVALENCE]
        )
    assert caught.value.code == "security.no_equivalent"
    assert caught.value.message == "no equivalent for HİZMETE ÖZEL in the AZE scheme"


def test_pre_2022_ozel_has_no_equivalent_under_a_post_2022_agreement() -> None:
    ozel = labels.parse("TUR | ÖZEL")
    assert str(EQUIVALENCE.translate(ozel, "AZE", on=ON)) == "AZE | məxfi"
    with pytest.raises(InvalidInput, match="no equivalent for ÖZEL in the AZE scheme"):
        POST_2022_EQUIVALENCE.translate(ozel, "AZE", on=ON)


def test_a_table_is_used_only_from_its_effective_date() -> None:
    label = labels.parse("TUR | GİZLİ")
    with pytest.raises(InvalidInput) as caught:
        EQUIVALENCE.translate(label, "AZE", on=date(2021, 4, 5))
    assert caught.value.code == "security.equivalence_not_in_force"
    with pytest.raises(InvalidInput) as none_found:
        schemes.translate(label, "AZE", on=date(2021, 4, 5), equivalences=[EQUIVALENCE])
    assert none_found.value.code == "security.no_equivalence"


def test_an_agreement_signed_after_2022_may_not_use_ozel() -> None:
    text = EQUIVALENCE_TEXT.replace("signed = 2017-10-31", "signed = 2023-01-10")
    late = schemes.parse_equivalence(text, source="late.toml")
    with pytest.raises(InvalidInput) as caught:
        late.check(POLICIES, source="late.toml")
    assert caught.value.location == "late.toml: level[3].TUR"
    assert "retired on 2022-04-26" in (caught.value.reason or "")
    POST_2022_EQUIVALENCE.check(POLICIES)


SCHEME = """
[policy]
id = "TUR"
name = "Türkiye"

[[classification]]
name = "GİZLİ"
hierarchy = 3

[[classification]]
name = "HİZMETE ÖZEL"
hierarchy = 1
"""


@pytest.mark.parametrize(
    ("text", "location", "reason"),
    [
        ("[policy\nid=1", "s.toml", "line 1, column 8"),
        (SCHEME.replace('id = "TUR"\n', ""), "s.toml: policy.id", "missing"),
        (
            SCHEME.replace("hierarchy = 1", "hierarchy = 3"),
            "classification[2].hierarchy",
            "already used",
        ),
        (
            SCHEME.replace("hierarchy = 1", 'hierarchy = "1"'),
            "classification[2].hierarchy",
            "expected int",
        ),
        (
            SCHEME.replace("hierarchy = 1", "hierarchy = true"),
            "classification[2].hierarchy",
            "expected int",
        ),
        (SCHEME.replace('"HİZMETE ÖZEL"', '"GİZLİ"'), "classification[2].name", "already"),
        (SCHEME.replace('"HİZMETE ÖZEL"', '"A|B"'), "classification[2].name", "'|' is not allowed"),
        (
            SCHEME.replace("hierarchy = 1", "hierarchy = 1\nretierd_on = 2022-01-01"),
            "classification[2].retierd_on",
            "unknown key",
        ),
        (
            SCHEME.replace("hierarchy = 1", 'hierarchy = 1\nretired_on = "soon"'),
            "classification[2].retired_on",
            "expected a date",
        ),
        (SCHEME.replace('id = "TUR"', 'id = "T/R"'), "policy.id", "'/' is not allowed"),
        ('classification = []\n[policy]\nid = "X"\nname = "x"\n', "classification", "at least one"),
    ],
)
def test_a_malformed_scheme_file_is_refused_with_file_field_and_reason(
    text: str, location: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        schemes.parse_policy(text, source="s.toml")
    assert location in (caught.value.location or "")
    assert reason in (caught.value.reason or "")
    assert "s.toml" in (caught.value.location or "")


@pytest.mark.parametrize(
    ("change", "location", "reason"),
    [
        (("effective_from = 2021-04-06", "effective_from = 2021-13-06"), "e.toml", "line"),
        (("effective_from = 2021-04-06\n", ""), "equivalence.effective_from", "missing"),
        (('TUR = "GİZLİ"', 'TUR = "GİZLİ"\nFRA = "SECRET DEFENSE"'), "level[2].FRA", "not listed"),
        (
            ('AZE = "tam məxfi"', 'AZE = "xüsusi əhəmiyyətli"'),
            "level[2].AZE",
            "already in level[1]",
        ),
        (
            ('policies = ["TR-AZ-2017", "TUR", "AZE"]', 'policies = ["TUR"]'),
            "equivalence.policies",
            "two or more",
        ),
    ],
)
def test_a_malformed_equivalence_file_is_refused_with_file_field_and_reason(
    change: tuple[str, str], location: str, reason: str
) -> None:
    assert change[0] in EQUIVALENCE_TEXT
    with pytest.raises(InvalidInput) as caught:
        schemes.parse_equivalence(EQUIVALENCE_TEXT.replace(*change), source="e.toml")
    assert location in (caught.value.location or "")
    assert reason in (caught.value.reason or "")


def test_an_equivalence_naming_an_unknown_level_or_scheme_is_refused() -> None:
    text = EQUIVALENCE_TEXT.replace('AZE = "məxfi"', 'AZE = "çox məxfi"')
    with pytest.raises(InvalidInput) as caught:
        schemes.parse_equivalence(text, source="e.toml").check(POLICIES, source="e.toml")
    assert caught.value.location == "e.toml: level[3].AZE"
    with pytest.raises(InvalidInput, match=r"invalid data in e\.toml"):
        EQUIVALENCE.check({"TUR": TUR}, source="e.toml")


def test_a_label_with_an_unknown_level_is_not_valid_under_the_scheme() -> None:
    with pytest.raises(InvalidInput) as caught:
        TUR.validate(labels.parse("TUR | SECRET"))
    assert caught.value.code == "label.unknown_classification"
