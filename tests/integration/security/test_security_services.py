"""Security services on a migrated database (SQLite and PostgreSQL): loading schemes and
equivalences, clearances and need-to-know grants, subjects, explanations, audit and roles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comity.cli.context import CliContext
from comity.config import Settings
from comity.domain.actors import Actor
from comity.domain.security import labels
from comity.domain.security.decision import ReasonCode
from comity.errors import AccessDenied, Conflict, InvalidInput, InvalidTransition, NotFound
from comity.persistence import migrate
from comity.persistence.models.audit import AuditLeaf
from comity.services import security
from tests.conftest import Database

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "security"
OFFICER = Actor(person="ayse", party="TUR", roles=frozenset({"security_officer"}))
MEMBER = Actor(person="mehmet", party="TUR", roles=frozenset({"member"}))
TODAY = date(2026, 11, 29)
LABEL = labels.parse(
    "TUR | GİZLİ | Need To Know (restrictive): ALPHA | Releasable To (permissive): AZE, TUR"
)


def _leaves(session: Session, since: int = 0) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(AuditLeaf).where(AuditLeaf.index >= since).order_by(AuditLeaf.index)
    )
    return [(leaf.action, f"{leaf.record_type}:{leaf.record_id}") for leaf in rows]


def _size(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditLeaf)) or 0


def _load_examples(session: Session) -> None:
    for name in ("tur", "aze", "tr-az-2017"):
        path = EXAMPLES / f"{name}.toml"
        security.load_scheme(session, OFFICER, text=path.read_text("utf-8"), source=path.name)
    path = EXAMPLES / "tr-az-2017-equivalence.toml"
    security.load_equivalence(session, OFFICER, text=path.read_text("utf-8"), source=path.name)


def _clear_elvin(session: Session, **overrides: object) -> int:
    fields: dict[str, object] = {
        "policy": "AZE",
        "level": "tam məxfi",
        "nationality": "AZE",
        "issuing_authority": "AZE State Security Service",
        "valid_from": date(2024, 1, 1),
        "valid_until": date(2027, 12, 31),
    }
    fields.update(overrides)
    granted = security.grant_clearance(session, OFFICER, "elvin", **fields)  # type: ignore[arg-type]
    assert granted.id is not None
    return int(granted.id)


def test_loading_the_examples_appends_one_leaf_each_and_reloading_changes_nothing(
    db_session: Session,
) -> None:
    start = _size(db_session)
    _load_examples(db_session)
    assert _leaves(db_session, start) == [
        ("scheme.load", "security_scheme:TUR"),
        ("scheme.load", "security_scheme:AZE"),
        ("scheme.load", "security_scheme:TR-AZ-2017"),
        ("equivalence.load", "security_equivalence:tr-az-2017"),
    ]
    path = EXAMPLES / "tur.toml"
    again = security.load_scheme(db_session, OFFICER, text=path.read_text("utf-8"), source="t")
    assert again.status == "unchanged"
    assert _size(db_session) == start + 4
    assert security.get_policy(db_session, "TUR").classification("ÖZEL").retired_on == date(
        2022, 4, 26
    )


def test_an_equivalence_needs_its_schemes_loaded_first(db_session: Session) -> None:
    path = EXAMPLES / "tr-az-2017-equivalence.toml"
    with pytest.raises(InvalidInput) as caught:
        security.load_equivalence(db_session, OFFICER, text=path.read_text("utf-8"), source="e")
    assert caught.value.location == "e: equivalence.policies"
    assert "unknown policy 'TR-AZ-2017'" in (caught.value.reason or "")


def test_a_scheme_cannot_be_replaced_by_one_that_breaks_a_stored_table(
    db_session: Session,
) -> None:
    _load_examples(db_session)
    text = (EXAMPLES / "aze.toml").read_text("utf-8").replace('"məxfi"', '"gizli"')
    with pytest.raises(Conflict, match="would break equivalence tr-az-2017"):
        security.load_scheme(db_session, OFFICER, text=text, source="aze.toml")


def test_granting_and_revoking_a_clearance_is_audited_and_changes_the_decision(
    db_session: Session,
) -> None:
    _load_examples(db_session)
    security.add_need_to_know(
        db_session,
        OFFICER,
        "elvin",
        compartment="ALPHA",
        reason="project ALPHA",
        valid_from=date(2026, 1, 1),
    )
    start = _size(db_session)
    clearance_id = _clear_elvin(db_session)
    decision = security.explain_access(db_session, "elvin", LABEL, today=TODAY)
    assert decision.allowed, decision
    security.revoke_clearance(
        db_session, OFFICER, clearance_id, on=date(2026, 12, 1), reason="left the project"
    )
    assert _leaves(db_session, start) == [
        ("clearance.grant", f"clearance:{clearance_id}"),
        ("clearance.revoke", f"clearance:{clearance_id}"),
    ]
    assert security.explain_access(db_session, "elvin", LABEL, today=TODAY).allowed
    later = security.explain_access(db_session, "elvin", LABEL, today=date(2026, 12, 1))
    assert later.codes == (ReasonCode.CLEARANCE_REVOKED,)
    with pytest.raises(InvalidTransition):
        security.revoke_clearance(db_session, OFFICER, clearance_id, on=TODAY, reason="again")


def test_need_to_know_grants_are_audited_listed_and_revoked(db_session: Session) -> None:
    _load_examples(db_session)
    _clear_elvin(db_session)
    start = _size(db_session)
    grant = security.add_need_to_know(
        db_session,
        OFFICER,
        "elvin",
        compartment="ALPHA",
        reason="project ALPHA",
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    assert grant.granted_by == "ayse"
    assert [g.compartment for g in security.list_grants(db_session, person="elvin")] == ["ALPHA"]
    assert grant.id is not None
    security.revoke_need_to_know(
        db_session, OFFICER, int(grant.id), on=date(2026, 11, 30), reason="project ended"
    )
    assert _leaves(db_session, start) == [
        ("need_to_know.grant", f"need_to_know_grant:{grant.id}"),
        ("need_to_know.revoke", f"need_to_know_grant:{grant.id}"),
    ]
    after = security.explain_access(db_session, "elvin", LABEL, today=date(2026, 11, 30))
    assert after.codes == (ReasonCode.NEED_TO_KNOW_EXPIRED,)
    assert "revoked on 2026-11-30" in after.reasons[0].detail


def test_the_subject_is_built_from_what_is_stored_for_the_date(db_session: Session) -> None:
    _load_examples(db_session)
    _clear_elvin(db_session, level="məxfi")
    subject = security.build_subject(db_session, "elvin", on=TODAY, agreement="tr-az-2017")
    assert subject.nationality == "AZE"
    assert [e.id for e in subject.equivalences] == ["tr-az-2017"]
    above = security.explain_access(db_session, "elvin", LABEL, today=TODAY)
    assert ReasonCode.CLASSIFICATION_ABOVE_CLEARANCE in above.codes
    gap = security.explain_access(
        db_session, "elvin", labels.parse("TUR | HİZMETE ÖZEL"), today=TODAY
    )
    assert gap.codes == (ReasonCode.NO_EQUIVALENT,)
    ozel = security.explain_access(db_session, "elvin", labels.parse("TUR | ÖZEL"), today=TODAY)
    assert ozel.allowed


def test_translation_and_marking_use_the_table_in_force(db_session: Session) -> None:
    _load_examples(db_session)
    label = labels.parse("TUR | GİZLİ | Releasable To (permissive): AZE, TUR")
    assert security.marking(db_session, label, on=TODAY) == "GİZLİ — Releasable to AZE, TUR"
    assert (
        security.marking(db_session, label, on=TODAY, in_policy="AZE")
        == "TAM MƏXFİ — Releasable to AZE, TUR"
    )
    with pytest.raises(InvalidInput, match="no equivalence in force on 2020-01-01"):
        security.translate_label(db_session, label, "AZE", on=date(2020, 1, 1))


def test_a_clearance_needs_a_known_scheme_level_and_nationality(db_session: Session) -> None:
    _load_examples(db_session)
    with pytest.raises(NotFound):
        _clear_elvin(db_session, policy="FRA")
    with pytest.raises(InvalidInput, match="not a classification of policy AZE"):
        _clear_elvin(db_session, level="çox məxfi")
    with pytest.raises(InvalidInput, match="invalid nationality"):
        _clear_elvin(db_session, nationality="az")
    with pytest.raises(InvalidInput, match="invalid category"):
        _clear_elvin(db_session, categories=["ATOMAL"])
    with pytest.raises(InvalidInput, match="ends before it starts"):
        _clear_elvin(db_session, valid_until=date(2023, 1, 1))


@pytest.mark.parametrize(
    "attempt",
    [
        "scheme",
        "equivalence",
        "clearance.grant",
        "clearance.revoke",
        "need_to_know.grant",
        "need_to_know.revoke",
    ],
)
def test_an_actor_without_the_security_officer_role_is_denied(
    db_session: Session, attempt: str
) -> None:
    _load_examples(db_session)
    clearance_id = _clear_elvin(db_session)
    start = _size(db_session)
    calls: dict[str, Callable[[], object]] = {
        "scheme": lambda: security.load_scheme(
            db_session, MEMBER, text=(EXAMPLES / "tur.toml").read_text("utf-8"), source="t"
        ),
        "equivalence": lambda: security.load_equivalence(
            db_session,
            MEMBER,
            text=(EXAMPLES / "tr-az-2017-equivalence.toml").read_text("utf-8"),
            source="e",
        ),
        "clearance.grant": lambda: security.grant_clearance(
            db_session,
            MEMBER,
            "mehmet",
            policy="TUR",
            level="ÇOK GİZLİ",
            nationality="TUR",
            issuing_authority="self",
            valid_from=TODAY,
        ),
        "clearance.revoke": lambda: security.revoke_clearance(
            db_session, MEMBER, clearance_id, on=TODAY, reason="x"
        ),
        "need_to_know.grant": lambda: security.add_need_to_know(
            db_session, MEMBER, "mehmet", compartment="ALPHA", reason="x", valid_from=TODAY
        ),
        "need_to_know.revoke": lambda: security.revoke_need_to_know(
            db_session, MEMBER, 1, on=TODAY, reason="x"
        ),
    }
    with pytest.raises(AccessDenied) as caught:
        calls[attempt]()
    assert caught.value.reason == "needs the role security_officer"
    assert _size(db_session) == start


def test_a_denied_grant_is_rolled_back_and_the_denial_is_audited(
    fresh_database: Database, tmp_path: Path
) -> None:
    migrate.upgrade(fresh_database.engine)
    cli = CliContext(
        settings=Settings(data_dir=tmp_path, database_url=fresh_database.url),
        actor=MEMBER,
        _engine=fresh_database.engine,
    )
    with pytest.raises(AccessDenied), cli.transaction() as session:
        security.add_need_to_know(
            session, MEMBER, "mehmet", compartment="ALPHA", reason="curious", valid_from=TODAY
        )
    with cli.reading() as session:
        assert security.list_grants(session) == []
        assert _leaves(session) == [("need_to_know.denied", "person:mehmet")]


@pytest.mark.parametrize("kind", ["clearance", "need-to-know grant"])
def test_a_clearance_or_grant_is_never_revoked_before_it_starts(
    db_session: Session, kind: str
) -> None:
    # Both kinds of dated record are revoked by one implementation, with one rule: the first
    # day without the record is never before its first day.
    _load_examples(db_session)
    starts = date(2027, 1, 1)
    revoke: Callable[..., object]
    if kind == "clearance":
        record_id = _clear_elvin(db_session, valid_from=starts)
        revoke = security.revoke_clearance
    else:
        grant = security.add_need_to_know(
            db_session, OFFICER, "elvin", compartment="ALPHA", reason="ALPHA", valid_from=starts
        )
        assert grant.id is not None
        record_id = int(grant.id)
        revoke = security.revoke_need_to_know
    size = _size(db_session)
    with pytest.raises(InvalidInput, match=f"cannot revoke {kind} {record_id} before it starts"):
        revoke(db_session, OFFICER, record_id, on=date(2026, 12, 31), reason="never started")
    assert _size(db_session) == size
    revoke(db_session, OFFICER, record_id, on=starts, reason="cancelled on its first day")
    assert _leaves(db_session, size)[0][0].endswith(".revoke")
