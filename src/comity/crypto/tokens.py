"""Opaque bearer secrets: session ids, API tokens, one-time passwords, CSRF secrets.

Invariant: a secret is shown to its holder once and stored only as its SHA-256 digest, so a
copy of the database does not let anyone sign in. Secrets carry 256 bits from the OS random
source, which is why a fast unsalted digest is enough (there is nothing to guess offline).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: Human-readable prefixes, so a leaked secret can be recognised by scanners and people.
SESSION_PREFIX = "cs_"
TOKEN_PREFIX = "cmt_"  # noqa: S105 - a prefix, not a secret

# No 0/o, 1/l/i: a one-time password is read aloud or copied by hand.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


def derive(secret: str, purpose: str) -> str:
    """A value bound to `secret` for one `purpose` (e.g. the CSRF token of a session): whoever
    lacks the secret cannot compute it, and it reveals nothing about the secret."""
    return hmac.new(secret.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def one_time_password(groups: int = 4, size: int = 4) -> str:
    """A password to read out or print once (``abcd-efgh-…``): 80 bits with the defaults."""
    return "-".join(
        "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(size)) for _ in range(groups)
    )
