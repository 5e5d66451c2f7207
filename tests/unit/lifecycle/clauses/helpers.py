"""Builders for clause scenarios with many parties."""

from __future__ import annotations

from typing import Any

from tests.unit.lifecycle.builders import ev


def numbered(count: int, prefix: str = "P") -> list[str]:
    """Stand-in party codes P01, P02, … for the parties before the one a scenario is about."""
    return [f"{prefix}{i:02d}" for i in range(1, count + 1)]


def deposits(parties: list[str], on: str, **fields: Any) -> list[dict[str, Any]]:
    return [ev("instrument_deposited", p, on, instrument="ratification", **fields) for p in parties]
