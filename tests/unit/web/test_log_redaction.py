"""API tokens sent in a calendar URL never reach the server's request log."""

from __future__ import annotations

import logging

import pytest

from comity.web import log_redaction as web_logging


def test_the_access_log_masks_a_token_in_the_query(caplog: pytest.LogCaptureFixture) -> None:
    web_logging.install()
    web_logging.install()  # idempotent: one filter, not two
    access = logging.getLogger("uvicorn.access")
    assert sum(isinstance(f, web_logging.RedactSecrets) for f in access.filters) == 1
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5555",
            "GET",
            "/api/agreements/tr-az/calendar.ics?lang=en&token=cmt_s3cret-value&x=1",
            "1.1",
            200,
        )
    line = caplog.records[-1].getMessage()
    assert "cmt_s3cret-value" not in line
    assert "token=[redacted]&x=1" in line
    assert "lang=en" in line


def test_paths_without_secrets_are_left_as_they_are() -> None:
    assert web_logging.redact("/agreements/a?on=2026-11-29") == "/agreements/a?on=2026-11-29"
    assert web_logging.redact("/x?Access_Token=abc") == "/x?Access_Token=[redacted]"
