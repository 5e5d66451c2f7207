"""Reading agreements on a migrated database (SQLite and PostgreSQL): the events with who
recorded them, deadlines with their kind code, and the cache of parsed agreement files."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from comity.domain.lifecycle.agreement_file import parse_agreement
from comity.domain.lifecycle.model import AgreementSpec
from comity.errors import IntegrityFailure, NotFound
from comity.persistence.models.lifecycle import Agreement
from comity.services import lifecycle
from comity.services.lifecycle import agreements as stored_agreements
from tests.integration.lifecycle.samples import COOPERATION, NOW, OFFICER, SCIENCE

TODAY = date(2026, 11, 29)
ID = "tr-az-cooperation"
TUR_NOTIFICATION = {
    "kind": "notification",
    "party": "TUR",
    "dispatched": "2021-04-05",
    "received": "2021-04-06",
    "evidence": "note verbale 2",
}


def _import(session: Session, text: str = COOPERATION) -> lifecycle.ImportResult:
    return lifecycle.import_agreement(session, OFFICER, text=text, source="test.toml", now=NOW)


def _unique(text: str, request: pytest.FixtureRequest) -> str:
    """`text` with a comment naming the test (and engine), so that no other test has parsed
    exactly this text before in this process."""
    return f"# {request.node.nodeid}\n{text}"


# --------------------------------------------------------------------------------------------
# Events


def test_the_events_are_the_files_then_the_recorded_ones_with_who_recorded_them(
    db_session: Session,
) -> None:
    _import(db_session)
    recorded = lifecycle.record_event(
        db_session, OFFICER, ID, event_fields=TUR_NOTIFICATION, now=NOW
    )
    events = lifecycle.list_events(db_session, ID)
    assert [(e.source, e.kind, e.party) for e in events] == [
        ("file", "signature", "TUR"),
        ("file", "signature", "AZE"),
        ("file", "notification", "AZE"),
        ("recorded", "notification", "TUR"),
    ]
    from_file = events[0]
    assert from_file.evidence == "signed in Baku"
    assert from_file.fields["date"] == "2017-10-31"
    assert (from_file.recorded_by, from_file.recorded_at, from_file.id) == (None, None, None)
    last = events[-1]
    assert dict(last.fields) == TUR_NOTIFICATION
    assert (last.recorded_by, last.recorded_at, last.id) == ("ayse", NOW, recorded.row_id)
    assert last.to_json() == {
        **TUR_NOTIFICATION,
        "source": "recorded",
        "id": recorded.row_id,
        "recorded_by": "ayse",
        "recorded_at": "2026-11-29T09:00:00+00:00",
    }


def test_a_recorded_date_known_only_to_the_month_is_listed_as_recorded(
    db_session: Session,
) -> None:
    _import(db_session)
    step = {
        "kind": "domestic_step",
        "party": "AZE",
        "step": "approval",
        "date": "2018-02",
        "evidence": "Milli Majlis",
    }
    lifecycle.record_event(db_session, OFFICER, ID, event_fields=step, now=NOW)
    last = lifecycle.list_events(db_session, ID)[-1]
    assert last.fields["date"] == "2018-02"
    assert last.fields["step"] == "approval"


def test_the_events_of_an_unknown_agreement_are_not_found(db_session: Session) -> None:
    with pytest.raises(NotFound) as caught:
        lifecycle.list_events(db_session, "no-such")
    assert caught.value.code == "agreement.not_found"


# --------------------------------------------------------------------------------------------
# Deadlines


def test_each_upcoming_deadline_carries_the_engines_kind_code(db_session: Session) -> None:
    _import(db_session)
    lifecycle.record_event(db_session, OFFICER, ID, event_fields=TUR_NOTIFICATION, now=NOW)
    _import(db_session, SCIENCE)
    found = lifecycle.upcoming_deadlines(db_session, today=TODAY, within_days=400)
    assert ("tr-az-cooperation", date(2027, 1, 5), "non_renewal_notice") in {
        (d.agreement_id, d.date, d.kind) for d in found
    }
    for item in found:
        state = lifecycle.state_on(db_session, item.agreement_id, as_of=TODAY)
        assert (item.date, item.kind, item.action) in {
            (d.date, d.kind, d.action) for d in state.deadlines
        }
        assert item.to_json()["kind"] == item.kind


# --------------------------------------------------------------------------------------------
# Parsed files are cached by the stored text's SHA-256


def test_every_read_of_one_stored_file_parses_it_once(
    db_session: Session, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []

    def counting(text: str, *, source: str) -> AgreementSpec:
        parsed.append(source)
        return parse_agreement(text, source=source)

    monkeypatch.setattr(stored_agreements, "parse_agreement", counting)
    _import(db_session, _unique(COOPERATION, request))
    lifecycle.record_event(db_session, OFFICER, ID, event_fields=TUR_NOTIFICATION, now=NOW)
    lifecycle.state_on(db_session, ID, as_of=TODAY)
    lifecycle.get_spec(db_session, ID)
    lifecycle.list_events(db_session, ID)
    lifecycle.upcoming_deadlines(db_session, today=TODAY, within_days=365)
    lifecycle.ics_feed(db_session, ID, today=TODAY)
    lifecycle.list_agreements(db_session, as_of=TODAY)
    assert _import(db_session, _unique(COOPERATION, request)).status == "unchanged"
    assert parsed == ["test.toml"]


def test_a_reimported_text_is_read_with_its_new_rules(
    db_session: Session, request: pytest.FixtureRequest
) -> None:
    _import(db_session, _unique(COOPERATION, request))
    lifecycle.record_event(db_session, OFFICER, ID, event_fields=TUR_NOTIFICATION, now=NOW)
    before = lifecycle.state_on(db_session, ID, as_of=TODAY)
    assert before.current_period is not None
    assert before.current_period.index == 1
    longer = COOPERATION.replace('initial = "P5Y"', 'initial = "P6Y"')
    _import(db_session, _unique(longer, request))
    after = lifecycle.state_on(db_session, ID, as_of=TODAY)
    assert after.current_period is not None
    assert after.current_period.index == 0
    assert lifecycle.get_spec(db_session, ID).term.initial is not None
    assert str(lifecycle.get_spec(db_session, ID).term.initial) == "P6Y"


def test_a_stored_text_that_does_not_match_its_hash_is_an_integrity_failure(
    db_session: Session, request: pytest.FixtureRequest
) -> None:
    # Written around the service, as a hand edit of the database would be.
    db_session.add(
        Agreement(
            id=ID,
            title={"en": "Cooperation agreement"},
            parties=["TUR", "AZE"],
            kind="bilateral",
            source_name="edited.toml",
            source_text=_unique(COOPERATION, request),
            source_sha256="0" * 64,
            imported_at=NOW,
            updated_at=NOW,
        )
    )
    db_session.flush()
    with pytest.raises(IntegrityFailure) as caught:
        lifecycle.state_on(db_session, ID, as_of=TODAY)
    assert caught.value.code == "agreement.text_hash_mismatch"
    assert caught.value.location == "edited.toml"


def test_a_shared_parsed_file_cannot_be_changed_by_a_reader(db_session: Session) -> None:
    _import(db_session)
    spec = lifecycle.get_spec(db_session, ID)
    with pytest.raises(TypeError):
        spec.title["en"] = "changed"  # type: ignore[index]
    assert lifecycle.get_spec(db_session, ID).title["en"] == "Cooperation agreement"
