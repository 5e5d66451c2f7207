"""Security tables: classification schemes, equivalence tables, clearances, need-to-know grants.

Invariants: a scheme or equivalence row stores the whole validated definition (JSON, as
`Policy.as_data` / `Equivalence.as_data` write it) plus the SHA-256 of the file it came from, so
what decisions use is exactly what was loaded; clearances and grants are never deleted, only
revoked (``revoked_on``), so who could read what on any past date stays answerable. Validity
dates are inclusive last days (``valid_until``); ``revoked_on`` is the first day without it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from comity.persistence.models.base import Base


class SecurityScheme(Base):
    __tablename__ = "security_scheme"

    #: The policy identifier labels carry (``TUR``, ``AZE``, ``TR-AZ-2017``).
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    party: Mapped[str | None] = mapped_column(String(16), nullable=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SecurityEquivalence(Base):
    __tablename__ = "security_equivalence"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agreement: Mapped[str] = mapped_column(String(100), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClearanceRecord(Base):
    __tablename__ = "security_clearance"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="dated"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(String(100), index=True)
    policy_id: Mapped[str] = mapped_column(ForeignKey("security_scheme.id"))
    #: The level granted (NULL when an explicit set of classifications was granted).
    level: Mapped[str | None] = mapped_column(String(100), nullable=True)
    classifications: Mapped[list[str]] = mapped_column(JSON)
    #: Category values held, as "Tag:value" strings.
    categories: Mapped[list[str]] = mapped_column(JSON)
    nationality: Mapped[str] = mapped_column(String(16))
    issuing_authority: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    revoked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NeedToKnowGrantRecord(Base):
    __tablename__ = "security_need_to_know_grant"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="dated"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(String(100), index=True)
    compartment: Mapped[str] = mapped_column(String(200))
    granted_by: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(String(1000))
    revoked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
