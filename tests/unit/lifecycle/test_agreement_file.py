"""The agreement file: parsing, round trips, the JSON Schema, and invalid files rejected with
the file, the field and the reason."""

from __future__ import annotations

import copy
import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from comity.domain.lifecycle.agreement_file import (
    event_to_dict,
    parse_agreement,
    parse_agreement_dict,
    parse_event,
    spec_to_dict,
)
from comity.domain.lifecycle.model import Event, PartialDate
from comity.errors import InvalidInput
from tests.unit.lifecycle.builders import BASE, agreement, ev

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples/agreements").glob("*.toml"))
SCHEMA = json.loads(
    (ROOT / "src/comity/domain/lifecycle/agreement.schema.json").read_text(encoding="utf-8")
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_bundled_examples_validate_against_the_json_schema(path: Path) -> None:
    data = _jsonable(tomllib.loads(path.read_text(encoding="utf-8")))
    jsonschema.Draft202012Validator(SCHEMA).validate(data)


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_a_spec_survives_a_round_trip_through_its_dict(path: Path) -> None:
    spec = parse_agreement(path.read_text(encoding="utf-8"), source=path.name)
    data = spec_to_dict(spec)
    json.dumps(data)  # JSON-able
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert parse_agreement_dict(data, source="round-trip") == spec


def test_a_rich_spec_survives_a_round_trip() -> None:
    spec = agreement(
        ev("instrument_deposited", "AAA", "2020-01-01", instrument="accession", weight=12.5),
        ev("denunciation_notice", "AAA", dispatched="2021-01-01", received="2021-01-05"),
        ev("notice_withdrawn", "AAA", "2021-02-01", withdraws="denunciation_notice"),
        kind="multilateral",
        parties=["AAA", "BBB", "EU"],
        entry_into_force={
            "later_of": [
                {"trigger": "instruments", "count": 2, "weight_share": 55},
                {"trigger": "date", "date": "2020-06-01"},
            ],
            "days_after": 90,
        },
        provisional_application={
            "from": "date",
            "date": "2019-01-01",
            "termination_effect_after": "P0D",
        },
        term={
            "initial": "P10Y",
            "renewal": "automatic",
            "renewal_period": "P5Y",
            "max_renewals": 3,
        },
        non_renewal={"notice_before_expiry": "P6M"},
        denunciation={
            "notice_by": "06-30",
            "effect": "next_calendar_year",
            "not_before": "P5Y",
            "ends": "party",
        },
        conventions={"effect": "day_after", "month_end": "roll_forward"},
        survival=[{"article": "9", "text": "Protection", "until": "P20Y"}],
    )
    assert parse_agreement_dict(spec_to_dict(spec), source="x") == spec


def test_an_event_round_trips_through_parse_event() -> None:
    spec = agreement()
    event = parse_event(
        {
            "kind": "non_renewal_notice",
            "party": "AAA",
            "received": "2026-01-05",
            "evidence": "note",
        },
        spec=spec,
        location="comity agreement record",
    )
    assert event == Event(
        kind="non_renewal_notice",
        party="AAA",
        received=PartialDate(2026, 1, 5),
        evidence="note",
    )
    assert parse_event(event_to_dict(event), spec=spec, location="x") == event


def _invalid(data: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_agreement_dict(data, source="bad.toml")
    return caught.value


def _with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def test_an_unknown_field_is_rejected_with_its_path() -> None:
    error = _invalid(_with(term={"initial": "P5Y", "renewel": "automatic"}))
    assert error.location == "bad.toml: term.renewel"
    assert error.message == "unknown field"
    assert error.code == "agreement.invalid_file"


def test_an_unknown_top_level_field_is_rejected() -> None:
    assert _invalid(_with(colour="blue")).location == "bad.toml: colour"


def test_a_bad_period_is_rejected_with_the_reason() -> None:
    error = _invalid(_with(term={"initial": "5 years"}))
    assert error.location == "bad.toml: term.initial"
    assert error.reason is not None
    assert "ISO 8601 duration" in error.reason


def test_a_bad_date_is_rejected() -> None:
    error = _invalid(_with(events=[ev("signature", "AAA", "2020-02-30")]))
    assert error.location == "bad.toml: events[0].date"


def test_a_date_with_a_time_of_day_is_rejected() -> None:
    text = (ROOT / "examples/agreements/tr-az-defence-industry-2017.toml").read_text()
    text = text.replace("date = 2017-10-31\n", "date = 2017-10-31T10:00:00\n", 1)
    with pytest.raises(InvalidInput, match="not a calendar date"):
        parse_agreement(text, source="x.toml")


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        (
            {
                "entry_into_force": {
                    "trigger": "signature",
                    "days_after": 30,
                    "after": "P1M",
                }
            },
            "entry_into_force.after",
            "cannot both apply",
        ),
        (
            {"entry_into_force": {"trigger": "signature", "date": "2020-01-01"}},
            "entry_into_force.date",
            "only goes with",
        ),
        (
            {"entry_into_force": {"trigger": "instruments", "count": 3}},
            "entry_into_force.count",
            "can never be deposited",
        ),
        (
            {"term": {"initial": "indefinite", "renewal": "automatic", "renewal_period": "P1Y"}},
            "term.renewal",
            "never renewed",
        ),
        (
            {"term": {"initial": "P5Y", "renewal": "automatic"}},
            "term.renewal_period",
            "needs a period",
        ),
        (
            {"term": {"initial": "P5Y"}, "non_renewal": {"notice_before_expiry": "P3M"}},
            "non_renewal.notice_before_expiry",
            'renewal = "automatic"',
        ),
        (
            {
                "term": {"initial": "P5Y", "renewal": "automatic", "renewal_period": "P1Y"},
                "non_renewal": {"notice_before_expiry": "P1Y"},
            },
            "non_renewal.notice_before_expiry",
            "does not fit",
        ),
        (
            {
                "denunciation": {
                    "effect_after": "P6M",
                    "notice_by": "06-30",
                    "effect": "next_calendar_year",
                }
            },
            "denunciation.effect",
            "cannot be combined",
        ),
        ({"denunciation": {"notice_by": "06-30"}}, "denunciation.effect", "calendar-year"),
        (
            {"denunciation": {"effect_after": "P6M", "ends": "party"}},
            "denunciation.ends",
            "multilateral",
        ),
        ({"kind": "bilateral", "parties": ["AAA", "BBB", "CCC"]}, "parties", "two"),
        ({"prevailing_language": "fr"}, "prevailing_language", "authentic_languages"),
        (
            {"events": [ev("signature", "AAA", "2020-01-01", dispatched="2020-01-01")]},
            "events[0].date",
            "not both",
        ),
        (
            {"events": [ev("notification", "AAA", dispatched="2020-01-10", received="2020-01-01")]},
            "events[0].received",
            "before dispatched",
        ),
        (
            {"events": [ev("signature", "AAA", "2020-01-01", step="approval")]},
            "events[0].step",
            "domestic_step",
        ),
    ],
)
def test_a_rule_that_contradicts_itself_is_rejected(
    changes: dict[str, Any], field: str, reason: str
) -> None:
    error = _invalid(_with(**changes))
    assert error.location == f"bad.toml: {field}"
    assert error.reason is not None
    assert reason in error.reason


