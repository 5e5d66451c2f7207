"""Terms, renewals, notices and status: C3–C8 and the convention switches."""

from __future__ import annotations

from typing import Any

from tests.unit.lifecycle.builders import agreement, ev, in_force, js, multilateral, state

RENEWING: dict[str, Any] = {
    "term": {"initial": "P5Y", "renewal": "automatic", "renewal_period": "P1Y"},
    "non_renewal": {"notice_before_expiry": "P3M"},
}


def renewing(*events: dict[str, Any], **sections: Any) -> Any:
    return agreement(in_force("2021-04-06"), *events, **{**RENEWING, **sections})


def _spans(data: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(p["start"], p["last_day"]) for p in data["periods"]]


# -- periods --------------------------------------------------------------------------------


def test_the_initial_term_ends_the_day_before_the_anniversary() -> None:
    """C4: 5 years from 6 Apr 2021: expiry 6 Apr 2026, last day 5 Apr 2026."""
    period = js(renewing(), "2021-05-01")["current_period"]
    assert (period["start"], period["last_day"], period["expiry"]) == (
        "2021-04-06",
        "2026-04-05",
        "2026-04-06",
    )


def test_periods_are_listed_up_to_the_one_after_the_current() -> None:
    data = js(renewing(), "2027-04-06")
    assert [p["index"] for p in data["periods"]] == [0, 1, 2, 3]
    assert data["current_period"]["index"] == 2


def test_renewals_anchored_on_entry_into_force_return_to_29_february() -> None:
    """S = 29 Feb 2020, 1-year periods: 28 Feb 2021, 2022, 2023, then 29 Feb 2024 (S + 4 y)."""
    spec = agreement(
        in_force("2020-02-29"),
        term={"initial": "P1Y", "renewal": "automatic", "renewal_period": "P1Y"},
    )
    expiries = [p["expiry"] for p in js(spec, "2023-03-01")["periods"]][:4]
    assert expiries == ["2021-02-28", "2022-02-28", "2023-02-28", "2024-02-29"]


def test_renewals_from_the_previous_expiry_drift_after_29_february() -> None:
    spec = agreement(
        in_force("2020-02-29"),
        term={"initial": "P1Y", "renewal": "automatic", "renewal_period": "P1Y"},
        conventions={"renewal_anchor": "previous_expiry"},
    )
    expiries = [p["expiry"] for p in js(spec, "2023-03-01")["periods"]][:4]
    assert expiries == ["2021-02-28", "2022-02-28", "2023-02-28", "2024-02-28"]


def test_month_end_roll_forward_moves_a_29_february_anniversary_to_1_march() -> None:
    spec = agreement(
        in_force("2020-02-29"),
        term={"initial": "P1Y", "renewal": "automatic", "renewal_period": "P1Y"},
        conventions={"month_end": "roll_forward"},
    )
    expiries = [p["expiry"] for p in js(spec, "2023-03-02")["periods"]][:4]
    assert expiries == ["2021-03-01", "2022-03-01", "2023-03-01", "2024-02-29"]


def test_six_month_periods_from_31_august_stay_anchored() -> None:
    """S = 31 Aug 2021: S+6M = 28 Feb 2022, S+12M = 31 Aug 2022 (anchored); iterative gives
    28 Feb 2022 + 6M = 28 Aug 2022."""
    term = {"initial": "P6M", "renewal": "automatic", "renewal_period": "P6M"}
    anchored = agreement(in_force("2021-08-31"), term=term)
    iterative = agreement(
        in_force("2021-08-31"), term=term, conventions={"renewal_anchor": "previous_expiry"}
    )
    assert [p["expiry"] for p in js(anchored, "2022-03-01")["periods"]][:2] == [
        "2022-02-28",
        "2022-08-31",
    ]
    assert [p["expiry"] for p in js(iterative, "2022-03-01")["periods"]][:2] == [
        "2022-02-28",
        "2022-08-28",
    ]


