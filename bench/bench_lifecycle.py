"""Lifecycle evaluation speed: parsing an agreement file and evaluating it on a date.

Three workloads: parse the bundled TR–AZ file; evaluate it on 29 Nov 2026; evaluate a
multilateral treaty with 200 parties and deposits (per-party dates, a withdrawal) on a date.
Each benchmark checks its result first, so a figure is only reported for a correct evaluation.
Run with ``make bench``; figures go to docs/performance.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pytest_benchmark.fixture import BenchmarkFixture

from comity.domain.lifecycle.agreement_file import parse_agreement, parse_agreement_dict
from comity.domain.lifecycle.engine import evaluate
from comity.domain.lifecycle.model import AgreementSpec

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "examples/agreements/tr-az-defence-industry-2017.toml"
)
ON = date(2026, 11, 29)


def _example() -> AgreementSpec:
    return parse_agreement(EXAMPLE.read_text(encoding="utf-8"), source=EXAMPLE.name)


def _multilateral(parties: int) -> AgreementSpec:
    codes = [f"P{i:03d}" for i in range(parties)]
    events: list[dict[str, Any]] = [
        {
            "kind": "instrument_deposited",
            "party": code,
            "date": date(2000 + i // 20, 1 + i % 12, 1 + i % 28).isoformat(),
            "instrument": "ratification",
            "weight": 0.5,
        }
        for i, code in enumerate(codes)
    ]
    events.append({"kind": "denunciation_notice", "party": codes[0], "date": "2020-01-15"})
    data = {
        "id": "bench-multilateral",
        "title": {"en": "Benchmark"},
        "parties": codes,
        "kind": "multilateral",
        "authentic_languages": ["en"],
        "entry_into_force": {
            "trigger": "instruments",
            "count": 55,
            "weight_share": 25,
            "days_after": 30,
            "later_parties_days_after": 30,
        },
        "term": {"initial": "indefinite"},
        "denunciation": {"effect_after": "P1Y", "not_before": "P3Y", "ends": "party"},
        "events": events,
    }
    return parse_agreement_dict(data, source="bench")


def test_parse_the_founding_agreement_file(benchmark: BenchmarkFixture) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    spec = benchmark(parse_agreement, text, source=EXAMPLE.name)
    assert spec.id == "tr-az-defence-industry-2017"


def test_evaluate_the_founding_agreement(benchmark: BenchmarkFixture) -> None:
    spec = _example()
    state = benchmark(evaluate, spec, as_of=ON)
    assert state.non_renewal_deadline is not None
    assert state.non_renewal_deadline.date == date(2027, 1, 5)


def test_evaluate_a_200_party_treaty(benchmark: BenchmarkFixture) -> None:
    spec = _multilateral(200)
    state = benchmark(evaluate, spec, as_of=ON)
    assert state.status == "in_force"
    assert state.parties[0].withdrawal is not None
