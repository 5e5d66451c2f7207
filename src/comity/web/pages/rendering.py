"""Rendering of the pages: one Jinja2 environment, per-request language, full page or partial.

Owns the template environment (autoescaping on, the i18n extension, the date and term filters)
and `render`, the only way a page route produces HTML. Invariants: every template sees the same
frame variables (`lang`, `user`, `csrf_token`, `today`, `languages`), translations are chosen per
request from the template context (never from a global, so concurrent requests in different
languages cannot leak into each other), and responses that differ by ``HX-Request`` say so in
``Vary`` so no cache serves a partial as a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from comity.web.pages import i18n, vocabulary

TEMPLATES_DIR: Final = Path(__file__).resolve().parents[1] / "templates"
STATIC_DIR: Final = Path(__file__).resolve().parents[1] / "static"


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as a page shows them (None on a page for anonymous visitors)."""

    display_name: str
    username: str
    party: str
    roles: frozenset[str]


@dataclass(frozen=True)
class Frame:
    """What every page needs besides its own content: who, which language, which day, CSRF."""

    lang: str
    today: date
    csrf_token: str
    user: Viewer | None = None

    def gettext(self, message: str) -> str:
        return i18n.translations(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return i18n.translations(self.lang).ngettext(singular, plural, n)

    def term(self, code: str) -> str:
        return vocabulary.term(code, self.gettext)

    def deadline(self, code: str) -> str:
        return vocabulary.deadline(code, self.gettext)

    def day(self, value: date | str | None, style: str = "medium") -> str:
        return _format_day(value, self.lang, style)


def _format_day(value: date | str | None, lang: str, style: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return i18n.format_day(value, lang, style=style)
    # Partial dates (``2018-02``) are shown as recorded: inventing a day would mislead.
    if len(value) != 10:
        return value
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return i18n.format_day(day, lang, style=style)


def _lang(context: Context) -> str:
    value = context.get("lang")
    return value if isinstance(value, str) else i18n.DEFAULT_LOCALE


@pass_context
def _gettext(context: Context, message: str) -> str:
    return i18n.translations(_lang(context)).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return i18n.translations(_lang(context)).ngettext(singular, plural, n)


@pass_context
def _day_filter(context: Context, value: date | str | None) -> str:
    return _format_day(value, _lang(context), "medium")


@pass_context
def _day_long_filter(context: Context, value: date | str | None) -> str:
    return _format_day(value, _lang(context), "long")


@pass_context
def _term_filter(context: Context, code: str | None) -> str:
    if not code:
        return ""
    return vocabulary.term(code, i18n.translations(_lang(context)).gettext)


@pass_context
def _deadline_filter(context: Context, code: str | None) -> str:
    if not code:
        return ""
    return vocabulary.deadline(code, i18n.translations(_lang(context)).gettext)


@pass_context
def _url_for(context: Context, name: str, /, **path_params: Any) -> str:
    """The path (not the absolute URL) of a route: links stay right behind a TLS-terminating
    proxy that does not forward the scheme, and the page never names its own host."""
    request: Request = context["request"]
    return request.url_for(name, **path_params).path


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "svg", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # New-style gettext: `_("… %(name)s", name=…)` escapes the values and formats in one place.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    # Set before Jinja2Templates adds its own `url_for` (it only fills in missing globals).
    env.globals["url_for"] = _url_for
    env.filters["day"] = _day_filter
    env.filters["day_long"] = _day_long_filter
    env.filters["term"] = _term_filter
    env.filters["deadline"] = _deadline_filter
    return env


templates: Final = Jinja2Templates(env=_environment())


def is_partial_request(request: Request) -> bool:
    """An htmx swap wants the partial; a history restore (back button) wants the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def render(
    request: Request,
    frame: Frame,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render template `name` with the frame variables and `context`."""
    values: dict[str, Any] = {
        "lang": frame.lang,
        "today": frame.today,
        "csrf_token": frame.csrf_token,
        "user": frame.user,
        "languages": [(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LOCALES],
        "nav": None,
    }
    values.update(context or {})
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    response.headers["Content-Language"] = frame.lang
    return response
