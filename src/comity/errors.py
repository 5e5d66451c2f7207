"""One error hierarchy with stable codes, rendered at the edges.

Every user-facing failure is a `ComityError`: a stable machine `code`, a human `message` and
structured fields saying *what* (``subject``), *where* (``location``: file, field, index, id)
and *why* (``reason``). Entry points render them (CLI line + exit code, HTTP status + JSON);
nothing here knows about HTTP or terminals.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ComityError(Exception):
    """Base of every expected failure. `code` values are part of the public contract."""

    code: ClassVar[str] = "error"
    #: The CLI exit code for this family of errors (documented in docs/cli.md).
    exit_code: ClassVar[int] = 1

    def __init__(
        self,
        message: str,
        *,
        location: str | None = None,
        reason: str | None = None,
        code: str | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.reason = reason
        self.fields = fields
        if code is not None:
            # A more specific stable code inside the family (e.g. "agreement.not_found").
            self.code = code  # type: ignore[misc]

    def one_line(self) -> str:
        """What, where, why: the single line a person reads."""
        parts = [self.message]
        if self.location:
            parts.insert(0, f"{self.location}:")
        if self.reason:
            parts.append(f"({self.reason})")
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"message": self.message}
        if self.location is not None:
            detail["location"] = self.location
        if self.reason is not None:
            detail["reason"] = self.reason
        detail.update({k: v for k, v in self.fields.items() if v is not None})
        return {"error": self.code, "detail": detail}


class InvalidInput(ComityError):
    """Input that does not parse or does not make sense: a file, a date, a label, a request."""

    code = "invalid_input"
    exit_code = 2


class NotFound(ComityError):
    code = "not_found"
    exit_code = 3


class AccessDenied(ComityError):
    code = "access_denied"
    exit_code = 4


class InvalidTransition(ComityError):
    """An action that the record's current state does not allow."""

    code = "invalid_transition"
    exit_code = 5


class Conflict(ComityError):
    """The change collides with what is already there (duplicate id, concurrent edit)."""

    code = "conflict"
    exit_code = 6


class Unavailable(ComityError):
    """An outside resource (database, data directory, key file) cannot be used."""

    code = "unavailable"
    exit_code = 7


class IntegrityFailure(ComityError):
    """Verification found that stored history does not match what was signed or hashed."""

    code = "integrity_failure"
    exit_code = 8


# --- Signing in (raised by the accounts services and the web's credential checks) ----------------


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


class PasswordChangeRequired(AccessDenied):
    """The account signed in with a one-time password and has not chosen its own yet: the API
    answers 403, the pages send the person to the password form."""

    code = "auth.password_change_required"
