"""Instants as services store them: aware, in UTC.

Invariant: every instant a service writes is aware and in UTC, and every instant it reads back
is made so before it is compared (SQLite hands back naive values for ``DateTime(timezone=True)``
columns; they were written in UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utc_now(now: datetime | None = None) -> datetime:
    """`now` in UTC, or the current instant when the caller passes none."""
    return (now or datetime.now(UTC)).astimezone(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """A stored instant, aware and in UTC (a naive one was written in UTC); None stays None."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