def test_an_indefinite_agreement_has_one_open_period() -> None:
    spec = agreement(in_force("2000-01-01"), term={"initial": "indefinite"})
    data = js(spec, "2050-01-01")
    assert _spans(data) == [("2000-01-01", None)]
    assert data["status"] == "in_force"
    assert data["non_renewal_deadline"] is None


def test_a_term_without_renewal_expires() -> None:
    spec = agreement(in_force("2020-01-01"), term={"initial": "P2Y"})
    assert js(spec, "2021-12-31")["status"] == "in_force"
    data = js(spec, "2022-01-01")
    assert data["status"] == "expired"
    assert data["current_period"] is None
    assert data["end"]["date"] == "2022-01-01"


def test_a_limited_number_of_renewals_then_expiry() -> None:
    """5 years + 2 renewals of 1 year from 1 Jan 2020: ends 1 Jan 2027 (S + 7 years)."""
    spec = agreement(
        in_force("2020-01-01"),
        term={"initial": "P5Y", "renewal": "automatic", "renewal_period": "P1Y", "max_renewals": 2},
        non_renewal={"notice_before_expiry": "P6M"},
    )
    assert js(spec, "2026-12-31")["status"] == "in_force"
    assert js(spec, "2026-12-31")["non_renewal_deadline"] is None  # nothing left to stop
    assert js(spec, "2027-01-01")["status"] == "expired"


def test_renewal_by_agreement_needs_a_recorded_renewal() -> None:
    term = {"initial": "P3Y", "renewal": "by_agreement", "renewal_period": "P3Y"}
    without = agreement(in_force("2020-01-01"), term=term)
    assert js(without, "2023-01-01")["status"] == "expired"
    renewed = agreement(
        in_force("2020-01-01"), ev("amendment", None, "2022-10-01", renewal=True), term=term
    )
    data = js(renewed, "2023-01-01")
    assert data["status"] == "in_force"
    assert data["current_period"]["last_day"] == "2025-12-31"


# -- non-renewal notices --------------------------------------------------------------------


def test_the_non_renewal_deadline_is_the_notice_period_before_the_last_day() -> None:
    """C5: last day 5 Apr 2026 − 3 months = 5 Jan 2026."""
    deadline = js(renewing(), "2025-06-01")["non_renewal_deadline"]
    assert deadline["date"] == "2026-01-05"
    assert deadline["period_index"] == 0


def test_a_timely_non_renewal_notice_ends_the_agreement_with_the_period() -> None:
    spec = renewing(ev("non_renewal_notice", "AAA", "2026-01-05"))
    pending = js(spec, "2026-02-01")
    assert pending["status"] == "termination_pending"
    assert pending["termination"]["timely"] is True
    assert pending["termination"]["effective"] == "2026-04-06"
    assert pending["termination"]["last_day_in_force"] == "2026-04-05"
    assert pending["non_renewal_deadline"] is None
    assert js(spec, "2026-04-05")["status"] == "termination_pending"
    assert js(spec, "2026-04-06")["status"] == "terminated"


def test_a_notice_one_day_late_takes_effect_a_period_later() -> None:
    spec = renewing(ev("non_renewal_notice", "AAA", "2026-01-06"))
    data = js(spec, "2026-02-01")
    assert data["termination"]["timely"] is False
    assert data["termination"]["effective"] == "2027-04-06"
    assert any("late" in w for w in data["warnings"])
    assert js(spec, "2026-05-01")["status"] == "termination_pending"
    assert js(spec, "2027-04-06")["status"] == "terminated"


def test_a_notice_dispatched_in_time_but_received_late_is_late_by_receipt() -> None:
    event = ev("non_renewal_notice", "AAA", dispatched="2026-01-04", received="2026-01-07")
    assert js(renewing(event), "2026-02-01")["termination"]["timely"] is False
    by_dispatch = renewing(event, conventions={"notice_date": "dispatch"})
    assert js(by_dispatch, "2026-02-01")["termination"]["timely"] is True


