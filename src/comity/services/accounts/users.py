"""Accounts: creating, listing, disabling them, and their passwords.

Invariants:
- Passwords never reach a log, an audit leaf or an error message; the database holds only their
  argon2id hashes (`comity.crypto.passwords`).
- Account administration requires the administrator role (the CLI's local operator has it);
  a person may read their own account and change their own password, nobody else's.
- Changing a password ends every other session of the account: whoever held one of them (a
  stolen cookie) must sign in again, with the new password. A wrong current password counts
  towards the account's lock (`throttle`) and, like the lock, is *returned* so that the entry
  point commits the count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeAlias

from sqlalchemy.orm import Session

from comity.crypto import passwords, tokens
from comity.domain.actors import OPERATOR, Actor
from comity.errors import AccessDenied, Conflict, InvalidInput, NotFound, Throttled
from comity.persistence.models.accounts import Account
from comity.persistence.repositories import accounts as repo
from comity.services import audit, kernel
from comity.services.accounts import throttle
from comity.services.accounts.throttle import DEFAULT_THROTTLE, ThrottlePolicy

USERNAME_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
PARTY_PATTERN: Final = re.compile(r"^[A-Z]{3}$")
MIN_PASSWORD_LENGTH: Final = 12
MAX_PASSWORD_LENGTH: Final = 1024

#: The refusal of a password change that the caller must commit (it carries a failure count):
#: the wrong current password, or a lock after too many.
PasswordChangeRefused: TypeAlias = InvalidInput | Throttled


@dataclass(frozen=True, slots=True)
class NewUser:
    account: Account
    #: The one-time password to hand over, when none was given; shown once, never stored.
    one_time_password: str | None


def target(username: str) -> audit.Target:
    """What an act on the account `username` is about, in the audit log."""
    return audit.Target("account", username)


def public_state(account: Account) -> dict[str, Any]:
    """What an account's audit commitment covers: never its password hash."""
    return {
        "username": account.username,
        "display_name": account.display_name,
        "party": account.party,
        "disabled": account.disabled,
    }


def require_admin(actor: Actor, action: str, on: audit.Target) -> None:
    kernel.require_role(actor, "administrator", action=action, target=on)


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(name):
        raise InvalidInput(
            f"{username!r} is not a valid sign-in name",
            location="username",
            reason="2-64 characters: letters, digits, '.', '_' or '-', starting with a letter "
            "or digit",
        )
    return name


def _check_party(party: str) -> str:
    code = party.strip().upper()
    if code != OPERATOR and not PARTY_PATTERN.fullmatch(code):
        raise InvalidInput(
            f"{party!r} is not a party",
            location="party",
            reason="an ISO 3166-1 alpha-3 code such as TUR or AZE, or OPERATOR",
        )
    return code


def _check_password(password: str, *, location: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "the password is too short",
            location=location,
            reason=f"use at least {MIN_PASSWORD_LENGTH} characters",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            "the password is too long",
            location=location,
            reason=f"use at most {MAX_PASSWORD_LENGTH} characters",
        )


def find_account(session: Session, username: str) -> Account:
    """The account named `username`, or `NotFound`."""
    account = repo.by_username(session, username.strip())
    if account is None:
        raise NotFound(f"no account named {username!r}", code="account.not_found")
    return account


def add_user(
    session: Session,
    actor: Actor,
    username: str,
    *,
    display_name: str,
    party: str,
    password: str | None = None,
    must_change_password: bool | None = None,
    now: datetime | None = None,
) -> NewUser:
    """Create an account. Without a password a one-time password is made, which the person
    must replace after signing in (`must_change_password` defaults to exactly that case)."""
    name = normalise_username(username)
    require_admin(actor, "account.create", target(name))
    display = display_name.strip()
    if not display or len(display) > 200:
        raise InvalidInput(
            "a display name is required", location="display_name", reason="1-200 characters"
        )
    party_code = _check_party(party)
    one_time = None
    if password is None:
        one_time = tokens.one_time_password()
        secret = one_time
    else:
        _check_password(password)
        secret = password
    if repo.by_username(session, name) is not None:
        raise Conflict(f"an account named {name!r} exists already", code="account.exists")
    account = Account(
        username=name,
        display_name=display,
        party=party_code,
        password_hash=passwords.hash_password(secret),
        disabled=False,
        must_change_password=(
            one_time is not None if must_change_password is None else must_change_password
        ),
        created_at=kernel.utc_now(now),
    )
    session.add(account)
    session.flush()
    audit.record(session, actor, "account.create", target(name), {"after": public_state(account)})
    return NewUser(account=account, one_time_password=one_time)


