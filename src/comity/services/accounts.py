"""Accounts, dated roles, sign-in, server-side sessions and API tokens.

Invariants:
- Passwords, session ids and tokens never reach a log, an audit leaf or an error message; the
  database holds only their argon2id hashes or SHA-256 digests.
- Roles come from dated assignments resolved on a given day (`actor_for`); an administrator
  holds no business role (business roles are only ever granted to accounts of a party, the
  administrator role only to operator accounts).
- Every guess at a password is throttled with counters in the database, so every app process
  sees the same failures: sign-in per account name and per client address, a password change
  per account. A refusal that counts a failure is *returned* (not raised) so that the entry
  point commits the failure count it carries.
- Changing a password ends every other session of the account: whoever held one of them (a
  stolen cookie) must sign in again, with the new password.
- Account administration requires the administrator role (the CLI's local operator has it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeAlias

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from comity.crypto import passwords, tokens
from comity.domain.actors import OPERATOR, Actor
from comity.errors import AccessDenied, Conflict, InvalidInput, NotFound
from comity.persistence.models.accounts import (
    Account,
    ApiToken,
    RoleAssignment,
    SignInThrottle,
    WebSession,
)
from comity.persistence.repositories import accounts as repo
from comity.services import audit, authz

#: Roles a person holds for their party (DESIGN.md "Who uses it").
BUSINESS_ROLES = frozenset(
    {"treaty_officer", "co_chair", "secretary", "member", "security_officer"}
)
#: Every role name, in the order people read them.
ROLES = (
    "treaty_officer",
    "co_chair",
    "secretary",
    "member",
    "security_officer",
    "auditor",
    "administrator",
)
#: What an API token may be used for: reading the API, changing through it, the calendar feed.
TOKEN_SCOPES = ("read", "write", "calendar")

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
PARTY_PATTERN = re.compile(r"^[A-Z]{3}$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024

#: The actor recorded for requests that carry no valid credentials.
ANONYMOUS = Actor(person="anonymous", party="UNKNOWN")


class NotAuthenticated(AccessDenied):
    """The request carries no valid session or token (HTTP 401, not audited: it is no act)."""

    code = "auth.required"


class SignInRefused(AccessDenied):
    """Wrong name or password, or a disabled account: deliberately indistinguishable."""

    code = "auth.invalid_credentials"


class Throttled(AccessDenied):
    """Too many wrong passwords (at sign-in, or when changing one's password) for this account
    or address; `retry_after` is in seconds."""

    code = "auth.throttled"


#: The refusal of a password change that the caller must commit (it carries a failure count):
#: the wrong current password, or a lock after too many.
PasswordChangeRefused: TypeAlias = InvalidInput | Throttled


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failures within `window` lock an account name or a client address, and for
    how long. Per-address limits are looser: several people may share one address. A password
    change is limited per account, at `account_limit`."""

    account_limit: int = 5
    address_limit: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


DEFAULT_THROTTLE = ThrottlePolicy()


@dataclass(frozen=True, slots=True)
class NewUser:
    account: Account
    #: The one-time password to hand over, when none was given; shown once, never stored.
    one_time_password: str | None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    #: The bearer secret: shown once, stored only as its digest.
    secret: str


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for DateTime(timezone=True) columns; they were UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _target(username: str) -> audit.Target:
    return audit.Target("account", username)


def _public(account: Account) -> dict[str, Any]:
    """What an account's audit commitment covers: never its password hash."""
    return {
        "username": account.username,
        "display_name": account.display_name,
        "party": account.party,
        "disabled": account.disabled,
    }


def _require_admin(actor: Actor, action: str, target: audit.Target) -> None:
    authz.require_role(actor, "administrator", action=action, target=target)


# --- validation ---------------------------------------------------------------------------


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


def _check_role(role: str, party: str) -> None:
    if role not in ROLES:
        raise InvalidInput(
            f"unknown role {role!r}", location="role", reason=f"one of {', '.join(ROLES)}"
        )
    if role == "administrator" and party != OPERATOR:
        raise InvalidInput(
            "the administrator role is held by operator accounts only",
            location="role",
            reason="an administrator has no business authority; create an OPERATOR account",
        )
    if role in BUSINESS_ROLES and party == OPERATOR:
        raise InvalidInput(
            f"an operator account cannot hold the business role {role!r}",
            location="role",
            reason="business roles are held by people of a party",
        )


def _check_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(sorted(set(scopes)))
    if not chosen:
        raise InvalidInput(
            "a token needs at least one scope", location="scopes", reason=", ".join(TOKEN_SCOPES)
        )
    unknown = [s for s in chosen if s not in TOKEN_SCOPES]
    if unknown:
        raise InvalidInput(
            f"unknown token scope {unknown[0]!r}",
            location="scopes",
            reason=f"one of {', '.join(TOKEN_SCOPES)}",
        )
    return chosen


def _account(session: Session, username: str) -> Account:
    account = repo.by_username(session, username.strip())
    if account is None:
        raise NotFound(f"no account named {username!r}", code="account.not_found")
    return account


# --- accounts -----------------------------------------------------------------------------


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
    _require_admin(actor, "account.create", _target(name))
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
        created_at=_now(now),
    )
    session.add(account)
    session.flush()
    audit.record(session, actor, "account.create", _target(name), {"after": _public(account)})
    return NewUser(account=account, one_time_password=one_time)