def test_a_notice_counts_only_once_received() -> None:
    event = ev("non_renewal_notice", "AAA", dispatched="2026-01-04", received="2026-01-07")
    data = js(renewing(event), "2026-01-05")
    assert data["status"] == "in_force"
    assert data["termination"]["valid"] is False
    assert "receipt is not recorded" in data["termination"]["reason"]


def test_a_withdrawn_notice_has_no_effect() -> None:
    spec = renewing(
        ev("non_renewal_notice", "AAA", "2026-01-02"),
        ev("notice_withdrawn", "AAA", "2026-02-01", withdraws="non_renewal_notice"),
    )
    assert js(spec, "2026-01-20")["status"] == "termination_pending"
    data = js(spec, "2026-02-01")
    assert data["status"] == "in_force"
    assert data["termination"] is None
    assert js(spec, "2026-04-06")["status"] == "in_force"


def test_a_withdrawal_after_the_effect_is_ignored() -> None:
    spec = renewing(
        ev("non_renewal_notice", "AAA", "2026-01-02"),
        ev("notice_withdrawn", "AAA", "2026-05-01"),
    )
    data = js(spec, "2026-06-01")
    assert data["status"] == "terminated"
    assert any("came after the notice took effect" in w for w in data["warnings"])


def test_a_notice_may_name_a_later_end_of_period() -> None:
    spec = renewing(ev("non_renewal_notice", "AAA", "2025-12-01", effective="2027-04-06"))
    assert js(spec, "2026-05-01")["termination"]["effective"] == "2027-04-06"


def test_a_notice_known_only_to_the_month_leaves_the_effect_unknown() -> None:
    data = js(renewing(ev("non_renewal_notice", "AAA", "2026-01")), "2026-02-15")
    assert data["termination"]["effective"] is None
    assert "known only to the month" in data["termination"]["reason"]
    assert data["status"] == "termination_pending"


def test_a_non_renewal_notice_without_renewal_is_not_valid() -> None:
    spec = agreement(in_force("2020-01-01"), ev("non_renewal_notice", "AAA", "2021-01-01"))
    data = js(spec, "2021-06-01")
    assert data["termination"]["valid"] is False
    assert data["status"] == "in_force"


def test_after_a_missed_deadline_the_next_one_is_upcoming() -> None:
    data = js(renewing(), "2026-02-01")
    assert data["non_renewal_deadline"]["date"] == "2026-01-05"
    upcoming = [d for d in data["deadlines"] if d["kind"] == "non_renewal_notice"]
    assert upcoming[0]["date"] == "2027-01-05"


# -- denunciation ---------------------------------------------------------------------------

DENOUNCEABLE: dict[str, Any] = {
    "term": {"initial": "indefinite"},
    "denunciation": {"effect_after": "P6M"},
}


def test_a_denunciation_takes_effect_the_period_after_receipt() -> None:
    """C3: received 31 Aug 2022 + 6 months = 28 Feb 2023 (clamp)."""
    spec = agreement(
        in_force("2020-01-01"), ev("denunciation_notice", "AAA", "2022-08-31"), **DENOUNCEABLE
    )
    data = js(spec, "2022-09-01")
    assert data["status"] == "termination_pending"
    assert data["termination"]["effective"] == "2023-02-28"
    assert data["termination"]["last_day_in_force"] == "2023-02-27"
    assert js(spec, "2023-02-28")["status"] == "terminated"


def test_civil_law_counting_ends_one_day_later() -> None:
    spec = agreement(
        in_force("2020-01-01"),
        ev("denunciation_notice", "AAA", "2022-08-31"),
        conventions={"effect": "day_after"},
        **DENOUNCEABLE,
    )
    assert js(spec, "2022-09-01")["termination"]["effective"] == "2023-03-01"


