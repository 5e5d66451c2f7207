"""Entry-into-force rules: every trigger, every offset, later_of, thresholds, per-party dates,
recorded vs computed dates, and dates known only to the month."""

from __future__ import annotations

from tests.unit.lifecycle.builders import agreement, ev, in_force, js, multilateral, signed


def test_the_last_signature_triggers_entry_into_force() -> None:
    spec = agreement(ev("signature", "AAA", "2020-01-15"), ev("signature", "BBB", "2020-02-03"))
    eif = js(spec, "2020-02-03")["entry_into_force"]
    assert eif["date"] == "2020-02-03"
    assert eif["basis"] == "computed"
    assert "signed by BBB on 3 Feb 2020" in eif["explanation"]


def test_an_agreement_signed_by_one_party_only_is_not_in_force() -> None:
    spec = agreement(ev("signature", "AAA", "2020-01-15"))
    state = js(spec, "2021-01-01")
    assert state["status"] == "signed"
    assert state["entry_into_force"]["date"] is None
    assert "no signature by BBB" in state["entry_into_force"]["explanation"]


def test_nothing_recorded_means_unsigned() -> None:
    assert js(agreement(), "2021-01-01")["status"] == "unsigned"


def test_a_fixed_date_trigger() -> None:
    spec = agreement(
        *signed("2021-06-01"), entry_into_force={"trigger": "date", "date": "2022-01-01"}
    )
    assert js(spec, "2021-12-31")["status"] == "signed"
    assert js(spec, "2022-01-01")["status"] == "in_force"


def test_days_after_counts_from_the_day_after_the_event() -> None:
    """C1: 30 days after 15 Jan 2020 is 14 Feb 2020 (15 Jan itself is not counted)."""
    spec = agreement(
        *signed("2020-01-15"), entry_into_force={"trigger": "signature", "days_after": 30}
    )
    assert js(spec, "2020-02-14")["entry_into_force"]["date"] == "2020-02-14"
    assert js(spec, "2020-02-13")["status"] == "signed"


def test_last_notification_counts_receipt_by_default() -> None:
    """Received 10 Mar and 20 Mar 2021: the later receipt + 30 days = 19 Apr 2021."""
    spec = agreement(
        ev("notification", "AAA", dispatched="2021-03-01", received="2021-03-10"),
        ev("notification", "BBB", dispatched="2021-03-15", received="2021-03-20"),
        entry_into_force={"trigger": "last_notification", "days_after": 30},
    )
    assert js(spec, "2021-05-01")["entry_into_force"]["date"] == "2021-04-19"


def test_last_notification_counts_dispatch_when_the_convention_says_so() -> None:
    """Dispatched 1 Mar and 15 Mar 2021: 15 Mar + 30 days = 14 Apr 2021."""
    spec = agreement(
        ev("notification", "AAA", dispatched="2021-03-01", received="2021-03-10"),
        ev("notification", "BBB", dispatched="2021-03-15", received="2021-03-20"),
        entry_into_force={"trigger": "last_notification", "days_after": 30},
        conventions={"notice_date": "dispatch"},
    )
    assert js(spec, "2021-05-01")["entry_into_force"]["date"] == "2021-04-14"


def test_a_notification_not_yet_received_does_not_count() -> None:
    spec = agreement(
        ev("notification", "AAA", on="2021-03-01"),
        ev("notification", "BBB", dispatched="2021-03-15"),
        entry_into_force={"trigger": "last_notification"},
    )
    eif = js(spec, "2021-05-01")["entry_into_force"]
    assert eif["date"] is None
    assert "receipt is not recorded" in eif["explanation"]


def test_first_day_of_the_month_following_even_from_the_first_of_a_month() -> None:
    """C2: k = 1 from 20 Mar or from 1 Mar is 1 Apr; k = 2 from 20 Mar is 1 May."""
    for received, k, expected in (
        ("2021-03-20", 1, "2021-04-01"),
        ("2021-03-01", 1, "2021-04-01"),
        ("2021-03-20", 2, "2021-05-01"),
        ("2021-12-31", 1, "2022-01-01"),
    ):
        spec = agreement(
            ev("notification", "AAA", on="2021-01-05"),
            ev("notification", "BBB", on=received),
            entry_into_force={"trigger": "last_notification", "first_day_of_month": k},
        )
        assert js(spec, "2022-06-01")["entry_into_force"]["date"] == expected


