"""The dashboard names each agreement by its title in the reader's language from a titles query,
without evaluating every agreement's state (`lifecycle.list_agreements`) to get them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from comity.services import lifecycle
from tests.integration.web_pages.html_checks import text_of


def _no_listing(*args: object, **kwargs: object) -> None:
    raise AssertionError("the dashboard evaluated every agreement to get their titles")


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("en", "Agreement between the Government of the Republic of Turkey"),
        ("tr", "Türkiye Cumhuriyeti Hükümeti ile Azerbaycan Cumhuriyeti Hükümeti"),
    ],
)
def test_the_dashboard_titles_come_from_the_titles_query_in_the_readers_language(
    officer: TestClient, monkeypatch: pytest.MonkeyPatch, lang: str, title: str
) -> None:
    monkeypatch.setattr(lifecycle, "list_agreements", _no_listing)
    response = officer.get("/", headers={"Accept-Language": lang})
    assert response.status_code == 200
    assert title in text_of(response.text)
