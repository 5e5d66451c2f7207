"""Access decisions per second: comity against Cedar (cedarpy) and Casbin (pycasbin).

One workload for every engine: 100,000 (subject, label) pairs drawn with a fixed seed from 1,000
people and 1,000 labels (labels and subjects are built once and reused, "interned"). The rule is
the agreement's read rule: a clearance valid today, at or above the label's classification, every
RESTRICTIVE value held (need-to-know compartments), and for each PERMISSIVE tag with values at
least one held ("Releasable To" is met by the person's nationality, "Programme" by a programme
membership). INFORMATIVE categories are carried but not enforced.

Benchmarks: comity's `decide` (the headline: fresh subject objects every round, interned
labels), `decide` with subjects kept warm, the label -> access-expression path, Cedar through
cedarpy (`is_authorized_batch`, batches of 1,000, policy set and entities parsed once), Casbin
through pycasbin (an ABAC model), and the rule as bare set operations (CPython's floor).

Every benchmark checks its decisions against a plain-Python oracle on all pairs, so the engines
are also a differential test of each other: a figure is only reported for an engine that agreed
on every pair. Run with ``make bench`` (``--benchmark-only``); figures go to docs/performance.md.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from comity.domain.security.access_expression import parse
from comity.domain.security.clearances import Clearance, NeedToKnowGrant, Subject
from comity.domain.security.decision import authorizations, decide
from comity.domain.security.labels import (
    NEED_TO_KNOW,
    RELEASABLE_TO,
    Category,
    Label,
    TagType,
    category_key,
    to_access_expression,
)

SEED = 20261129
PAIRS = 100_000
PEOPLE = 1_000
LABELS = 1_000
TODAY = date(2026, 11, 29)
EPOCH = date(1970, 1, 1)

LEVELS = ["RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]  # hierarchy 1..4
NATIONALITIES = ["TUR", "AZE", "GBR"]
COMPARTMENTS = ["ATOMAL", "CRYPTO", "SIGMA", "BALTIC", "HORIZON"]
PROGRAMMES = ["UAV", "RADAR", "NAVAL", "SPACE", "TRAINING", "LOGISTICS"]
RELEASABILITY = [("TUR", "AZE"), ("TUR", "AZE"), ("TUR",), ("AZE",), ("TUR", "AZE", "GBR"), ()]


# --- the workload -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: str
    nationality: str
    level: int  # 1..4; the clearance's classification hierarchy number
    valid_from: date
    valid_until: date
    compartments: frozenset[str]
    programmes: frozenset[str]


@dataclass(frozen=True)
class Document:
    id: str
    level: int
    restrictive: frozenset[str]  # need-to-know compartments: hold every one
    releasable_to: frozenset[str]  # permissive: the person's nationality must be one
    programmes: frozenset[str]  # permissive: hold at least one
    informative: frozenset[str]


@dataclass(frozen=True)
class Workload:
    people: list[Person]
    documents: list[Document]
    pairs: list[tuple[int, int]]


def _sample(rng: random.Random, values: Sequence[str], low: int, high: int) -> frozenset[str]:
    return frozenset(rng.sample(list(values), rng.randint(low, high)))


def make_workload(seed: int = SEED) -> Workload:
    """Deterministic people, documents and pairs; about a quarter of the pairs are allowed."""
    rng = random.Random(seed)
    people = []
    for n in range(PEOPLE):
        start = TODAY - timedelta(days=rng.randint(30, 5 * 365))
        # One clearance in ten has lapsed, one in fifty starts in the future.
        roll = rng.random()
        if roll < 0.10:
            until = TODAY - timedelta(days=rng.randint(1, 400))
            start = until - timedelta(days=rng.randint(30, 5 * 365))
        elif roll < 0.12:
            start, until = TODAY + timedelta(days=rng.randint(1, 60)), TODAY + timedelta(days=900)
        else:
            until = TODAY + timedelta(days=rng.randint(0, 5 * 365))
        people.append(
            Person(
                id=f"p{n:04d}",
                nationality=rng.choices(NATIONALITIES, weights=[45, 45, 10])[0],
                level=rng.choices([1, 2, 3, 4], weights=[20, 35, 30, 15])[0],
                valid_from=start,
                valid_until=until,
                compartments=_sample(rng, COMPARTMENTS, 0, 3),
                programmes=_sample(rng, PROGRAMMES, 0, 3),
            )
        )
    documents = []
    for n in range(LABELS):
        documents.append(
            Document(
                id=f"d{n:04d}",
                level=rng.choices([1, 2, 3, 4], weights=[30, 35, 25, 10])[0],
                restrictive=_sample(rng, COMPARTMENTS, 0, 1) if rng.random() < 0.4 else frozenset(),
                releasable_to=frozenset(rng.choice(RELEASABILITY)),
                programmes=_sample(rng, PROGRAMMES, 1, 3) if rng.random() < 0.5 else frozenset(),
                informative=frozenset({"STAFF"}) if rng.random() < 0.2 else frozenset(),
            )
        )
    pairs = [(rng.randrange(PEOPLE), rng.randrange(LABELS)) for _ in range(PAIRS)]
    return Workload(people, documents, pairs)


def oracle(person: Person, document: Document, today: date) -> bool:
    """The rule in its plainest form; every engine must agree with it on every pair."""
    return (
        person.valid_from <= today <= person.valid_until
        and person.level >= document.level
        and document.restrictive <= person.compartments
        and (not document.releasable_to or person.nationality in document.releasable_to)
        and (not document.programmes or not document.programmes.isdisjoint(person.programmes))
    )


@pytest.fixture(scope="module")
def workload() -> Workload:
    return make_workload()


@pytest.fixture(scope="module")
def expected(workload: Workload) -> list[bool]:
    people, documents = workload.people, workload.documents
    return [oracle(people[p], documents[d], TODAY) for p, d in workload.pairs]


def _measure(
    benchmark: BenchmarkFixture,
    run: Callable[..., list[bool]],
    rounds: int,
    setup: Callable[[], tuple[tuple[Any, ...], dict[str, Any]]] | None = None,
) -> list[bool]:
    # pytest-benchmark's pedantic() is untyped; one typed door keeps the benchmarks strict.
    pedantic: Callable[..., list[bool]] = benchmark.pedantic
    warmup = 1 if rounds > 3 and setup is None else 0
    return pedantic(run, setup=setup, rounds=rounds, iterations=1, warmup_rounds=warmup)


def _report(benchmark: BenchmarkFixture, decisions: list[bool], expected: list[bool]) -> None:
    # The differential check: an engine's figure counts only if it agreed on every pair.
    disagreements = sum(1 for got, want in zip(decisions, expected, strict=True) if got != want)
    assert disagreements == 0, f"{disagreements} of {len(expected)} decisions disagree"
    benchmark.extra_info["pairs"] = len(expected)
    benchmark.extra_info["allowed"] = sum(expected)
    stats = benchmark.stats
    if stats is not None:
        # Median and best round: the machine is shared, so the mean mostly measures neighbours.
        benchmark.extra_info["decisions_per_second_median"] = round(
            len(expected) / stats.stats.median
        )
        benchmark.extra_info["decisions_per_second_best"] = round(len(expected) / stats.stats.min)


# --- comity ----------------------------------------------------------------------------------
#
# The same people and documents as comity values: a clearance under the agreement's scheme
# (its level and every lower one, programme memberships as held category values), one
# need-to-know grant per compartment, and interned labels (`Label.of`).

POLICY = "TR-AZ-2017"
PROGRAMME = "Programme"
ADMINISTRATIVE = "Administrative"


def comity_subject(person: Person) -> Subject:
    clearance = Clearance(
        person=person.id,
        policy=POLICY,
        classifications=frozenset(LEVELS[: person.level]),
        nationality=person.nationality,
        issuing_authority=f"{person.nationality}-NSA",
        valid_from=person.valid_from,
        valid_until=person.valid_until,
        categories=frozenset(category_key(PROGRAMME, p) for p in person.programmes),
        level=LEVELS[person.level - 1],
    )
    grants = tuple(
        NeedToKnowGrant(
            person=person.id,
            compartment=compartment,
            granted_by=f"{person.nationality}-NSA",
            valid_until=person.valid_until,
            reason="project work",
        )
        for compartment in sorted(person.compartments)
    )
    return Subject(person.id, person.nationality, (clearance,), grants)


def comity_label(document: Document) -> Label:
    categories = [
        Category.of(tag, kind, values)
        for tag, kind, values in (
            (NEED_TO_KNOW, TagType.RESTRICTIVE, document.restrictive),
            (RELEASABLE_TO, TagType.PERMISSIVE, document.releasable_to),
            (PROGRAMME, TagType.PERMISSIVE, document.programmes),
            (ADMINISTRATIVE, TagType.INFORMATIVE, document.informative),
        )
        if values
    ]
    return Label.of(POLICY, LEVELS[document.level - 1], categories)


def test_comity_decide(
    benchmark: BenchmarkFixture, workload: Workload, expected: list[bool]
) -> None:
    """The headline: `decide` on interned labels, with fresh subject objects every round, so
    each round also builds every person's view of the day (nothing carries over a round)."""
    labels = [comity_label(d) for d in workload.documents]
    today = TODAY

    def fresh_pairs() -> tuple[tuple[Any, ...], dict[str, Any]]:
        subjects = [comity_subject(p) for p in workload.people]
        return ([(subjects[p], labels[d]) for p, d in workload.pairs],), {}

    def run(pairs: list[tuple[Subject, Label]]) -> list[bool]:
        return [decide(subject, label, "read", today=today).allowed for subject, label in pairs]

    decisions = _measure(benchmark, run, rounds=20, setup=fresh_pairs)
    _report(benchmark, decisions, expected)