def list_users(session: Session, actor: Actor) -> Sequence[Account]:
    require_admin(actor, "account.list", audit.Target("account", "*"))
    return repo.all_accounts(session)


def get_user(session: Session, actor: Actor, username: str) -> Account:
    """One account: administrators see any, everyone sees their own."""
    name = username.strip().lower()
    if actor.person != name:
        require_admin(actor, "account.read", target(name))
    return find_account(session, name)


def disable_user(
    session: Session, actor: Actor, username: str, *, now: datetime | None = None
) -> Account:
    """Disable an account: its sessions end and its tokens stop working at once."""
    name = username.strip().lower()
    require_admin(actor, "account.disable", target(name))
    account = find_account(session, name)
    before = public_state(account)
    moment = kernel.utc_now(now)
    account.disabled = True
    for web_session in repo.open_sessions_of(session, account.id):
        web_session.ended_at = moment
    for token in repo.tokens_of(session, account.id):
        if token.revoked_at is None:
            token.revoked_at = moment
    session.flush()
    audit.record(
        session,
        actor,
        "account.disable",
        target(name),
        {"before": before, "after": public_state(account)},
    )
    return account


def reset_password(
    session: Session,
    actor: Actor,
    username: str,
    *,
    password: str | None = None,
    now: datetime | None = None,
) -> str:
    """Give an account a new one-time password (made here unless given) and end its sessions;
    the person must replace it after signing in. Returns the password, to hand over once."""
    name = username.strip().lower()
    require_admin(actor, "account.reset_password", target(name))
    account = find_account(session, name)
    one_time = password if password is not None else tokens.one_time_password()
    _check_password(one_time)
    moment = kernel.utc_now(now)
    account.password_hash = passwords.hash_password(one_time)
    account.must_change_password = True
    for web_session in repo.open_sessions_of(session, account.id):
        web_session.ended_at = moment
    session.flush()
    audit.record(
        session,
        actor,
        "account.reset_password",
        target(name),
        {"after": {"username": name, "reset_at": moment.isoformat()}},
    )
    return one_time


def change_password(
    session: Session,
    actor: Actor,
    username: str,
    *,
    current_password: str,
    new_password: str,
    keep_session: str | None = None,
    now: datetime | None = None,
    policy: ThrottlePolicy = DEFAULT_THROTTLE,
) -> Account | PasswordChangeRefused:
    """A person replaces their own password (after a one-time password, or at will).

    Every other session of the account ends; `keep_session` (the cookie value of the session
    making the change, if it is one) stays signed in. A wrong current password counts towards
    the account's lock (`policy.account_limit` within `policy.window`) and, like the lock, is
    *returned* for the caller to render after committing the count; a bad new password raises.
    """
    name = username.strip().lower()
    if actor.person != name:
        raise AccessDenied(
            "a password can only be changed by its holder",
            code="account.not_yours",
            action="account.change_password",
            target=str(target(name)),
        )
    account = find_account(session, name)
    moment = kernel.utc_now(now)
    guesses = throttle.throttle_row(session, throttle.CHANGE_GUESSES, name, moment)
    wait = throttle.locked(guesses, moment)
    if wait:
        return Throttled(
            "too many wrong passwords; wait before trying again",
            reason=f"try again in {wait} seconds",
            retry_after=wait,
        )
    if not passwords.verify_password(account.password_hash, current_password):
        throttle.fail(
            session,
            guesses,
            policy.account_limit,
            policy,
            moment,
            actor=actor,
            action="account.password_lock",
            target=target(name),
        )
        session.flush()
        return InvalidInput(
            "the current password is wrong",
            location="current_password",
            reason="try again",
            code="account.wrong_password",
        )
    _check_password(new_password, location="new_password")
    if new_password == current_password:
        raise InvalidInput(
            "the new password is the same as the current one",
            location="new_password",
            reason="choose a different password",
        )
    throttle.reset(guesses)
    account.password_hash = passwords.hash_password(new_password)
    account.must_change_password = False
    kept = tokens.digest(keep_session) if keep_session else None
    ended = 0
    for web_session in repo.open_sessions_of(session, account.id):
        if web_session.token_hash != kept:
            web_session.ended_at = moment
            ended += 1
    session.flush()
    # The commitment covers the fact of the change, never the password or its hash.
    audit.record(
        session,
        actor,
        "account.change_password",
        target(name),
        {
            "after": {
                "username": name,
                "changed_at": moment.isoformat(),
                "other_sessions_ended": ended,
            }
        },
    )
    return account
