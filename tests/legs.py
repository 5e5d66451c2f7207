"""The suite's optional legs (PostgreSQL, the browser) and the switches that make them required.

A leg needs something the machine may lack: a PostgreSQL server (`COMITY_TEST_POSTGRES_URL`),
Chromium and Playwright. On a developer's machine a leg whose resource is missing is skipped,
with a message naming its switch; with the switch set (CI sets every one) the same condition
fails the test instead. Under that, a net: with a switch set, any test carrying the leg's marker
that is skipped for any other reason is reported as failed, so a skip added later cannot hide a
leg either.

The hooks that apply a leg's marker and turn its skips into failures are in `tests/conftest.py`.
Rule: a test skips only through `Leg.unavailable`, so that with every switch set (as in CI)
nothing in the suite can be skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import NoReturn

import pytest

#: Values of a switch that leave it off; any other value turns it on.
_OFF = ("", "0")


@dataclass(frozen=True)
class Leg:
    """A part of the suite that needs a resource, its marker, and the switch that requires it."""

    name: str
    marker: str
    switch: str
    #: Tests that use this fixture belong to the leg (they get its marker at collection).
    fixture: str | None = None

    @property
    def required(self) -> bool:
        return os.environ.get(self.switch, "") not in _OFF

    def unavailable(self, why: str) -> NoReturn:
        """Skip the requesting test because `why`, or fail it when the leg is required."""
        if self.required:
            pytest.fail(f"{self.switch} is set, but {why}", pytrace=False)
        pytest.skip(f"{why}: {self.name} leg skipped (set {self.switch}=1 to fail instead)")


POSTGRES = Leg("PostgreSQL", marker="postgres", switch="COMITY_REQUIRE_POSTGRES")
BROWSER = Leg("browser", marker="browser", switch="COMITY_REQUIRE_BROWSER", fixture="browser")
LEGS = (POSTGRES, BROWSER)
