"""Today is the date in the node's time zone; now is an instant in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from comity.clock import FixedClock, time_zone
from comity.errors import InvalidInput


def test_today_in_baku_is_already_tomorrow_late_in_the_utc_evening() -> None:
    moment = datetime(2021, 4, 5, 21, 30, tzinfo=UTC)  # 01:30 on 6 April in Baku (UTC+4)
    assert FixedClock(moment, ZoneInfo("Asia/Baku")).today() == date(2021, 4, 6)
    assert FixedClock(moment, ZoneInfo("UTC")).today() == date(2021, 4, 5)


def test_now_is_always_reported_in_utc() -> None:
    clock = FixedClock.on(date(2026, 12, 1), "Europe/Istanbul")
    assert clock.now().tzinfo is UTC
    assert clock.today() == date(2026, 12, 1)
    clock.advance(timedelta(hours=13))
    assert clock.today() == date(2026, 12, 2)


def test_an_unknown_time_zone_is_refused_with_the_setting_named() -> None:
    with pytest.raises(InvalidInput) as refused:
        time_zone("Mars/Olympus")
    assert refused.value.location == "COMITY_TIME_ZONE"
