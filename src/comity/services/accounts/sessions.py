"""Signing in (a name and a password, throttled) and the web sessions it starts.

Invariants:
- Session ids never reach a log, an audit leaf or an error message; the database holds only
  their SHA-256 digests. A session id is fresh at every sign-in, and the one the browser held
  before ends (no fixation).
- A wrong name, a wrong password and a disabled account are refused alike, in the same time
  (the password is verified even without an account), and each counts towards the name's and
  the address's locks (`throttle`); the refusal is *returned* for the caller to commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from comity.crypto import passwords, tokens
from comity.domain.actors import Actor
from comity.errors import AccessDenied, SignInRefused, Throttled
from comity.persistence.models.accounts import Account, WebSession
from comity.persistence.repositories import accounts as repo
from comity.services import audit, kernel
from comity.services.accounts import throttle
from comity.services.accounts.throttle import DEFAULT_THROTTLE, ThrottlePolicy
from comity.services.accounts.users import USERNAME_PATTERN, target

#: The actor recorded for requests that carry no valid credentials.
ANONYMOUS: Final = Actor(person="anonymous", party="UNKNOWN")


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    address: str,
    now: datetime | None = None,
    policy: ThrottlePolicy = DEFAULT_THROTTLE,
) -> Account | AccessDenied:
    """Check a name and password. Returns the account, or the refusal to render (a
    `Throttled` carrying ``retry_after``, or a `SignInRefused`). The caller commits either way:
    the failure counters are part of the outcome."""
    moment = kernel.utc_now(now)
    key = username.strip().lower()[:200]
    by_account = throttle.throttle_row(session, throttle.SIGN_IN_NAME, key, moment)
    by_address = throttle.throttle_row(
        session, throttle.SIGN_IN_ADDRESS, address[:200] or "unknown", moment
    )
    waits = [
        w for w in (throttle.locked(by_account, moment), throttle.locked(by_address, moment)) if w
    ]
    if waits:
        return Throttled(
            "too many failed sign-ins; wait before trying again",
            reason=f"try again in {max(waits)} seconds",
            retry_after=max(waits),
        )
    account = repo.by_username(session, key) if USERNAME_PATTERN.fullmatch(key) else None
    # Verify even without an account (against a dummy hash) so timing does not reveal names.
    matches = passwords.verify_password(account.password_hash if account else None, password)
    if account is None or not matches or account.disabled:
        for row, limit in ((by_account, policy.account_limit), (by_address, policy.address_limit)):
            throttle.fail(
                session,
                row,
                limit,
                policy,
                moment,
                actor=ANONYMOUS,
                action="sign_in.lock",
                target=audit.Target("sign_in", row.kind),
            )
        session.flush()
        return SignInRefused(
            "the name or password is wrong, or the account is disabled",
            reason="check both and try again",
        )
    throttle.reset(by_account)
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    session.flush()
    return account


def create_session(
    session: Session,
    account: Account,
    *,
    lifetime: timedelta = timedelta(hours=12),
    replacing: str | None = None,
    now: datetime | None = None,
) -> str:
    """Start a session for a signed-in account and return its cookie value (shown once).

    A fresh random id every time, and the session the browser held before (`replacing`) ends:
    an id planted before sign-in can never become a signed-in session (no fixation)."""
    moment = kernel.utc_now(now)
    if replacing:
        end_session(session, replacing, now=moment)
    secret = tokens.new_secret(tokens.SESSION_PREFIX)
    session.add(
        WebSession(
            token_hash=tokens.digest(secret),
            account_id=account.id,
            created_at=moment,
            expires_at=moment + lifetime,
        )
    )
    session.flush()
    audit.record(
        session,
        Actor(person=account.username, party=account.party),
        "account.sign_in",
        target(account.username),
    )
    return secret


def end_session(session: Session, secret: str, *, now: datetime | None = None) -> None:
    """Sign out: the session stops working at once (unknown or ended ids are ignored)."""
    row = repo.session_by_hash(session, tokens.digest(secret))
    if row is None or row.ended_at is not None:
        return
    row.ended_at = kernel.utc_now(now)
    account = repo.by_id(session, row.account_id)
    session.flush()
    if account is not None:
        audit.record(
            session,
            Actor(person=account.username, party=account.party),
            "account.sign_out",
            target(account.username),
        )


def resolve_session(
    session: Session, secret: str, *, now: datetime | None = None
) -> Account | None:
    """The account behind a session cookie, or None when it is unknown, ended, expired or
    its account is disabled."""
    row = repo.session_by_hash(session, tokens.digest(secret))
    if (
        row is None
        or row.ended_at is not None
        or kernel.as_utc(row.expires_at) <= kernel.utc_now(now)
    ):
        return None
    account = repo.by_id(session, row.account_id)
    if account is None or account.disabled:
        return None
    return account
