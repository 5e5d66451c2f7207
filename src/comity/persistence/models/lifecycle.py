"""Agreements as stored: the imported file, the events recorded since, the executing bodies.

Invariant: the stored source text (and its SHA-256) is the agreement's rules exactly as
imported, and each `AgreementEvent` row holds one recorded fact. Nothing derived (status, entry
into force, periods, deadlines) is stored: it is recomputed by the lifecycle engine from these
rows for whatever date is asked, so the state on any past date can be reproduced.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from comity.persistence.models.base import Base


class Agreement(Base):
    __tablename__ = "agreement"

    #: The slug from the file's `id` field; imports are idempotent by it.
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: Language code → title, copied out of the file for listing without parsing it.
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    parties: Mapped[list[str]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(20))
    #: Where the text came from (a file name), for people; the text itself is the truth.
    source_name: Mapped[str] = mapped_column(String(500))
    source_text: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: When the stored text last changed (equal to `imported_at` until a re-import changes it).
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AgreementEvent(Base):
    """One fact recorded after the import (a signature, a notification, a notice …)."""

    __tablename__ = "agreement_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreement.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    party: Mapped[str | None] = mapped_column(String(20))
    #: The date the event counts from when it is known to the day (`date`, else `received`,
    #: else `dispatched`); null when only the month or year is known.
    event_date: Mapped[date | None] = mapped_column(Date)
    #: The same date as recorded, possibly partial (``2018-02``), so no precision is invented.
    event_date_text: Mapped[str | None] = mapped_column(String(10))
    evidence: Mapped[str] = mapped_column(Text)
    #: The event exactly as the lifecycle engine reads it (`event_to_dict`); the columns above
    #: are copies for queries and listings.
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_party: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExecutingBody(Base):
    """A party's designation of the body that executes the agreement, valid for a span of days.

    `valid_until` is the last day of the designation (inclusive), null while it is current; a
    later designation for the same party closes the earlier one the day before it starts.
    """

    __tablename__ = "executing_body"
    __table_args__ = (UniqueConstraint("agreement_id", "party", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreement.id"), index=True)
    party: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text)
    designated_by: Mapped[str] = mapped_column(String(200))
    designated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
