"""Agreement services on a migrated database (SQLite and PostgreSQL): import, events, state,
deadlines, the iCalendar feed, executing bodies, the audit trail and authorisation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import icalendar
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.errors import AccessDenied, Conflict, InvalidInput, NotFound
from comity.persistence.models.audit import AuditLeaf
from comity.persistence.models.lifecycle import Agreement, AgreementEvent, ExecutingBody
from comity.services import lifecycle
from tests.integration.lifecycle.samples import (
    COOPERATION,
    MEMBER,
    NOW,
    OFFICER,
    SCIENCE,
    TUR_NOTIFICATION,
)

TODAY = date(2026, 11, 29)


def _import(session: Session, text: str = COOPERATION) -> lifecycle.ImportResult:
    return lifecycle.import_agreement(session, OFFICER, text=text, source="test.toml", now=NOW)


def _in_force(session: Session) -> None:
    _import(session)
    lifecycle.record_event(
        session, OFFICER, "tr-az-cooperation", event_fields=TUR_NOTIFICATION, now=NOW
    )


def _leaf_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditLeaf)) or 0


def _new_leaves(session: Session, since: int) -> list[tuple[str, str, str]]:
    rows = session.scalars(
        select(AuditLeaf).where(AuditLeaf.index >= since).order_by(AuditLeaf.index)
    )
    return [(leaf.action, leaf.record_type, leaf.record_id) for leaf in rows]


# --------------------------------------------------------------------------------------------
# Import


def test_importing_a_new_agreement_keeps_its_exact_text_and_hash(db_session: Session) -> None:
    result = _import(db_session)
    assert result.status == "created"
    stored = db_session.get(Agreement, "tr-az-cooperation")
    assert stored is not None
    assert stored.source_text == COOPERATION
    assert stored.source_sha256 == result.sha256
    assert stored.parties == ["TUR", "AZE"]
    assert stored.title["tr"] == "İşbirliği anlaşması"


def test_importing_the_same_text_again_is_unchanged_and_writes_nothing(
    db_session: Session,
) -> None:
    _import(db_session)
    leaves = _leaf_count(db_session)
    again = _import(db_session)
    assert again.status == "unchanged"
    assert again.changes == ()
    assert _leaf_count(db_session) == leaves


def test_reimporting_changed_content_lists_each_changed_field_and_stores_it(
    db_session: Session,
) -> None:
    _import(db_session)
    changed_text = COOPERATION.replace('initial = "P5Y"', 'initial = "P6Y"') + (
        '\n[[events]]\nkind = "notification"\nparty = "TUR"\nreceived = 2021-04-06\n'
        'evidence = "note verbale 2"\n'
    )
    result = _import(db_session, changed_text)
    assert result.status == "changed"
    by_path = {change.path: change for change in result.changes}
    assert set(by_path) == {"term.initial", "events[3]"}
    assert (by_path["term.initial"].before, by_path["term.initial"].after) == ("P5Y", "P6Y")
    assert by_path["events[3]"].kind == "added"
    assert by_path["events[3]"].after["party"] == "TUR"
    stored = db_session.get(Agreement, "tr-az-cooperation")
    assert stored is not None
    assert stored.source_text == changed_text
    state = lifecycle.state_on(db_session, "tr-az-cooperation", as_of=TODAY)
    assert state.current_period is not None
    assert state.current_period.index == 0  # six years from 6 Apr 2021: still the first term


def test_a_reimport_that_changes_only_comments_reports_no_changed_field(
    db_session: Session,
) -> None:
    _import(db_session)
    result = _import(db_session, "# reviewed 2026-11-29\n" + COOPERATION)
    assert result.status == "changed"
    assert result.changes == ()


def test_a_reimport_that_drops_a_party_with_recorded_events_is_refused(
    db_session: Session,
) -> None:
    _in_force(db_session)
    without_tur = COOPERATION.replace('"TUR", "AZE"', '"GEO", "AZE"').replace(
        'party = "TUR"', 'party = "GEO"'
    )
    with pytest.raises(Conflict) as caught:
        _import(db_session, without_tur)
    assert caught.value.code == "agreement.recorded_event_conflict"


def test_a_bad_file_is_rejected_with_the_field_and_nothing_is_stored(
    db_session: Session,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _import(db_session, COOPERATION.replace('initial = "P5Y"', 'initial = "five years"'))
    assert "term.initial" in (caught.value.location or "")
    assert db_session.get(Agreement, "tr-az-cooperation") is None


# --------------------------------------------------------------------------------------------
# Events and state


def test_recording_the_last_notification_brings_the_agreement_into_force(
    db_session: Session,
) -> None:
    _import(db_session)
    before = lifecycle.state_on(db_session, "tr-az-cooperation", as_of=TODAY)
    assert before.status == "signed"
    recorded = lifecycle.record_event(
        db_session, OFFICER, "tr-az-cooperation", event_fields=TUR_NOTIFICATION, now=NOW
    )
    row = db_session.get(AgreementEvent, recorded.row_id)
    assert row is not None
    assert (row.kind, row.party, row.event_date) == ("notification", "TUR", date(2021, 4, 6))
    assert (row.recorded_by, row.recorded_party, row.evidence) == ("ayse", "TUR", "note verbale 2")

    after = lifecycle.state_on(db_session, "tr-az-cooperation", as_of=TODAY).to_json()
    assert after["status"] == "in_force"
    assert after["entry_into_force"]["date"] == "2021-04-06"
    assert after["current_period"]["start"] == "2026-04-06"
    assert after["current_period"]["last_day"] == "2027-04-05"
    assert after["non_renewal_deadline"]["date"] == "2027-01-05"


def test_the_state_before_a_recorded_event_does_not_count_it(db_session: Session) -> None:
    _in_force(db_session)
    state = lifecycle.state_on(db_session, "tr-az-cooperation", as_of=date(2021, 4, 5))
    assert state.status == "signed"


def test_an_event_known_only_to_the_month_gives_an_unknown_date_not_a_guess(
    db_session: Session,
) -> None:
    _import(db_session)
    month_only = {**TUR_NOTIFICATION, "dispatched": "2021-04", "received": "2021-04"}
    recorded = lifecycle.record_event(
        db_session, OFFICER, "tr-az-cooperation", event_fields=month_only, now=NOW
    )
    row = db_session.get(AgreementEvent, recorded.row_id)
    assert row is not None
    assert (row.event_date, row.event_date_text) == (None, "2021-04")
    state = lifecycle.state_on(db_session, "tr-az-cooperation", as_of=TODAY).to_json()
    assert state["entry_into_force"]["date"] is None
    assert "month" in state["entry_into_force"]["explanation"]


def test_recording_the_same_event_twice_is_a_conflict(db_session: Session) -> None:
    _in_force(db_session)
    with pytest.raises(Conflict) as caught:
        lifecycle.record_event(
            db_session, OFFICER, "tr-az-cooperation", event_fields=TUR_NOTIFICATION
        )
    assert caught.value.code == "agreement.event_exists"


def test_recording_an_event_that_is_already_in_the_file_is_a_conflict(
    db_session: Session,
) -> None:
    _import(db_session)
    in_file = {
        "kind": "signature",
        "party": "AZE",
        "date": "2017-10-31",
        "evidence": "signed in Baku",
    }
    with pytest.raises(Conflict):
        lifecycle.record_event(db_session, OFFICER, "tr-az-cooperation", event_fields=in_file)


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({**TUR_NOTIFICATION, "party": "FRA"}, "party"),
        ({**TUR_NOTIFICATION, "received": "2021-02-30"}, "received"),
        ({**TUR_NOTIFICATION, "kind": "handshake"}, "kind"),
        ({**TUR_NOTIFICATION, "colour": "blue"}, "colour"),
    ],
)
def test_a_malformed_event_is_rejected_naming_the_field_and_nothing_is_stored(
    db_session: Session, fields: dict[str, Any], where: str
) -> None:
    _import(db_session)
    with pytest.raises(InvalidInput) as caught:
        lifecycle.record_event(db_session, OFFICER, "tr-az-cooperation", event_fields=fields)
    assert where in (caught.value.location or "")
    count = select(func.count()).select_from(AgreementEvent)
    assert db_session.scalar(count) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda s: lifecycle.state_on(s, "no-such", as_of=TODAY),
        lambda s: lifecycle.record_event(s, OFFICER, "no-such", event_fields=TUR_NOTIFICATION),
        lambda s: lifecycle.ics_feed(s, "no-such", today=TODAY),
        lambda s: lifecycle.executing_bodies(s, "no-such"),
        lambda s: lifecycle.designate_body(
            s, OFFICER, "no-such", party="TUR", body="x", valid_from=TODAY
        ),
    ],
    ids=["state_on", "record_event", "ics_feed", "executing_bodies", "designate_body"],
)
def test_an_unknown_agreement_id_is_not_found(
    db_session: Session, call: Callable[[Session], object]
) -> None:
    with pytest.raises(NotFound) as caught:
        call(db_session)
    assert caught.value.code == "agreement.not_found"


# --------------------------------------------------------------------------------------------
# Listing and deadlines


def test_the_list_shows_each_agreement_with_its_status_and_next_deadline(
    db_session: Session,
) -> None:
    _in_force(db_session)
    _import(db_session, SCIENCE)
    listed = {row.agreement_id: row for row in lifecycle.list_agreements(db_session, as_of=TODAY)}
    assert list(listed) == ["science-2025", "tr-az-cooperation"]
    cooperation = listed["tr-az-cooperation"]
    assert cooperation.status == "in_force"
    assert cooperation.next_deadline is not None
    assert cooperation.next_deadline["date"] == "2027-01-05"


def test_deadlines_across_agreements_within_the_window_come_earliest_first(
    db_session: Session,
) -> None:
    _in_force(db_session)
    _import(db_session, SCIENCE)
    found = lifecycle.upcoming_deadlines(db_session, today=TODAY, within_days=60)
    assert [(d.date, d.agreement_id) for d in found] == [
        (date(2027, 1, 1), "science-2025"),
        (date(2027, 1, 5), "tr-az-cooperation"),
    ]
    assert all(TODAY <= d.date <= TODAY + timedelta(days=60) for d in found)
    narrower = lifecycle.upcoming_deadlines(db_session, today=TODAY, within_days=33)
    assert [d.agreement_id for d in narrower] == ["science-2025"]


def test_a_deadline_on_the_last_day_of_the_window_is_included(db_session: Session) -> None:
    _in_force(db_session)
    last_day = date(2027, 1, 5)
    window = (last_day - TODAY).days
    found = lifecycle.upcoming_deadlines(db_session, today=TODAY, within_days=window)
    assert [d.date for d in found] == [last_day]
    assert lifecycle.upcoming_deadlines(db_session, today=TODAY, within_days=window - 1) == []


# --------------------------------------------------------------------------------------------
# iCalendar


def test_the_ics_feed_parses_back_with_one_all_day_event_per_deadline(
    db_session: Session,
) -> None:
    _in_force(db_session)
    feed = lifecycle.ics_feed(db_session, "tr-az-cooperation", today=TODAY)
    calendar = icalendar.Calendar.from_ical(feed)
    events = list(calendar.walk("VEVENT"))
    state = lifecycle.state_on(db_session, "tr-az-cooperation", as_of=TODAY)
    assert len(events) == len(state.deadlines) >= 2
    starts = sorted(event.decoded("dtstart") for event in events)
    assert starts == sorted(d.date for d in state.deadlines)
    assert date(2027, 1, 5) in starts
    assert all(not hasattr(event.decoded("dtstart"), "hour") for event in events)
    assert len({str(event["uid"]) for event in events}) == len(events)


def test_the_ics_feed_is_the_same_bytes_for_the_same_data(db_session: Session) -> None:
    _in_force(db_session)
    first = lifecycle.ics_feed(db_session, "tr-az-cooperation", today=TODAY)
    second = lifecycle.ics_feed(db_session, "tr-az-cooperation", today=TODAY)
    assert first == second
    stamp = icalendar.Calendar.from_ical(first).walk("VEVENT")[0].decoded("dtstamp")
    assert stamp == NOW  # the last change to the agreement's data, not the clock


# --------------------------------------------------------------------------------------------
# Executing bodies


def test_a_new_designation_ends_the_previous_one_the_day_before(db_session: Session) -> None:
    _import(db_session)
    lifecycle.designate_body(
        db_session,
        OFFICER,
        "tr-az-cooperation",
        party="TUR",
        body="Ministry of National Defence",
        valid_from=date(2017, 10, 31),
    )
    lifecycle.designate_body(
        db_session,
        OFFICER,
        "tr-az-cooperation",
        party="TUR",
        body="Presidency of Defence Industries",
        valid_from=date(2022, 1, 1),
    )
    rows = db_session.scalars(select(ExecutingBody).order_by(ExecutingBody.valid_from)).all()
    assert [(r.body, r.valid_until) for r in rows] == [
        ("Ministry of National Defence", date(2021, 12, 31)),
        ("Presidency of Defence Industries", None),
    ]
    on_2021 = lifecycle.executing_bodies(db_session, "tr-az-cooperation", on=date(2021, 12, 31))
    on_2022 = lifecycle.executing_bodies(db_session, "tr-az-cooperation", on=date(2022, 1, 1))
    assert [b.name for b in on_2021] == ["Ministry of National Defence"]
    assert [b.name for b in on_2022] == ["Presidency of Defence Industries"]


def test_a_designation_not_after_the_current_one_is_refused(db_session: Session) -> None:
    _import(db_session)
    lifecycle.designate_body(
        db_session, OFFICER, "tr-az-cooperation", party="AZE", body="A", valid_from=TODAY
    )
    with pytest.raises(InvalidInput):
        lifecycle.designate_body(
            db_session, OFFICER, "tr-az-cooperation", party="AZE", body="B", valid_from=TODAY
        )


def test_a_designation_for_a_party_not_in_the_agreement_is_refused(db_session: Session) -> None:
    _import(db_session)
    with pytest.raises(InvalidInput) as caught:
        lifecycle.designate_body(
            db_session, OFFICER, "tr-az-cooperation", party="FRA", body="A", valid_from=TODAY
        )
    assert "party" in (caught.value.location or "")


# --------------------------------------------------------------------------------------------
# Audit and authorisation


def _designate(session: Session, actor: Actor) -> object:
    return lifecycle.designate_body(
        session, actor, "tr-az-cooperation", party="AZE", body="Ministry", valid_from=TODAY
    )


def _record(session: Session, actor: Actor) -> object:
    return lifecycle.record_event(
        session, actor, "tr-az-cooperation", event_fields=TUR_NOTIFICATION
    )


def _update(session: Session, actor: Actor) -> object:
    text = COOPERATION.replace('initial = "P5Y"', 'initial = "P6Y"')
    return lifecycle.import_agreement(session, actor, text=text, source="test.toml")


CHANGES: list[tuple[str, Callable[[Session, Actor], object]]] = [
    ("agreement.update", _update),
    ("agreement.record_event", _record),
    ("agreement.designate_body", _designate),
]


def test_an_import_appends_exactly_one_import_leaf(db_session: Session) -> None:
    since = _leaf_count(db_session)
    _import(db_session)
    assert _new_leaves(db_session, since) == [
        ("agreement.import", "agreement", "tr-az-cooperation")
    ]


@pytest.mark.parametrize(("action", "change"), CHANGES, ids=[a for a, _ in CHANGES])
def test_each_change_appends_exactly_its_own_audit_leaf(
    db_session: Session, action: str, change: Callable[[Session, Actor], object]
) -> None:
    _import(db_session)
    since = _leaf_count(db_session)
    change(db_session, OFFICER)
    assert _new_leaves(db_session, since) == [(action, "agreement", "tr-az-cooperation")]


def test_the_audit_leaf_holds_commitments_not_the_evidence(db_session: Session) -> None:
    _import(db_session)
    since = _leaf_count(db_session)
    _record(db_session, OFFICER)
    leaf = db_session.scalars(select(AuditLeaf).where(AuditLeaf.index == since)).one()
    assert b"note verbale" not in leaf.leaf
    assert b'"after"' in leaf.leaf


@pytest.mark.parametrize(("action", "change"), CHANGES, ids=[a for a, _ in CHANGES])
def test_an_actor_without_the_treaty_officer_role_is_denied_and_nothing_changes(
    db_session: Session, action: str, change: Callable[[Session, Actor], object]
) -> None:
    _import(db_session)
    since = _leaf_count(db_session)
    with pytest.raises(AccessDenied) as caught:
        change(db_session, MEMBER)
    assert caught.value.fields["action"] == action
    assert _leaf_count(db_session) == since
    stored = db_session.get(Agreement, "tr-az-cooperation")
    assert stored is not None
    assert stored.source_text == COOPERATION
    assert db_session.scalar(select(func.count()).select_from(AgreementEvent)) == 0
    assert db_session.scalar(select(func.count()).select_from(ExecutingBody)) == 0


def test_a_first_import_by_an_actor_without_the_role_is_denied(db_session: Session) -> None:
    with pytest.raises(AccessDenied) as caught:
        lifecycle.import_agreement(db_session, MEMBER, text=COOPERATION, source="test.toml")
    assert caught.value.fields["action"] == "agreement.import"
    assert db_session.get(Agreement, "tr-az-cooperation") is None


# --------------------------------------------------------------------------------------------
# The bundled example


def test_the_founding_agreement_on_29_november_2026_is_in_its_first_renewal_period(
    db_session: Session,
) -> None:
    from tests.conftest import PROJECT_ROOT

    path = PROJECT_ROOT / "examples" / "agreements" / "tr-az-defence-industry-2017.toml"
    result = lifecycle.import_agreement(
        db_session, OFFICER, text=path.read_text(encoding="utf-8"), source=path.name
    )
    state = lifecycle.state_on(db_session, result.agreement_id, as_of=TODAY).to_json()
    assert state["status"] == "in_force"
    assert state["entry_into_force"]["date"] == "2021-04-06"
    assert state["current_period"]["index"] == 1
    assert (state["current_period"]["start"], state["current_period"]["last_day"]) == (
        "2026-04-06",
        "2027-04-05",
    )
    assert state["non_renewal_deadline"]["date"] == "2027-01-05"
    bodies = lifecycle.executing_bodies(db_session, result.agreement_id, on=TODAY)
    assert {b.party for b in bodies} == {"TUR", "AZE"}
