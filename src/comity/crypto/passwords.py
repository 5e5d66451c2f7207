"""Password hashing with argon2id (argon2-cffi).

Invariant: only argon2id hashes are stored; a plain password never leaves this module's callers'
stack frames (it is not logged, audited or persisted). Parameters are RFC 9106's second
recommended profile (t=3, m=64 MiB, p=4): memory-hard enough to make offline guessing costly,
cheap enough (~0.1 s on two cores) for interactive sign-in. Hashes made with older parameters
are re-hashed on the next successful sign-in (`needs_rehash`).
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher(
    time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32, salt_len=16, type=Type.ID
)

#: A hash of a password nobody knows: verified against when the account does not exist, so that
#: an unknown name costs as long as a wrong password (no account enumeration by timing).
_DUMMY_HASH = _HASHER.hash("comity: no such account")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches `stored_hash`; a missing or corrupt hash never matches."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
