"""The project's pytest settings hold in every xdist worker, as `make test` runs them."""

from __future__ import annotations

import pytest

from tests.conftest import PROJECT_ROOT


def test_a_warning_and_an_unknown_marker_fail_in_parallel_workers_too(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only xdist is loaded in the tiny run: the other plugins cost seconds and are not under test.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    # The project's own pyproject.toml, verbatim: its [tool.pytest.ini_options] is under test.
    pytester.makefile(".toml", pyproject=(PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))
    pytester.makepyfile(
        test_warns="""
        import warnings

        def test_something_deprecated():
            warnings.warn("old API", DeprecationWarning)

        def test_fine():
            pass
        """,
        test_marker="""
        import pytest

        @pytest.mark.not_a_registered_marker
        def test_marked():
            pass
        """,
    )
    result = pytester.runpytest_subprocess(
        "-p", "xdist.plugin", "-n", "2", "-p", "no:cacheprovider", "test_warns.py", "test_marker.py"
    )
    outcomes = result.parseoutcomes()
    assert (outcomes.get("passed"), outcomes.get("failed")) == (1, 1)
    assert outcomes.get("errors", 0) >= 1  # each worker reports the collection error
    result.stdout.fnmatch_lines(["*DeprecationWarning: old API*"])
    result.stdout.fnmatch_lines(["*not_a_registered_marker*not found in `markers`*"])