def test_a_denunciation_on_the_first_day_of_a_later_month() -> None:
    spec = agreement(
        in_force("2020-01-01"),
        ev("denunciation_notice", "AAA", "2022-08-31"),
        term={"initial": "indefinite"},
        denunciation={"effect_first_day_of_month": 6},
    )
    assert js(spec, "2022-09-01")["termination"]["effective"] == "2023-02-01"


def test_a_denunciation_before_the_lock_in_is_not_valid() -> None:
    """C6: not before 3 years from 4 Nov 2016 means as from 4 Nov 2019."""
    lock_in = {"effect_after": "P1Y", "not_before": "P3Y"}
    early = agreement(
        in_force("2016-11-04"),
        ev("denunciation_notice", "AAA", "2019-11-03"),
        term={"initial": "indefinite"},
        denunciation=lock_in,
    )
    data = js(early, "2020-01-01")
    assert data["termination"]["valid"] is False
    assert "as from 4 Nov 2019" in data["termination"]["reason"]
    assert data["status"] == "in_force"
    on_time = agreement(
        in_force("2016-11-04"),
        ev("denunciation_notice", "AAA", "2019-11-04"),
        term={"initial": "indefinite"},
        denunciation=lock_in,
    )
    assert js(on_time, "2020-01-01")["termination"]["effective"] == "2020-11-04"


def test_the_lock_in_end_is_an_upcoming_deadline() -> None:
    spec = agreement(
        in_force("2016-11-04"),
        term={"initial": "indefinite"},
        denunciation={"effect_after": "P1Y", "not_before": "P3Y"},
    )
    kinds = {d["kind"]: d["date"] for d in js(spec, "2018-01-01")["deadlines"]}
    assert kinds["denunciation_allowed"] == "2019-11-04"


def test_a_calendar_year_clause_on_or_before_30_june() -> None:
    clause = {"notice_by": "06-30", "effect": "next_calendar_year"}
    timely = agreement(
        in_force("2010-01-01"),
        ev("denunciation_notice", "AAA", "2020-06-30"),
        term={"initial": "indefinite"},
        denunciation=clause,
    )
    assert js(timely, "2020-07-01")["termination"]["effective"] == "2021-01-01"
    late = agreement(
        in_force("2010-01-01"),
        ev("denunciation_notice", "AAA", "2020-07-01"),
        term={"initial": "indefinite"},
        denunciation=clause,
    )
    data = js(late, "2020-07-02")
    assert (data["termination"]["timely"], data["termination"]["effective"]) == (
        False,
        "2022-01-01",
    )
    assert any("literal reading" in w for w in data["warnings"])


def test_the_earliest_of_two_routes_ends_the_agreement() -> None:
    """Non-renewal (end of period, 6 Apr 2026) vs denunciation (6 months after 1 Sep 2025 =
    1 Mar 2026): the denunciation ends it first."""
    spec = renewing(
        ev("non_renewal_notice", "AAA", "2025-09-01"),
        ev("denunciation_notice", "BBB", "2025-09-01"),
        denunciation={"effect_after": "P6M"},
    )
    data = js(spec, "2025-10-01")
    assert data["termination"]["kind"] == "denunciation"
    assert data["termination"]["effective"] == "2026-03-01"


def test_surviving_obligations_apply_after_termination() -> None:
    spec = agreement(
        in_force("2020-01-01"),
        ev("denunciation_notice", "AAA", "2022-01-10"),
        survival=[
            {"article": "9", "text": "Classified information stays protected."},
            {"article": "12", "text": "Guarantees", "until": "P2Y"},
        ],
        **DENOUNCEABLE,
    )
    before = js(spec, "2022-03-01")["surviving_obligations"]
    assert [s["active"] for s in before] == [False, False]
    after = js(spec, "2023-01-01")["surviving_obligations"]
    assert [s["active"] for s in after] == [True, True]
    assert after[1]["until_date"] == "2024-07-10"
    assert [s["active"] for s in js(spec, "2024-07-10")["surviving_obligations"]] == [True, False]


