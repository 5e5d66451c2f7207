"""Keeping secrets out of the server's logs.

Invariant: no credential sent in a URL reaches a log line. Calendar clients can only send a
token in the URL (`…/calendar.ics?token=…`), other clients put all sorts of secrets there
(``password=``, ``client_secret=``, ``sig=``), and uvicorn's access log writes the full path
with its query. So the access logger gets a filter that masks the value of every query
parameter whose name contains a secret word (`SECRET_WORDS`, in any case, percent-encoded or
not): a deny-list by words rather than by exact names, so that ``Password``, ``apiKey`` or
``x-auth-token`` are caught too. Other parameters are kept as they are; masking one that was
not secret costs a log reader a value, missing one would leak a credential.
"""

from __future__ import annotations

import logging
import re
from typing import Final
from urllib.parse import unquote_plus

#: A query parameter is secret when its name contains one of these (compared in lower case):
#: token, access_token, csrf_token; key, api_key, apikey; pass, password, passwd, passphrase;
#: pwd; secret, client_secret; session; csrf; auth, authorization, oauth; sig, signature;
#: code (OAuth codes); otp; credential; cookie; jwt.
SECRET_WORDS: Final = (
    "token",
    "key",
    "pass",
    "pwd",
    "secret",
    "session",
    "csrf",
    "auth",
    "sig",
    "code",
    "otp",
    "credential",
    "cookie",
    "jwt",
)
MASK: Final = "[redacted]"

# One ``name=value`` after ``?`` or ``&``. The value runs to the next ``&`` or whitespace (the
# end of the request target in a log line): stopping earlier (at ``#`` or ``;``) would leave
# the rest of a secret value in the line.
_PARAMETER = re.compile(r"(?P<lead>[?&])(?P<name>[^=&\s]+)=(?P<value>[^&\s]*)")


def is_secret_name(name: str) -> bool:
    """Whether a query parameter called `name` (as sent, possibly percent-encoded) carries a
    secret."""
    plain = unquote_plus(name).lower()
    return any(word in plain for word in SECRET_WORDS)


def _mask(match: re.Match[str]) -> str:
    lead, name, value = match["lead"], match["name"], match["value"]
    if is_secret_name(name):
        return f"{lead}{name}={MASK}"
    # A value may hold a whole URL (``next=/a?token=…``): its own parameters are masked too.
    return f"{lead}{name}={redact(value)}"


def redact(text: str) -> str:
    """`text` (a log message or a request path) with every secret query value masked."""
    return _PARAMETER.sub(_mask, text)


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
