"""Agreement services on SQLite: what a read costs when the state is derived on every read.

Workload: a migrated SQLite database in a temporary directory holding AGREEMENTS copies of the
founding agreement (`examples/agreements/tr-az-defence-industry-2017.toml`, ids renamed), each
with one recorded event. Measured: the state of one agreement on a date (read the row and its
events, parse the recorded events, evaluate; the stored TOML is parsed once, then served from
the cache keyed by its SHA-256), deadlines across all agreements, one iCalendar feed, and an
unchanged re-import (hash comparison; nothing written). Run with ``make bench``; figures go to
docs/performance.md ("Agreements in the database").
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.persistence import migrate
from comity.persistence.db import make_engine, write_session
from comity.services import lifecycle

AGREEMENTS = 200
TODAY = date(2026, 11, 29)
ACTOR = Actor.local_operator("bench")
FOUNDING_ID = "tr-az-defence-industry-2017"
FOUNDING = (
    Path(__file__).resolve().parents[1] / "examples" / "agreements" / f"{FOUNDING_ID}.toml"
).read_text(encoding="utf-8")
NOTICE = {
    "kind": "notification",
    "party": "AZE",
    "received": "2021-04-06",
    "evidence": "bench",
}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.db'}")
    migrate.upgrade(engine)
    now = datetime(2026, 11, 29, tzinfo=UTC)
    with write_session(engine) as setup, setup.begin():
        for i in range(AGREEMENTS):
            agreement_id = FOUNDING_ID if i == 0 else f"copy-{i:04d}"
            text = FOUNDING.replace(f'id = "{FOUNDING_ID}"', f'id = "{agreement_id}"')
            lifecycle.import_agreement(setup, ACTOR, text=text, source="bench", now=now)
            lifecycle.record_event(setup, ACTOR, agreement_id, event_fields=NOTICE, now=now)
    with write_session(engine) as reading, reading.begin():
        yield reading
    engine.dispose()


def test_state_of_one_agreement_on_a_date(benchmark: BenchmarkFixture, session: Session) -> None:
    state = benchmark(lifecycle.state_on, session, FOUNDING_ID, as_of=TODAY)
    assert state.status == "in_force"


def test_deadlines_across_all_agreements(benchmark: BenchmarkFixture, session: Session) -> None:
    found = benchmark(lifecycle.upcoming_deadlines, session, today=TODAY, within_days=365)
    assert len(found) == 2 * AGREEMENTS


def test_ics_feed_of_one_agreement(benchmark: BenchmarkFixture, session: Session) -> None:
    feed = benchmark(lifecycle.ics_feed, session, FOUNDING_ID, today=TODAY)
    assert feed.startswith(b"BEGIN:VCALENDAR")


def test_unchanged_reimport(benchmark: BenchmarkFixture, session: Session) -> None:
    result = benchmark(lifecycle.import_agreement, session, ACTOR, text=FOUNDING, source="bench")
    assert result.status == "unchanged"