def test_a_multilateral_withdrawal_ends_only_that_party() -> None:
    spec = multilateral(
        ["AAA", "BBB", "CCC"],
        in_force("2016-11-04"),
        ev("denunciation_notice", "CCC", "2019-11-04"),
        term={"initial": "indefinite"},
        denunciation={
            "effect_after": "P1Y",
            "not_before": "P3Y",
            "not_before_from": "party_entry_into_force",
            "ends": "party",
        },
    )
    data = js(spec, "2020-11-04")
    assert data["status"] == "in_force"
    assert data["termination"] is None
    assert data["parties"]["CCC"]["withdrawal"]["effective"] == "2020-11-04"
    assert data["parties"]["AAA"]["withdrawal"] is None


# -- provisional application ----------------------------------------------------------------


def test_provisional_application_from_signature_until_entry_into_force() -> None:
    spec = agreement(
        ev("signature", "AAA", "2020-01-10"),
        ev("signature", "BBB", "2020-01-20"),
        ev("notification", "AAA", on="2020-06-01"),
        ev("notification", "BBB", on="2020-07-01"),
        entry_into_force={"trigger": "last_notification", "days_after": 30},
        provisional_application={"from": "signature"},
    )
    early = js(spec, "2020-03-01")
    assert early["status"] == "provisionally_applied"
    assert early["provisional_application"]["start"] == "2020-01-20"
    later = js(spec, "2020-08-01")
    assert later["status"] == "in_force"
    assert later["provisional_application"]["end"] == "2020-07-31"


def test_ending_provisional_application_by_notice() -> None:
    spec = agreement(
        ev("signature", "AAA", "2020-01-10"),
        ev("signature", "BBB", "2020-01-20"),
        ev("provisional_application_notice", "AAA", "2020-05-10"),
        entry_into_force={"trigger": "last_notification"},
        provisional_application={"from": "signature", "termination_effect_after": "P1M"},
    )
    assert js(spec, "2020-06-09")["status"] == "provisionally_applied"
    data = js(spec, "2020-06-10")
    assert data["status"] == "signed"
    assert data["provisional_application"]["end"] == "2020-06-10"


def test_practice_before_entry_into_force_is_recorded_as_provisional_application() -> None:
    spec = agreement(
        ev("signature", "AAA", "2017-10-31"),
        ev("signature", "BBB", "2017-10-31"),
        ev("provisional_application", None, "2019-01", evidence="first commission meeting"),
        entry_into_force={"trigger": "last_notification"},
    )
    assert js(spec, "2019-01-15")["status"] == "signed"
    data = js(spec, "2019-02-01")
    assert data["status"] == "provisionally_applied"
    assert data["provisional_application"]["start"] == "2019-01"


def test_the_as_of_date_is_in_the_state() -> None:
    assert state(renewing(), "2026-11-29").as_of.isoformat() == "2026-11-29"


def test_agreed_renewals_are_capped_by_max_renewals() -> None:
    term = {"initial": "P3Y", "renewal": "by_agreement", "renewal_period": "P3Y", "max_renewals": 1}
    spec = agreement(
        in_force("2020-01-01"),
        ev("amendment", None, "2022-10-01", renewal=True),
        ev("amendment", None, "2025-10-01", renewal=True),
        term=term,
    )
    assert js(spec, "2025-12-31")["status"] == "in_force"
    assert js(spec, "2026-01-01")["status"] == "expired"


def test_a_withdrawal_cannot_withdraw_a_later_notice() -> None:
    spec = renewing(
        ev("notice_withdrawn", "AAA", "2025-12-01"),
        ev("non_renewal_notice", "AAA", "2026-01-02"),
    )
    data = js(spec, "2026-02-01")
    assert data["status"] == "termination_pending"
    assert any("matches no notice" in w for w in data["warnings"])