def test_comity_decide_warm_subjects(
    benchmark: BenchmarkFixture, workload: Workload, expected: list[bool]
) -> None:
    """`decide` with subjects reused across rounds too (views cached from the warm-up round)."""
    subjects = [comity_subject(p) for p in workload.people]
    labels = [comity_label(d) for d in workload.documents]
    pairs = [(subjects[p], labels[d]) for p, d in workload.pairs]
    today = TODAY

    def run() -> list[bool]:
        return [decide(subject, label, "read", today=today).allowed for subject, label in pairs]

    decisions = _measure(benchmark, run, rounds=20)
    _report(benchmark, decisions, expected)


def test_comity_access_expressions(
    benchmark: BenchmarkFixture, workload: Workload, expected: list[bool]
) -> None:
    """The label -> access-expression path: each label's expression compiled once, each
    subject's authorizations for the day one frozenset."""
    subjects = [comity_subject(p) for p in workload.people]
    checks = [parse(to_access_expression(comity_label(d))).compile() for d in workload.documents]
    held = [authorizations(s, today=TODAY) for s in subjects]
    pairs = workload.pairs

    def run() -> list[bool]:
        return [checks[d](held[p]) for p, d in pairs]

    decisions = _measure(benchmark, run, rounds=20)
    _report(benchmark, decisions, expected)


