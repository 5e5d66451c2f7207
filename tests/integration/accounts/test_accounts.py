"""The accounts service on a migrated database (both engines): dated roles, who may
administer, how secrets are stored, sessions and tokens, sign-in throttling."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.errors import AccessDenied, Conflict, InvalidInput, SignInRefused, Throttled
from comity.persistence.models.accounts import Account, ApiToken, WebSession
from comity.persistence.models.audit import AuditLeaf
from comity.services import accounts

ROOT = Actor.local_operator("test")
NOW = datetime(2026, 11, 29, 9, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


def _add(session: Session, name: str, party: str = "TUR", **kw: object) -> Account:
    created = accounts.add_user(
        session, ROOT, name, display_name=name.title(), party=party, password=PASSWORD, now=NOW
    )
    return created.account


def test_an_actor_holds_only_the_roles_whose_dates_cover_the_day(db_session: Session) -> None:
    account = _add(db_session, "dated")
    accounts.grant_role(
        db_session,
        ROOT,
        "dated",
        role="secretary",
        valid_from=date(2020, 1, 1),
        valid_until=date(2021, 1, 1),
    )
    accounts.grant_role(
        db_session,
        ROOT,
        "dated",
        role="treaty_officer",
        valid_from=date(2020, 6, 1),
        scope="tr-az-defence-industry-2017",
    )

    def roles_on(day: date) -> frozenset[str]:
        return accounts.actor_for(db_session, account, today=day).roles

    assert roles_on(date(2019, 12, 31)) == frozenset()
    assert roles_on(date(2020, 1, 1)) == {"secretary"}
    assert roles_on(date(2020, 12, 31)) == {"secretary", "treaty_officer"}
    assert roles_on(date(2021, 1, 1)) == {"treaty_officer"}
    actor = accounts.actor_for(db_session, account, today=date(2022, 1, 1))
    assert actor.has_role_for("treaty_officer", "tr-az-defence-industry-2017")
    assert not actor.has_role_for("treaty_officer", "another-agreement")


def test_a_revoked_role_stops_on_the_day_of_revocation_and_its_history_stays(
    db_session: Session,
) -> None:
    account = _add(db_session, "revoked")
    row = accounts.grant_role(
        db_session, ROOT, "revoked", role="member", valid_from=date(2020, 1, 1)
    )
    accounts.revoke_role(db_session, ROOT, row.id, today=date(2026, 11, 29), now=NOW)
    assert accounts.actor_for(db_session, account, today=date(2026, 11, 28)).roles == {"member"}
    assert accounts.actor_for(db_session, account, today=date(2026, 11, 29)).roles == frozenset()
    assert len(accounts.roles_of(db_session, ROOT, "revoked")) == 1
    with pytest.raises(Conflict):
        accounts.revoke_role(db_session, ROOT, row.id, today=date(2026, 11, 30))


@pytest.mark.parametrize(
    ("party", "role"),
    [
        ("TUR", "administrator"),
        ("OPERATOR", "treaty_officer"),
        ("OPERATOR", "co_chair"),
        ("TUR", "superuser"),
    ],
)
def test_roles_that_would_mix_operation_and_business_authority_are_refused(
    db_session: Session, party: str, role: str
) -> None:
    _add(db_session, "mixer", party=party)
    with pytest.raises(InvalidInput):
        accounts.grant_role(db_session, ROOT, "mixer", role=role, valid_from=date(2020, 1, 1))


def test_only_an_administrator_administers_accounts(db_session: Session) -> None:
    officer = Actor("someone", "TUR", frozenset({"treaty_officer"}))
    admin = Actor("boss", "OPERATOR", frozenset({"administrator"}))
    with pytest.raises(AccessDenied):
        accounts.add_user(db_session, officer, "newbie", display_name="N", party="TUR")
    created = accounts.add_user(db_session, admin, "newbie", display_name="N", party="TUR")
    assert created.one_time_password
    assert created.account.must_change_password


def test_passwords_are_stored_as_argon2id_hashes_and_never_reach_the_audit_log(
    db_session: Session,
) -> None:
    account = _add(db_session, "hashed")
    one_time = accounts.reset_password(db_session, ROOT, "hashed", now=NOW)
    accounts.change_password(
        db_session,
        Actor("hashed", "TUR"),
        "hashed",
        current_password=one_time,
        new_password="a brand new passphrase",
        now=NOW,
    )
    assert account.password_hash.startswith("$argon2id$")
    assert not account.must_change_password
    leaves = b"".join(db_session.scalars(select(AuditLeaf.leaf)))
    for secret in (PASSWORD, one_time, "a brand new passphrase", account.password_hash):
        assert secret.encode() not in leaves


def test_sign_in_checks_the_password_and_refuses_a_disabled_account(db_session: Session) -> None:
    _add(db_session, "signer")
    ok = accounts.authenticate(db_session, "Signer", PASSWORD, address="a", now=NOW)
    wrong = accounts.authenticate(db_session, "signer", "nope", address="a", now=NOW)
    accounts.disable_user(db_session, ROOT, "signer", now=NOW)
    disabled = accounts.authenticate(db_session, "signer", PASSWORD, address="a", now=NOW)
    assert isinstance(ok, Account)
    assert isinstance(wrong, SignInRefused)
    assert isinstance(disabled, SignInRefused)


def test_the_throttle_locks_after_the_limit_and_opens_after_the_lockout(
    db_session: Session,
) -> None:
    _add(db_session, "locked")
    policy = accounts.ThrottlePolicy(account_limit=3, lockout=timedelta(minutes=10))
    for _ in range(3):
        accounts.authenticate(db_session, "locked", "x", address="b", now=NOW, policy=policy)
    refused = accounts.authenticate(
        db_session, "locked", PASSWORD, address="b", now=NOW, policy=policy
    )
    assert isinstance(refused, Throttled)
    assert refused.fields["retry_after"] == 600
    later = NOW + timedelta(minutes=10, seconds=1)
    opened = accounts.authenticate(
        db_session, "locked", PASSWORD, address="b", now=later, policy=policy
    )
    assert isinstance(opened, Account)


def test_sessions_are_stored_as_digests_and_end_on_sign_out_or_expiry(
    db_session: Session,
) -> None:
    account = _add(db_session, "sessions")
    secret = accounts.create_session(db_session, account, lifetime=timedelta(hours=1), now=NOW)
    stored = db_session.scalars(select(WebSession.token_hash)).all()
    assert hashlib.sha256(secret.encode()).digest() in stored
    assert accounts.resolve_session(db_session, secret, now=NOW) is account
    assert accounts.resolve_session(db_session, secret, now=NOW + timedelta(hours=1)) is None
    accounts.end_session(db_session, secret, now=NOW)
    assert accounts.resolve_session(db_session, secret, now=NOW) is None


def test_tokens_are_scoped_revocable_and_expire(db_session: Session) -> None:
    _add(db_session, "tokens")
    issued = accounts.issue_token(
        db_session,
        ROOT,
        "tokens",
        name="cron",
        scopes=["read", "calendar"],
        expires_at=NOW + timedelta(days=1),
        now=NOW,
    )
    assert issued.secret.startswith("cmt_")
    assert issued.token.scopes == "calendar read"
    stored = db_session.scalars(select(ApiToken.token_hash)).all()
    assert hashlib.sha256(issued.secret.encode()).digest() in stored
    assert accounts.resolve_token(db_session, issued.secret, now=NOW) is not None
    assert accounts.resolve_token(db_session, issued.secret, now=NOW + timedelta(days=1)) is None
    accounts.revoke_token(db_session, ROOT, issued.token.id, now=NOW)
    assert accounts.resolve_token(db_session, issued.secret, now=NOW) is None
    with pytest.raises(InvalidInput):
        accounts.issue_token(db_session, ROOT, "tokens", name="bad", scopes=["admin"], now=NOW)


def test_a_person_may_issue_tokens_for_themselves_but_not_for_others(
    db_session: Session,
) -> None:
    _add(db_session, "self")
    _add(db_session, "other")
    me = Actor("self", "TUR")
    assert accounts.issue_token(db_session, me, "self", name="mine", now=NOW).secret
    with pytest.raises(AccessDenied):
        accounts.issue_token(db_session, me, "other", name="theirs", now=NOW)
