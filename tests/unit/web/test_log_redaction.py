"""Credentials sent in a URL never reach the server's request log: the value of every query
parameter whose name contains a secret word is masked, whatever its case or encoding, and the
other parameters are left as they are."""

from __future__ import annotations

import logging

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from comity.web import log_redaction as web_logging
from comity.web.log_redaction import MASK, SECRET_WORDS, redact

#: The names the issue lists, and a few more spellings clients use.
SECRET_NAMES = (
    "token",
    "access_token",
    "api_key",
    "apikey",
    "key",
    "password",
    "passwd",
    "pass",
    "secret",
    "client_secret",
    "session",
    "csrf",
    "csrf_token",
    "auth",
    "authorization",
    "signature",
    "sig",
    "code",
    "otp",
    "X-Api-Key",
    "refresh_token",
    "sessionId",
)
#: Parameters the app itself takes, which a log reader needs to see.
PLAIN_NAMES = ("on", "within", "lang", "next", "recorded", "page", "q")

_NAME_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="=&#%+?")
# What a raw query value may hold in a request line: any visible character but the separator.
_VALUE_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="&")


@st.composite
def secret_names(draw: st.DrawFn) -> str:
    """A parameter name containing a secret word: in any case, with anything around it, and
    possibly percent-encoded as a whole."""
    word = draw(st.sampled_from(SECRET_WORDS))
    word = "".join(c.upper() if draw(st.booleans()) else c for c in word)
    name = draw(st.text(_NAME_CHARS, max_size=6)) + word + draw(st.text(_NAME_CHARS, max_size=6))
    if draw(st.booleans()):
        name = "".join(f"%{ord(c):02X}" for c in name)
    return name


def _request_line(query: str) -> str:
    return f'127.0.0.1:5555 - "GET /api/agreements/a/calendar.ics?{query} HTTP/1.1" 200'


@given(
    name=secret_names(),
    value=st.text(_VALUE_CHARS, min_size=1, max_size=40),
    before=st.sampled_from(["", "lang=en&", "on=2026-11-29&within=90&"]),
    after=st.sampled_from(["", "&x=1", "&next=/agreements"]),
)
def test_a_secret_parameters_value_never_reaches_the_log_line(
    name: str, value: str, before: str, after: str
) -> None:
    line = _request_line(f"{before}{name}={value}{after}")
    # Only meaningful when the value is not also part of the rest of the line.
    assume(value not in _request_line(f"{before}{name}={MASK}{after}"))
    redacted = redact(line)
    assert value not in redacted
    assert f"{name}={MASK}" in redacted


@given(
    params=st.lists(
        st.tuples(
            st.sampled_from(PLAIN_NAMES),
            st.text(
                st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="&?"),
                max_size=20,
            ),
        ),
        max_size=4,
    )
)
def test_parameters_without_a_secret_word_are_kept_as_they_are(
    params: list[tuple[str, str]],
) -> None:
    line = _request_line("&".join(f"{name}={value}" for name, value in params))
    assert redact(line) == line


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_every_listed_secret_name_is_masked_in_any_case(name: str) -> None:
    encoded = "".join(f"%{ord(c):02X}" for c in name)
    for spelling in (name, name.upper(), name.title(), encoded):
        assert redact(f"/x?a=1&{spelling}=s3cr3t&b=2") == f"/x?a=1&{spelling}={MASK}&b=2"


def test_a_secret_inside_another_parameters_url_is_masked() -> None:
    assert redact("/sign-in?next=/x?token=abc") == f"/sign-in?next=/x?token={MASK}"


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
            "/api/agreements/tr-az/calendar.ics?lang=en&token=cmt_s3cret-value&Password=hunter2",
            "1.1",
            200,
        )
    line = caplog.records[-1].getMessage()
    assert "cmt_s3cret-value" not in line
    assert "hunter2" not in line
    assert f"token={MASK}&Password={MASK}" in line
    assert "lang=en" in line