def test_an_event_for_a_party_not_in_parties_is_rejected() -> None:
    error = _invalid(
        _with(events=[ev("signature", "AAA", "2020-01-01"), ev("signature", "XYZ", "2020-01-02")])
    )
    assert error.location == "bad.toml: events[1].party"
    assert error.reason == "not in parties (AAA, BBB)"
    assert "bad.toml: events[1].party" in error.one_line()


def test_a_notice_needs_its_party() -> None:
    assert _invalid(_with(events=[ev("denunciation_notice", None, "2020-01-01")])).location == (
        "bad.toml: events[0].party"
    )


def test_invalid_toml_names_the_file_and_line() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_agreement('id = "x"\nparties = [', source="broken.toml")
    assert caught.value.location == "broken.toml"
    assert caught.value.message == "not valid TOML"


def test_parse_event_checks_the_party_against_the_spec() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_event(
            {"kind": "signature", "party": "XYZ", "date": "2020-01-01"},
            spec=agreement(),
            location="record",
        )
    assert caught.value.location == "record: party"


def test_the_minimal_file_in_the_format_documentation_parses() -> None:
    doc = (ROOT / "docs/agreement-format.md").read_text(encoding="utf-8")
    block = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    spec = parse_agreement(block, source="docs/agreement-format.md")
    assert spec.id == "example-cooperation-2024"
    jsonschema.Draft202012Validator(SCHEMA).validate(_jsonable(tomllib.loads(block)))
