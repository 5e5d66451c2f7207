"""Keeping secrets out of the server's logs.

Invariant: no API token reaches a log line. Calendar clients can only send a token in the URL
(`…/calendar.ics?token=…`), and uvicorn's access log writes the full path with its query, so
the access logger gets a filter that masks every secret-bearing query parameter.
"""

from __future__ import annotations

import logging
import re

#: Query parameters whose values are credentials.
_SECRET_PARAMETER = re.compile(r"(?i)([?&](?:token|access_token|api_key)=)[^&#\s]*")
MASK = "[redacted]"


def redact(text: str) -> str:
    return _SECRET_PARAMETER.sub(rf"\g<1>{MASK}", text)


class RedactSecrets(logging.Filter):
    """Masks credentials in a record's message and its string arguments (the request path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    """Add the filter to the loggers that print request lines (idempotent)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