def list_users(session: Session, actor: Actor) -> Sequence[Account]:
    _require_admin(actor, "account.list", audit.Target("account", "*"))
    return repo.all_accounts(session)


def get_user(session: Session, actor: Actor, username: str) -> Account:
    """One account: administrators see any, everyone sees their own."""
    name = username.strip().lower()
    if actor.person != name:
        _require_admin(actor, "account.read", _target(name))
    return _account(session, name)


def disable_user(
    session: Session, actor: Actor, username: str, *, now: datetime | None = None
) -> Account:
    """Disable an account: its sessions end and its tokens stop working at once."""
    name = username.strip().lower()
    _require_admin(actor, "account.disable", _target(name))
    account = _account(session, name)
    before = _public(account)
    moment = _now(now)
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
        _target(name),
        {"before": before, "after": _public(account)},
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
    _require_admin(actor, "account.reset_password", _target(name))
    account = _account(session, name)
    one_time = password if password is not None else tokens.one_time_password()
    _check_password(one_time)
    moment = _now(now)
    account.password_hash = passwords.hash_password(one_time)
    account.must_change_password = True
    for web_session in repo.open_sessions_of(session, account.id):
        web_session.ended_at = moment
    session.flush()
    audit.record(
        session,
        actor,
        "account.reset_password",
        _target(name),
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
            target=str(_target(name)),
        )
    account = _account(session, name)
    moment = _now(now)
    guesses = _throttle_row(session, _KIND_CHANGE_GUESSES, name, moment)
    wait = _locked(guesses, moment)
    if wait:
        return Throttled(
            "too many wrong passwords; wait before trying again",
            reason=f"try again in {wait} seconds",
            retry_after=wait,
        )
    if not passwords.verify_password(account.password_hash, current_password):
        _fail(
            session,
            guesses,
            policy.account_limit,
            policy,
            moment,
            actor=actor,
            action="account.password_lock",
            target=_target(name),
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
    guesses.failures = 0
    guesses.locked_until = None
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
        _target(name),
        {
            "after": {
                "username": name,
                "changed_at": moment.isoformat(),
                "other_sessions_ended": ended,
            }
        },
    )
    return account


# --- roles --------------------------------------------------------------------------------


def _assignment_state(row: RoleAssignment) -> dict[str, Any]:
    return {
        "role": row.role,
        "party": row.party,
        "scope": row.scope,
        "valid_from": row.valid_from.isoformat(),
        "valid_until": row.valid_until.isoformat() if row.valid_until else None,
    }


def grant_role(
    session: Session,
    actor: Actor,
    username: str,
    *,
    role: str,
    valid_from: date,
    scope: str = "*",
    valid_until: date | None = None,
    now: datetime | None = None,
) -> RoleAssignment:
    """Assign `role` to an account for its own party, from `valid_from` (inclusive) until
    `valid_until` (exclusive, or open-ended)."""
    name = username.strip().lower()
    _require_admin(actor, "account.grant_role", _target(name))
    account = _account(session, name)
    _check_role(role, account.party)
    scope = scope.strip() or "*"
    if len(scope) > 200:
        raise InvalidInput("the scope is too long", location="scope", reason="at most 200 chars")
    if valid_until is not None and valid_until <= valid_from:
        raise InvalidInput(
            "a role must end after it starts",
            location="valid_until",
            reason=f"{valid_until.isoformat()} is not after {valid_from.isoformat()}",
        )
    row = RoleAssignment(
        account_id=account.id,
        role=role,
        party=account.party,
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_at=_now(now),
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "account.grant_role", _target(name), {"after": _assignment_state(row)}
    )
    return row


