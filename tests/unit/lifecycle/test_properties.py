"""Laws of the engine, checked by hypothesis over random terms, conventions and events."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from comity.domain.lifecycle.engine import evaluate
from comity.domain.lifecycle.model import Period
from tests.unit.lifecycle.builders import agreement, ev, in_force

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
PERIODS = st.builds(
    lambda y, m, d: Period(y, m, d) if (y, m, d) != (0, 0, 0) else Period(days=1),
    st.integers(0, 6),
    st.integers(0, 18),
    st.integers(0, 40),
)
CONVENTIONS = st.fixed_dictionaries(
    {
        "effect": st.sampled_from(["on_date", "day_after"]),
        "month_end": st.sampled_from(["clamp", "roll_forward"]),
        "renewal_anchor": st.sampled_from(["entry_into_force", "previous_expiry"]),
        "notice_date": st.sampled_from(["receipt", "dispatch"]),
    }
)


def _renewing(
    start: date,
    initial: Period,
    renewal: Period,
    conventions: dict[str, str],
    *events: dict[str, Any],
) -> Any:
    return agreement(
        in_force(start.isoformat()),
        *events,
        term={"initial": str(initial), "renewal": "automatic", "renewal_period": str(renewal)},
        conventions=conventions,
    )


@settings(max_examples=150, deadline=None)
@given(DAYS, PERIODS, PERIODS, CONVENTIONS, st.integers(0, 3000))
def test_periods_tile_time_without_gaps_or_overlaps(
    start: date, initial: Period, renewal: Period, conventions: dict[str, str], later: int
) -> None:
    on = start + timedelta(days=later)
    state = evaluate(_renewing(start, initial, renewal, conventions), as_of=on)
    periods = state.periods
    assert periods[0].start == start
    for before, after in itertools.pairwise(periods):
        assert before.expiry == after.start
    for period in periods:
        assert period.expiry is not None
        assert period.start < period.expiry
        assert period.last_day == period.expiry - timedelta(days=1)
    assert state.current_period is not None
    assert state.current_period.start <= on <= (state.current_period.last_day or on)


@settings(max_examples=150, deadline=None)
@given(
    DAYS,
    CONVENTIONS,
    st.integers(1, 10),
    st.integers(1, 3),
    st.integers(1, 11),
    st.integers(0, 5000),
)
def test_a_timely_notice_is_never_later_than_the_periods_last_day(
    start: date,
    conventions: dict[str, str],
    years: int,
    renewal_years: int,
    notice_months: int,
    after: int,
) -> None:
    notice_on = start + timedelta(days=after)
    spec = agreement(
        in_force(start.isoformat()),
        ev("non_renewal_notice", "AAA", notice_on.isoformat()),
        term={
            "initial": f"P{years}Y",
            "renewal": "automatic",
            "renewal_period": f"P{renewal_years}Y",
        },
        non_renewal={"notice_before_expiry": f"P{notice_months}M"},
        conventions=conventions,
    )
    state = evaluate(spec, as_of=notice_on)
    termination = state.termination
    assert termination is not None
    assert termination.valid
    assert termination.effective is not None
    assert termination.last_day_in_force is not None
    assert notice_on <= termination.last_day_in_force
    if termination.timely:
        # A timely notice ends the very period it was given in.
        assert state.current_period is not None
        assert termination.effective == state.current_period.expiry
    else:
        assert state.current_period is not None
        assert termination.effective > (state.current_period.expiry or start)
    assert termination.effective in {p.expiry for p in state.periods}


EVENT_KINDS = st.sampled_from(
    [
        "signature",
        "notification",
        "non_renewal_notice",
        "denunciation_notice",
        "provisional_application_notice",
        "notice_withdrawn",
        "entry_into_force",
    ]
)


@st.composite
def _event(draw: st.DrawFn, low: date, high: date) -> dict[str, Any]:
    kind = draw(EVENT_KINDS)
    party = None if kind == "entry_into_force" else draw(st.sampled_from(["AAA", "BBB"]))
    on = draw(st.dates(min_value=low, max_value=high))
    if kind in ("notification", "non_renewal_notice", "denunciation_notice") and draw(
        st.booleans()
    ):
        lag = draw(st.integers(0, 60))
        return ev(
            kind, party, dispatched=on.isoformat(), received=(on + timedelta(days=lag)).isoformat()
        )
    return ev(kind, party, on.isoformat())


@settings(max_examples=150, deadline=None)
@given(st.data(), DAYS, CONVENTIONS)
def test_the_state_on_a_date_uses_only_events_up_to_that_date(
    data: st.DataObject, on: date, conventions: dict[str, str]
) -> None:
    past = data.draw(st.lists(_event(date(1985, 1, 1), on), max_size=6))
    future = data.draw(st.lists(_event(on + timedelta(days=1), date(2070, 1, 1)), max_size=4))
    sections: dict[str, Any] = {
        "entry_into_force": {"trigger": "last_notification", "days_after": 30},
        "term": {"initial": "P5Y", "renewal": "automatic", "renewal_period": "P1Y"},
        "non_renewal": {"notice_before_expiry": "P3M"},
        "denunciation": {"effect_after": "P6M", "not_before": "P1Y"},
        "provisional_application": {"from": "signature", "termination_effect_after": "P1M"},
        "conventions": conventions,
    }
    known = agreement(*past, **sections)
    everything = agreement(*past, *future, **sections)
    assert evaluate(everything, as_of=on).to_json() == evaluate(known, as_of=on).to_json()
