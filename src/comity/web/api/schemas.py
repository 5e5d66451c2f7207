"""Request and response bodies of the JSON API (Pydantic models, documented in OpenAPI).

Invariant: request models forbid unknown fields, bound every string and refuse text no
database can store (NUL, lone surrogates: `comity.domain.kernel.text`), so a typo, an oversized
value or an unstorable character is a 422 with its location, never silently ignored, stored or
turned into a 500.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from comity.domain.kernel.text import checked_text


def _iso_date(value: object) -> object:
    # Pydantic would also read a number as a Unix time; a calendar date is written YYYY-MM-DD.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("expected a calendar date YYYY-MM-DD")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: A calendar date, written YYYY-MM-DD (impossible days such as 2026-02-30 are refused).
IsoDate = Annotated[date, BeforeValidator(_iso_date)]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


def storable(value: object, location: str) -> None:
    """Refuse (`InvalidInput` ``text.unstorable``, at `location`) a JSON value holding text
    that cannot be stored, in a key or a value at any depth."""
    if isinstance(value, str):
        checked_text(value, location=location)
    elif isinstance(value, dict):
        for key, item in value.items():
            storable(key, location)
            storable(item, f"{location}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            storable(item, f"{location}.{index}")


class RequestBody(BaseModel):
    """Every request body: unknown fields and unstorable text refused."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _only_storable_text(cls, data: object) -> object:
        # Raised as is (not a ValueError): the error handler renders it as 422
        # ``text.unstorable`` with the field's location, e.g. ``body.display_name``.
        storable(data, "body")
        return data


class SignInRequest(RequestBody):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    password: Secret


class SessionInfo(BaseModel):
    username: str
    display_name: str
    party: str
    roles: list[str]
    must_change_password: bool
    #: Send it back as the X-CSRF-Token header on every state-changing cookie request.
    csrf_token: str | None = None
    via: str


class PasswordChange(RequestBody):
    current_password: Secret
    new_password: Secret


class UserCreate(RequestBody):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    display_name: Name
    party: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
    #: Omit to have a one-time password made (returned once in the response).
    password: Secret | None = None


class User(BaseModel):
    username: str
    display_name: str
    party: str
    disabled: bool
    must_change_password: bool
    created_at: datetime


class NewUser(User):
    one_time_password: str | None = None


class RoleGrant(RequestBody):
    role: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    scope: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ] = "*"
    valid_from: IsoDate
    valid_until: IsoDate | None = None


class RoleAssignment(BaseModel):
    id: int
    role: str
    party: str
    scope: str
    valid_from: date
    valid_until: date | None


class TokenIssue(RequestBody):
    name: Name
    scopes: list[Annotated[str, StringConstraints(max_length=20)]] = Field(
        default_factory=lambda: ["read"], min_length=1, max_length=3
    )
    expires_at: datetime | None = None


class Token(BaseModel):
    id: int
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedToken(Token):
    #: Shown once: keep it; only its digest is stored.
    token: str


# --- agreements ---------------------------------------------------------------------------


class AgreementSummary(BaseModel):
    id: str
    title: dict[str, str]
    parties: list[str]
    kind: str
    sha256: str
    as_of: date
    status: str
    next_deadline: dict[str, Any] | None


class AgreementDetail(AgreementSummary):
    #: The agreement as its exchange file's data (the file's events, then those recorded since).
    definition: dict[str, Any]
    #: The derived state on `as_of` (docs/lifecycle.md).
    state: dict[str, Any]


class AgreementImport(RequestBody):
    #: The agreement exchange file (TOML), as text.
    text: Annotated[str, StringConstraints(min_length=1, max_length=500_000)]
    #: A name for the file, used in error messages and kept with the agreement.
    source: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ] = "api"


class FieldChange(BaseModel):
    path: str
    kind: str
    before: Any = None
    after: Any = None


class ImportResult(BaseModel):
    id: str
    status: str
    sha256: str
    previous_sha256: str | None
    changes: list[FieldChange]


class RecordedEvent(BaseModel):
    agreement: str
    id: int
    event: dict[str, Any]
    recorded_by: str


class AgreementEvent(BaseModel):
    """One event: the fields of its `[[events]]` table (``kind``, ``party``, ``date`` as
    recorded — ``2018-02`` when only the month is known — ``received``, ``evidence`` …, only
    those given) and where it comes from."""

    model_config = ConfigDict(extra="allow")

    kind: str
    #: ``file``: in the imported agreement file; ``recorded``: recorded since.
    source: Literal["file", "recorded"]
    #: The recorded event's id (None for the file's own events).
    id: int | None = None
    #: Who recorded it (the person's id; None for the file's own events).
    recorded_by: str | None = None
    #: When it was recorded, UTC (None for the file's own events).
    recorded_at: datetime | None = None


class Deadline(BaseModel):
    agreement: str
    title: str
    date: date
    #: The engine's stable code (``non_renewal_notice``, …; docs/api.md lists them), for
    #: programs and translation; `action` is its English phrase.
    kind: str
    action: str
    party: str | None
    reason: str