def revoke_role(
    session: Session, actor: Actor, assignment_id: int, *, today: date, now: datetime | None = None
) -> RoleAssignment:
    """End an assignment from `today` on; its history stays (assignments are never deleted)."""
    row = repo.assignment(session, assignment_id)
    target = audit.Target("role_assignment", str(assignment_id))
    _require_admin(actor, "account.revoke_role", target)
    if row is None:
        raise NotFound(f"no role assignment {assignment_id}", code="role_assignment.not_found")
    # A role that has not started yet ends before it starts: an empty span, kept as history.
    end = max(today, row.valid_from)
    if row.valid_until is not None and row.valid_until <= end:
        raise Conflict(
            f"role assignment {assignment_id} ended already on {row.valid_until.isoformat()}",
            code="role_assignment.ended",
        )
    before = _assignment_state(row)
    row.valid_until = end
    session.flush()
    audit.record(
        session,
        actor,
        "account.revoke_role",
        target,
        {"before": before, "after": _assignment_state(row)},
    )
    return row


def roles_of(session: Session, actor: Actor, username: str) -> Sequence[RoleAssignment]:
    """Every assignment of an account, past and present (administrators, or the holder)."""
    account = get_user(session, actor, username)
    return repo.assignments_of(session, account.id)


def actor_for(session: Session, account: Account, *, today: date) -> Actor:
    """The actor an account acts as on `today`: the roles of the assignments that hold then."""
    held = repo.assignments_on(session, account.id, today)
    return Actor(
        person=account.username,
        party=account.party,
        roles=frozenset(row.role for row in held),
        grants=frozenset((row.role, row.scope) for row in held),
    )


# --- sign-in and throttling ---------------------------------------------------------------


#: Throttle kinds: failed sign-ins per account name and per client address, wrong current
#: passwords per account when changing it.
_KIND_SIGN_IN_NAME = "account"
_KIND_SIGN_IN_ADDRESS = "address"
_KIND_CHANGE_GUESSES = "password_change"


def _throttle_row(session: Session, kind: str, key: str, now: datetime) -> SignInThrottle:
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


def _locked(row: SignInThrottle, now: datetime) -> int | None:
    if row.locked_until is None:
        return None
    remaining = (_aware(row.locked_until) - now).total_seconds()
    return math.ceil(remaining) if remaining > 0 else None


def _fail(
    session: Session,
    row: SignInThrottle,
    limit: int,
    policy: ThrottlePolicy,
    now: datetime,
    *,
    actor: Actor = ANONYMOUS,
    action: str = "sign_in.lock",
    target: audit.Target | None = None,
) -> None:
    """Count one failure; at `limit` within the window, lock the key and audit the lock (by
    default as a sign-in lock by ``anonymous``, on the throttle's kind)."""
    if now - _aware(row.window_started_at) > policy.window:
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
            target or audit.Target("sign_in", row.kind),
            # Committed, not stored: the key (a name or an address) stays out of the shared log.
            {"after": {"key": row.key, "until": row.locked_until.isoformat()}},
        )


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
    moment = _now(now)
    key = username.strip().lower()[:200]
    by_account = _throttle_row(session, _KIND_SIGN_IN_NAME, key, moment)
    by_address = _throttle_row(session, _KIND_SIGN_IN_ADDRESS, address[:200] or "unknown", moment)
    waits = [w for w in (_locked(by_account, moment), _locked(by_address, moment)) if w]
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
        _fail(session, by_account, policy.account_limit, policy, moment)
        _fail(session, by_address, policy.address_limit, policy, moment)
        session.flush()
        return SignInRefused(
            "the name or password is wrong, or the account is disabled",
            reason="check both and try again",
        )
    by_account.failures = 0
    by_account.locked_until = None
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    session.flush()
    return account


# --- sessions -----------------------------------------------------------------------------


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
    moment = _now(now)
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
        _target(account.username),
    )
    return secret