def test_a_period_offset_follows_the_effect_and_month_end_conventions() -> None:
    """31 Jan 2021 + 3 months: 30 Apr (on_date, clamp); 1 May (day_after); 1 May (roll)."""
    rule = {"trigger": "signature", "after": "P3M"}
    cases: tuple[tuple[dict[str, str], str], ...] = (
        ({}, "2021-04-30"),
        ({"effect": "day_after"}, "2021-05-01"),
    )
    for conventions, expected in (*cases, ({"month_end": "roll_forward"}, "2021-05-01")):
        spec = agreement(*signed("2021-01-31"), entry_into_force=rule, conventions=conventions)
        assert js(spec, "2021-06-01")["entry_into_force"]["date"] == expected


def test_later_of_takes_the_later_sub_rule_then_its_own_offset() -> None:
    """Signed 10 May 2020 (+30 days = 9 Jun) vs fixed 1 Jun 2020: the later is 9 Jun."""
    spec = agreement(
        *signed("2020-05-10"),
        entry_into_force={
            "later_of": [
                {"trigger": "signature", "days_after": 30},
                {"trigger": "date", "date": "2020-06-01"},
            ]
        },
    )
    eif = js(spec, "2020-07-01")["entry_into_force"]
    assert eif["date"] == "2020-06-09"
    assert eif["explanation"].startswith("9 Jun 2020: the later of")


def test_later_of_waits_for_every_sub_rule() -> None:
    spec = agreement(
        ev("signature", "AAA", "2020-05-10"),
        entry_into_force={
            "later_of": [{"trigger": "signature"}, {"trigger": "date", "date": "2020-06-01"}]
        },
    )
    assert js(spec, "2020-07-01")["entry_into_force"]["date"] is None


PARTIES = ["AAA", "BBB", "CCC", "DDD", "EEE"]


def _deposits() -> list[dict[str, object]]:
    return [
        ev("instrument_deposited", "AAA", "2020-01-10", instrument="ratification"),
        ev("instrument_deposited", "BBB", "2020-02-10", instrument="acceptance"),
        ev("instrument_deposited", "CCC", "2020-03-10", instrument="approval"),
        ev("instrument_deposited", "DDD", "2020-05-01", instrument="ratification"),
        ev("instrument_deposited", "EEE", "2020-07-01", instrument="accession"),
    ]


def test_the_count_th_instrument_sets_entry_into_force_and_later_parties_get_their_own_date() -> (
    None
):
    """3rd instrument 10 Mar 2020 + 90 days = 8 Jun 2020 (21 + 30 + 31 + 8 days).
    DDD deposited 1 May (after the threshold): 1 May + 30 = 31 May, before 8 Jun, so 8 Jun.
    EEE deposited 1 Jul: 1 Jul + 30 days = 31 Jul 2020."""
    spec = multilateral(
        PARTIES,
        *_deposits(),
        entry_into_force={
            "trigger": "instruments",
            "count": 3,
            "days_after": 90,
            "later_parties_days_after": 30,
        },
    )
    state = js(spec, "2020-12-31")
    assert state["entry_into_force"]["date"] == "2020-06-08"
    parties = state["parties"]
    assert [parties[p]["entry_into_force"] for p in PARTIES] == [
        "2020-06-08",
        "2020-06-08",
        "2020-06-08",
        "2020-06-08",
        "2020-07-31",
    ]
    assert "its deposit on 1 Jul 2020" in parties["EEE"]["reason"]


def test_later_parties_on_the_first_day_of_a_month() -> None:
    """Council of Europe style: EEE deposits 1 Jul 2020 → first day of the 4th month = 1 Nov."""
    spec = multilateral(
        PARTIES,
        *_deposits(),
        entry_into_force={
            "trigger": "instruments",
            "count": 3,
            "first_day_of_month": 4,
            "later_parties_first_day_of_month": 4,
        },
    )
    state = js(spec, "2021-01-01")
    assert state["entry_into_force"]["date"] == "2020-07-01"
    assert state["parties"]["EEE"]["entry_into_force"] == "2020-11-01"