def test_plain_python_oracle(
    benchmark: BenchmarkFixture, workload: Workload, expected: list[bool]
) -> None:
    """The rule as bare set operations on the workload's own records: the floor of CPython."""
    pairs = [(workload.people[p], workload.documents[d]) for p, d in workload.pairs]
    today = TODAY

    def run() -> list[bool]:
        return [oracle(person, document, today) for person, document in pairs]

    decisions = _measure(benchmark, run, rounds=20)
    _report(benchmark, decisions, expected)


# --- Cedar (cedarpy) --------------------------------------------------------------------------

CEDAR_POLICY = """
permit (principal is User, action == Action::"read", resource is Doc)
when {
  principal.valid_from <= context.today && context.today <= principal.valid_until &&
  principal.level >= resource.level &&
  principal.compartments.containsAll(resource.restrictive) &&
  (resource.releasable_to.isEmpty() || resource.releasable_to.contains(principal.nationality)) &&
  (resource.programmes.isEmpty() || principal.programmes.containsAny(resource.programmes))
};
"""
CEDAR_BATCH = 1_000  # cedarpy's fastest batch size on this machine (reference note §5)


def _days(day: date) -> int:
    return (day - EPOCH).days


def cedar_entities(workload: Workload) -> list[dict[str, Any]]:
    entities: list[dict[str, Any]] = []
    for person in workload.people:
        attrs = {
            "nationality": person.nationality,
            "level": person.level,
            "valid_from": _days(person.valid_from),
            "valid_until": _days(person.valid_until),
            "compartments": sorted(person.compartments),
            "programmes": sorted(person.programmes),
        }
        entities.append({"uid": {"type": "User", "id": person.id}, "attrs": attrs, "parents": []})
    for document in workload.documents:
        attrs = {
            "level": document.level,
            "restrictive": sorted(document.restrictive),
            "releasable_to": sorted(document.releasable_to),
            "programmes": sorted(document.programmes),
            "informative": sorted(document.informative),
        }
        entities.append({"uid": {"type": "Doc", "id": document.id}, "attrs": attrs, "parents": []})
    return entities


