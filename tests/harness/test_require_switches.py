"""The require switches turn a missing leg from a skip into a failure (`tests/legs.py`).

Each test runs a tiny suite with pytester, in this process, on the project's real fixtures, with
the leg's resource made missing: without the switch the leg's test is skipped, with it the run
fails and says which switch and why.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

INI = """
[pytest]
addopts = -p no:cacheprovider --strict-markers
filterwarnings =
    error
    # The project's conftest is already imported (and assert-rewritten) by the outer run.
    ignore::pytest.PytestAssertRewriteWarning
markers =
    postgres: needs PostgreSQL
    browser: drives headless Chromium
"""


@pytest.fixture
def tiny_suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makeconftest('pytest_plugins = ["tests.conftest", "tests.e2e.browser.conftest"]')
    return pytester


DATABASE_TEST = """
def test_a_database_of_its_own(fresh_database):
    assert fresh_database.engine.url.get_backend_name() in ("sqlite", "postgresql")
"""

BROWSER_TEST = """
def test_a_page_opens(browser):
    assert browser is not None
"""


@dataclass(frozen=True)
class Missing:
    """A leg's resource made missing, and what the tiny suite then reports."""

    switch: str
    test: str
    #: Sets up the environment in which the resource is missing.
    arrange: Callable[[pytest.MonkeyPatch, Path], None]
    #: Outcomes besides the leg's one test (the SQLite half of a database test passes).
    others: dict[str, int]
    why: str


def _no_postgres_url(monkeypatch: pytest.MonkeyPatch, _: Path) -> None:
    monkeypatch.delenv("COMITY_TEST_POSTGRES_URL", raising=False)


def _no_chromium(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    monkeypatch.setenv("COMITY_TEST_CHROMIUM", str(directory / "no-such-chromium"))


def _no_playwright(monkeypatch: pytest.MonkeyPatch, _: Path) -> None:
    monkeypatch.setenv("COMITY_TEST_CHROMIUM", sys.executable)  # some file that exists
    # A None entry in sys.modules is how Python spells "this module cannot be imported".
    monkeypatch.setitem(sys.modules, "playwright", None)


MISSING = [
    pytest.param(
        Missing(
            "COMITY_REQUIRE_POSTGRES",
            DATABASE_TEST,
            _no_postgres_url,
            {"passed": 1},
            "COMITY_TEST_POSTGRES_URL is not set",
        ),
        id="postgresql-url",
    ),
    pytest.param(
        Missing("COMITY_REQUIRE_BROWSER", BROWSER_TEST, _no_chromium, {}, "*no-such-chromium"),
        id="chromium",
    ),
    pytest.param(
        Missing("COMITY_REQUIRE_BROWSER", BROWSER_TEST, _no_playwright, {}, "Playwright*"),
        id="playwright",
    ),
]


@pytest.mark.parametrize("missing", MISSING)
def test_without_its_switch_a_leg_missing_its_resource_is_skipped_naming_the_switch(
    tiny_suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, missing: Missing
) -> None:
    missing.arrange(monkeypatch, tiny_suite.path)
    monkeypatch.delenv(missing.switch, raising=False)
    tiny_suite.makepyfile(missing.test)
    result = tiny_suite.runpytest("-rs")
    result.assert_outcomes(skipped=1, **missing.others)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines([f"SKIPPED*{missing.why}*set {missing.switch}=1 to fail*"])


@pytest.mark.parametrize("missing", MISSING)
def test_a_required_leg_missing_its_resource_fails_saying_which_switch_and_why(
    tiny_suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, missing: Missing
) -> None:
    missing.arrange(monkeypatch, tiny_suite.path)
    monkeypatch.setenv(missing.switch, "1")
    tiny_suite.makepyfile(missing.test)
    result = tiny_suite.runpytest()
    result.assert_outcomes(errors=1, **missing.others)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"*{missing.switch} is set, but {missing.why}*"])


@pytest.mark.parametrize(
    ("switch", "marker"),
    [("COMITY_REQUIRE_POSTGRES", "postgres"), ("COMITY_REQUIRE_BROWSER", "browser")],
)
def test_with_a_switch_set_any_skip_of_that_legs_tests_fails_the_run(
    tiny_suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, switch: str, marker: str
) -> None:
    tiny_suite.makepyfile(
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_skipped_by_a_later_change():
            pytest.skip("some new reason")

        @pytest.mark.{marker}
        @pytest.mark.xfail(reason="a known bug", strict=True)
        def test_an_expected_failure_stays_one():
            raise AssertionError

        @pytest.mark.skip(reason="not this leg")
        def test_a_test_of_no_leg():
            pass
        """
    )
    monkeypatch.delenv(switch, raising=False)
    tiny_suite.runpytest().assert_outcomes(skipped=2, xfailed=1)
    monkeypatch.setenv(switch, "1")
    result = tiny_suite.runpytest()
    result.assert_outcomes(failed=1, skipped=1, xfailed=1)
    result.stdout.fnmatch_lines([f"*{switch} is set, but this * was skipped: some new reason*"])