def end_session(session: Session, secret: str, *, now: datetime | None = None) -> None:
    """Sign out: the session stops working at once (unknown or ended ids are ignored)."""
    row = repo.session_by_hash(session, tokens.digest(secret))
    if row is None or row.ended_at is not None:
        return
    row.ended_at = _now(now)
    account = repo.by_id(session, row.account_id)
    session.flush()
    if account is not None:
        audit.record(
            session,
            Actor(person=account.username, party=account.party),
            "account.sign_out",
            _target(account.username),
        )


def resolve_session(
    session: Session, secret: str, *, now: datetime | None = None
) -> Account | None:
    """The account behind a session cookie, or None when it is unknown, ended, expired or
    its account is disabled."""
    row = repo.session_by_hash(session, tokens.digest(secret))
    if row is None or row.ended_at is not None or _aware(row.expires_at) <= _now(now):
        return None
    account = repo.by_id(session, row.account_id)
    if account is None or account.disabled:
        return None
    return account


# --- API tokens ---------------------------------------------------------------------------


def issue_token(
    session: Session,
    actor: Actor,
    username: str,
    *,
    name: str,
    scopes: Iterable[str] = ("read",),
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """Issue an API token for an account (administrators for anyone, people for themselves)."""
    account_name = username.strip().lower()
    if actor.person != account_name:
        _require_admin(actor, "token.issue", _target(account_name))
    label = name.strip()
    if not label or len(label) > 100:
        raise InvalidInput("a token needs a name", location="name", reason="1-100 characters")
    chosen = _check_scopes(scopes)
    moment = _now(now)
    if expires_at is not None and _aware(expires_at) <= moment:
        raise InvalidInput(
            "the token would expire before it is issued",
            location="expires_at",
            reason="choose a moment in the future",
        )
    account = _account(session, account_name)
    if account.disabled:
        raise Conflict(f"account {account_name!r} is disabled", code="account.disabled")
    secret = tokens.new_secret(tokens.TOKEN_PREFIX)
    row = ApiToken(
        token_hash=tokens.digest(secret),
        account_id=account.id,
        name=label,
        scopes=" ".join(chosen),
        created_at=moment,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "token.issue",
        audit.Target("token", str(row.id)),
        {"after": {"account": account_name, "name": label, "scopes": list(chosen)}},
    )
    return IssuedToken(token=row, secret=secret)


def revoke_token(
    session: Session, actor: Actor, token_id: int, *, now: datetime | None = None
) -> ApiToken:
    """Revoke a token: it stops working with the next request."""
    target = audit.Target("token", str(token_id))
    row = repo.token(session, token_id)
    owner = repo.by_id(session, row.account_id) if row is not None else None
    if owner is None or actor.person != owner.username:
        _require_admin(actor, "token.revoke", target)
    if row is None:
        raise NotFound(f"no token {token_id}", code="token.not_found")
    if row.revoked_at is not None:
        raise Conflict(f"token {token_id} is revoked already", code="token.revoked")
    row.revoked_at = _now(now)
    session.flush()
    audit.record(session, actor, "token.revoke", target, {"after": {"revoked": True}})
    return row


def tokens_of(session: Session, actor: Actor, username: str) -> Sequence[ApiToken]:
    account = get_user(session, actor, username)
    return repo.tokens_of(session, account.id)


def resolve_token(
    session: Session, secret: str, *, now: datetime | None = None
) -> tuple[Account, ApiToken] | None:
    """The account and token behind a bearer secret, or None when unknown, revoked, expired
    or its account is disabled. Does not write: see `touch_token`."""
    if not secret.startswith(tokens.TOKEN_PREFIX):
        return None
    row = repo.token_by_hash(session, tokens.digest(secret))
    moment = _now(now)
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and _aware(row.expires_at) <= moment:
        return None
    account = repo.by_id(session, row.account_id)
    if account is None or account.disabled:
        return None
    return account, row


#: "Last used" is kept to this precision, so a busy script does not write on every request.
TOUCH_EVERY = timedelta(minutes=5)


def token_needs_touch(token: ApiToken, *, now: datetime | None = None) -> bool:
    return token.last_used_at is None or _now(now) - _aware(token.last_used_at) >= TOUCH_EVERY


def touch_token(session: Session, token_id: int, *, now: datetime | None = None) -> None:
    """Record that a token was used (bookkeeping, not an act: not audited)."""
    row = repo.token(session, token_id)
    if row is not None:
        row.last_used_at = _now(now)
        session.flush()
