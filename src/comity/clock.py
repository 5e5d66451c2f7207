"""The one clock: what "now" and "today" are, for the CLI, the web app and every service.

Entry points build a `Clock` once (`SystemClock` from the node's configured time zone,
``COMITY_TIME_ZONE``, default UTC) and pass it down; tests pass a `FixedClock`. Nothing else in
comity reads the system time, and the domain never does (it takes dates as parameters).

"Today" is the calendar date in the node's time zone: at 01:30 in Baku (UTC+4) on 6 April it is
already 6 April there, though still 5 April in UTC. "Now" is an aware UTC instant, which is what
audit leaves, sessions and tokens record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from comity.errors import InvalidInput

__all__ = ["Clock", "FixedClock", "SystemClock", "time_zone"]


class Clock(Protocol):
    """What time it is, for one node."""

    @property
    def zone(self) -> ZoneInfo: ...

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...

    def today(self) -> date:
        """The calendar date in the node's time zone."""
        ...


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone `name` (``Europe/Istanbul``, ``Asia/Baku``, ``UTC``).

    An unknown name is `InvalidInput` naming the setting."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"unknown time zone {name!r}",
            location="COMITY_TIME_ZONE",
            reason="an IANA time zone name such as Europe/Istanbul, Asia/Baku or UTC",
            code="config.time_zone",
        ) from None


@dataclass(frozen=True, slots=True)
class SystemClock:
    """The machine's clock, read in the node's time zone."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(self.zone).date()


@dataclass(slots=True)
class FixedClock:
    """A clock that says what it is told (tests, replays); `advance` moves it on."""

    moment: datetime
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def __post_init__(self) -> None:
        if self.moment.tzinfo is None:
            raise ValueError("a FixedClock needs an aware moment")
        self.moment = self.moment.astimezone(UTC)

    @classmethod
    def on(cls, day: date, zone: str = "UTC") -> FixedClock:
        """Noon on `day` in `zone`."""
        local = ZoneInfo(zone)
        return cls(datetime(day.year, day.month, day.day, 12, tzinfo=local), local)

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.astimezone(self.zone).date()

    def advance(self, delta: timedelta) -> None:
        self.moment += delta
