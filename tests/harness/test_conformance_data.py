"""The conformance data travels with the repository, with its notices, and is never skipped."""

from __future__ import annotations

import pytest

import tests.conftest
from tests.conftest import CONFORMANCE_DIR


def test_every_conformance_file_is_listed_with_its_source_and_licence() -> None:
    readme = (CONFORMANCE_DIR / "README.md").read_text(encoding="utf-8")
    notice = (CONFORMANCE_DIR / "NOTICE.md").read_text(encoding="utf-8")
    files = sorted(path.name for path in CONFORMANCE_DIR.glob("*.json"))
    assert files == ["accumulo_access_testdata.json", "rfc6962_vectors.json"]
    for name in files:
        assert f"`{name}`" in readme
        assert f"`{name}`" in notice
    assert (CONFORMANCE_DIR / "LICENSE-Apache-2.0.txt").is_file()


def test_missing_conformance_data_fails_the_tests_that_read_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini(
        "[pytest]\nfilterwarnings =\n    error\n    ignore::pytest.PytestAssertRewriteWarning\n"
    )
    pytester.makeconftest('pytest_plugins = ["tests.conftest"]')
    pytester.makepyfile("def test_reads_the_vectors(conformance_dir):\n    pass\n")
    monkeypatch.setattr(tests.conftest, "CONFORMANCE_DIR", pytester.path / "no-conformance")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*conformance data missing*no-conformance*"])