def test_cedar(benchmark: BenchmarkFixture, workload: Workload, expected: list[bool]) -> None:
    import cedarpy

    policies = cedarpy.PolicySet.from_str(CEDAR_POLICY)
    entities = cedarpy.Entities.from_json_str(json.dumps(cedar_entities(workload)))
    context = {"today": _days(TODAY)}
    requests = [
        {
            "principal": f'User::"{workload.people[p].id}"',
            "action": 'Action::"read"',
            "resource": f'Doc::"{workload.documents[d].id}"',
            "context": context,
        }
        for p, d in workload.pairs
    ]
    batches = [requests[i : i + CEDAR_BATCH] for i in range(0, len(requests), CEDAR_BATCH)]

    def run() -> list[bool]:
        decisions: list[bool] = []
        for batch in batches:
            results = cedarpy.is_authorized_batch(batch, policies, entities)
            decisions.extend(result.allowed for result in results)
        return decisions

    decisions = _measure(benchmark, run, rounds=3)
    _report(benchmark, decisions, expected)


# --- Casbin (pycasbin) ------------------------------------------------------------------------
#
# An ABAC model: the matcher reads the subject's and object's attributes; the set operations
# Casbin's expression language lacks are registered functions, as Casbin's documentation suggests.

CASBIN_MODEL = """
[request_definition]
r = sub, obj, act, today

[policy_definition]
p = act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && r.sub.valid_from <= r.today && r.today <= r.sub.valid_until \
&& r.sub.level >= r.obj.level && holds_all(r.sub.compartments, r.obj.restrictive) \
&& releasable(r.sub.nationality, r.obj.releasable_to) \
&& holds_any_or_none(r.sub.programmes, r.obj.programmes)
"""


def _holds_all(held: frozenset[str], required: frozenset[str]) -> bool:
    return required <= held


def _releasable(nationality: str, releasable_to: frozenset[str]) -> bool:
    return not releasable_to or nationality in releasable_to


def _holds_any_or_none(held: frozenset[str], allowed: frozenset[str]) -> bool:
    return not allowed or not allowed.isdisjoint(held)


def casbin_enforcer() -> Any:
    import casbin
    from casbin.model import Model

    model = Model()
    model.load_model_from_text(CASBIN_MODEL)
    enforcer = casbin.Enforcer(model)
    enforcer.add_function("holds_all", _holds_all)
    enforcer.add_function("releasable", _releasable)
    enforcer.add_function("holds_any_or_none", _holds_any_or_none)
    enforcer.add_policy("read")
    return enforcer


def test_casbin(benchmark: BenchmarkFixture, workload: Workload, expected: list[bool]) -> None:
    enforcer = casbin_enforcer()
    subjects = [SimpleNamespace(**vars(p)) for p in workload.people]
    objects = [SimpleNamespace(**vars(d)) for d in workload.documents]
    pairs = workload.pairs
    enforce: Callable[..., bool] = enforcer.enforce

    def run() -> list[bool]:
        return [enforce(subjects[p], objects[d], "read", TODAY) for p, d in pairs]

    decisions = _measure(benchmark, run, rounds=3)
    _report(benchmark, decisions, expected)
