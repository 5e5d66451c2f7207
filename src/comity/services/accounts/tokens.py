"""API tokens: bearer secrets for scripts, scoped to reading, writing or the calendar feed.

Invariants:
- A token's secret is shown once, when it is issued, and never stored: the database holds its
  SHA-256 digest, and lookups go through the digest.
- A token stops working at once when it is revoked, expires, or its account is disabled.
- Using a token is bookkeeping, not an act: "last used" is not audited, and is kept only to
  `TOUCH_EVERY` precision so that a busy script does not write on every request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from comity.crypto import tokens
from comity.domain.actors import Actor
from comity.errors import Conflict, InvalidInput, NotFound
from comity.persistence.models.accounts import Account, ApiToken
from comity.persistence.repositories import accounts as repo
from comity.services import audit, kernel
from comity.services.accounts.users import find_account, get_user, require_admin, target

#: What an API token may be used for: reading the API, changing through it, the calendar feed.
TOKEN_SCOPES: Final = ("read", "write", "calendar")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    #: The bearer secret: shown once, stored only as its digest.
    secret: str


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
        require_admin(actor, "token.issue", target(account_name))
    label = name.strip()
    if not label or len(label) > 100:
        raise InvalidInput("a token needs a name", location="name", reason="1-100 characters")
    chosen = _check_scopes(scopes)
    moment = kernel.utc_now(now)
    if expires_at is not None and kernel.as_utc(expires_at) <= moment:
        raise InvalidInput(
            "the token would expire before it is issued",
            location="expires_at",
            reason="choose a moment in the future",
        )
    account = find_account(session, account_name)
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
        require_admin(actor, "token.revoke", target)
    if row is None:
        raise NotFound(f"no token {token_id}", code="token.not_found")
    if row.revoked_at is not None:
        raise Conflict(f"token {token_id} is revoked already", code="token.revoked")
    row.revoked_at = kernel.utc_now(now)
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
    moment = kernel.utc_now(now)
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and kernel.as_utc(row.expires_at) <= moment:
        return None
    account = repo.by_id(session, row.account_id)
    if account is None or account.disabled:
        return None
    return account, row


#: "Last used" is kept to this precision, so a busy script does not write on every request.
TOUCH_EVERY: Final = timedelta(minutes=5)


def token_needs_touch(token: ApiToken, *, now: datetime | None = None) -> bool:
    return (
        token.last_used_at is None
        or kernel.utc_now(now) - kernel.as_utc(token.last_used_at) >= TOUCH_EVERY
    )


def touch_token(session: Session, token_id: int, *, now: datetime | None = None) -> None:
    """Record that a token was used (bookkeeping, not an act: not audited)."""
    row = repo.token(session, token_id)
    if row is not None:
        row.last_used_at = kernel.utc_now(now)
        session.flush()