def test_a_party_without_an_instrument_is_not_bound() -> None:
    spec = multilateral(
        PARTIES, *_deposits()[:3], entry_into_force={"trigger": "instruments", "count": 3}
    )
    state = js(spec, "2021-01-01")
    assert state["parties"]["DDD"]["entry_into_force"] is None
    assert "has not deposited" in state["parties"]["DDD"]["reason"]


def test_a_weighted_threshold_needs_both_the_count_and_the_share() -> None:
    """Count 2 is reached on 10 Feb, but the weights reach 55 % only with CCC on 10 Mar."""
    events = _deposits()
    for event, weight in zip(events, (30, 20, 10, 5, 5), strict=True):
        event["weight"] = weight
    spec = multilateral(
        PARTIES,
        *events,
        entry_into_force={"trigger": "instruments", "count": 2, "weight_share": 55},
    )
    eif = js(spec, "2020-12-31")["entry_into_force"]
    assert eif["date"] == "2020-03-10"
    assert "60 % of the weight" in eif["explanation"]


def test_without_a_count_every_party_must_deposit() -> None:
    spec = agreement(
        ev("instrument_deposited", "AAA", "2020-01-10", instrument="ratification"),
        entry_into_force={"trigger": "instruments"},
    )
    assert "1 of 2 instruments" in js(spec, "2021-01-01")["entry_into_force"]["explanation"]


def test_a_recorded_date_wins_over_the_computed_one_with_a_warning() -> None:
    spec = agreement(*signed("2020-01-15"), in_force("2020-03-01"))
    state = js(spec, "2020-06-01")
    eif = state["entry_into_force"]
    assert (eif["date"], eif["basis"], eif["computed"]) == ("2020-03-01", "recorded", "2020-01-15")
    assert any("differs from the computed" in w for w in state["warnings"])


def test_a_recorded_date_equal_to_the_computed_one_raises_no_warning() -> None:
    spec = agreement(*signed("2020-01-15"), in_force("2020-01-15"))
    assert js(spec, "2020-06-01")["warnings"] == []


def test_a_signature_known_only_to_the_month_makes_entry_into_force_unknown() -> None:
    spec = agreement(ev("signature", "AAA", "2020-01-15"), ev("signature", "BBB", "2020-02"))
    state = js(spec, "2020-06-01")
    assert state["entry_into_force"]["date"] is None
    assert "known only to the month (2020-02)" in state["entry_into_force"]["explanation"]
    assert any("cannot be computed" in w for w in state["warnings"])
    assert state["status"] == "signed"


def test_a_month_only_date_is_not_counted_before_the_month_is_over() -> None:
    spec = agreement(ev("signature", "AAA", "2020-01-15"), ev("signature", "BBB", "2020-02"))
    state = js(spec, "2020-02-10")
    assert any("may or may not have happened" in w for w in state["warnings"])
    assert "no signature by BBB" in state["entry_into_force"]["explanation"]


def test_a_recorded_date_known_only_to_the_month_leaves_the_date_unknown() -> None:
    spec = agreement(*signed("2020-01-15"), in_force("2020-02"))
    eif = js(spec, "2020-06-01")["entry_into_force"]
    assert eif["date"] is None
    assert "day unknown" in eif["explanation"]


def test_a_recorded_date_on_a_domestic_step_warns_that_approval_is_not_entry_into_force() -> None:
    spec = agreement(
        *signed("2017-10-31"),
        ev("domestic_step", "AAA", "2021-04-06", step="publication"),
        in_force("2021-04-06"),
        entry_into_force={"trigger": "last_notification"},
    )
    warnings = js(spec, "2022-01-01")["warnings"]
    assert any("domestic approval is not entry into force" in w for w in warnings)


def test_a_future_entry_into_force_is_an_upcoming_deadline() -> None:
    spec = agreement(
        *signed("2020-01-15"), entry_into_force={"trigger": "signature", "days_after": 30}
    )
    state = js(spec, "2020-01-20")
    assert state["status"] == "signed"
    assert state["deadlines"][0]["date"] == "2020-02-14"
    assert state["deadlines"][0]["kind"] == "entry_into_force"
