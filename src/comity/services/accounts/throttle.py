"""Throttling guesses at a password, with counters in the database.

Invariant: every guess is counted in a row locked for the guessing transaction, so every app
process sees the same failures (sign-in per account name and per client address, a password
change per account); at the limit within the window the key is locked for `lockout`, and the
lock is audited. A refusal that counts a failure is *returned* by the services (not raised) so
that the entry point commits the count it carries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from comity.domain.actors import Actor
from comity.persistence.models.accounts import SignInThrottle
from comity.services import audit, kernel


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failures within `window` lock an account name or a client address, and for
    how long. Per-address limits are looser: several people may share one address. A password
    change is limited per account, at `account_limit`."""

    account_limit: int = 5
    address_limit: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


DEFAULT_THROTTLE: Final = ThrottlePolicy()

#: Throttle kinds: failed sign-ins per account name and per client address, wrong current
#: passwords per account when changing it.
SIGN_IN_NAME: Final = "account"
SIGN_IN_ADDRESS: Final = "address"
CHANGE_GUESSES: Final = "password_change"


def throttle_row(session: Session, kind: str, key: str, now: datetime) -> SignInThrottle:
    """The throttle row for (kind, key), created if missing and locked for this transaction,
    so concurrent guesses from several processes count every failure."""
    values = {"kind": kind, "key": key, "failures": 0, "window_started_at": now}
    insert = (
        postgresql.insert(SignInThrottle)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(SignInThrottle)
    )
    session.execute(insert.values(**values).on_conflict_do_nothing())
    return session.scalars(
        select(SignInThrottle)
        .where(SignInThrottle.kind == kind, SignInThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def locked(row: SignInThrottle, now: datetime) -> int | None:
    """Seconds until the row's lock ends, or None when it is not locked."""
    if row.locked_until is None:
        return None
    remaining = (kernel.as_utc(row.locked_until) - now).total_seconds()
    return math.ceil(remaining) if remaining > 0 else None


def fail(
    session: Session,
    row: SignInThrottle,
    limit: int,
    policy: ThrottlePolicy,
    now: datetime,
    *,
    actor: Actor,
    action: str,
    target: audit.Target,
) -> None:
    """Count one failure; at `limit` within the window, lock the key and audit the lock as
    `action` by `actor` on `target`."""
    if now - kernel.as_utc(row.window_started_at) > policy.window:
        row.failures = 0
        row.window_started_at = now
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = now + policy.lockout
        row.failures = 0
        row.window_started_at = now
        audit.record(
            session,
            actor,
            action,
            target,
            # Committed, not stored: the key (a name or an address) stays out of the shared log.
            {"after": {"key": row.key, "until": row.locked_until.isoformat()}},
        )


def reset(row: SignInThrottle) -> None:
    """A right guess: the failures counted so far no longer count."""
    row.failures = 0
    row.locked_until = None
