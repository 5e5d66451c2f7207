"""The pages' languages: which locale a request gets, its translations, its date formats.

Owns locale negotiation (the ``comity_lang`` cookie, then ``Accept-Language``, then English) and
the Babel catalogues under ``web/translations/<lang>/LC_MESSAGES/messages.po``. The ``.po`` files
are the only source: they are compiled into memory (`read_po` → `write_mo`) the first time a
locale is used, so a clean clone needs no build step and a stale ``.mo`` can never be served.
Invariant: a request always gets one of `LOCALES`; anything else a client sends is ignored.
"""

from __future__ import annotations

import functools
import io
from datetime import date
from pathlib import Path
from typing import Final

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR: Final = Path(__file__).resolve().parents[1] / "translations"
DEFAULT_LOCALE: Final = "en"
#: Every language the pages speak; English is the source language of the message ids.
LOCALES: Final = ("en", "tr", "az")
#: Each language named in itself, as the language switch shows it.
LANGUAGE_NAMES: Final = {"en": "English", "tr": "Türkçe", "az": "Azərbaycanca"}
#: The CLDR locale whose date formats each language uses. English is British English: day before
#: month (``5 Jan 2027``), as treaty practice writes dates, not the US ``Jan 5, 2027``.
DATE_LOCALES: Final = {"en": "en_GB", "tr": "tr_TR", "az": "az_Latn_AZ"}
COOKIE_NAME: Final = "comity_lang"
#: One year: the choice is a preference, not a secret.
COOKIE_MAX_AGE: Final = 365 * 24 * 3600


def supported(value: str | None) -> str | None:
    """`value` if it names a supported locale (``tr``, ``tr-TR``, ``az_Latn``), else None."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LOCALES else None


def from_accept_language(header: str | None) -> str | None:
    """The best supported locale in an ``Accept-Language`` header, by quality, or None."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        locale = supported(tag)
        if locale is not None and quality > 0:
            # Earlier entries win ties, as RFC 9110 leaves order to the client.
            choices.append((-quality, position, locale))
    return min(choices)[2] if choices else None


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The request's locale: an explicit choice (cookie) beats the browser's list."""
    return supported(cookie) or from_accept_language(accept_language) or DEFAULT_LOCALE


@functools.cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of `locale` (English: the message ids themselves)."""
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    # Fuzzy entries are unreviewed guesses: English is better than a wrong translation.
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def format_day(day: date, locale: str, *, style: str = "medium") -> str:
    """`day` as the locale writes it (``5 Jan 2027``, ``5 Oca 2027``, ``5 yan 2027``)."""
    return babel_format_date(day, format=style, locale=_date_locale(locale))


@functools.cache
def _date_locale(locale: str) -> Locale:
    return Locale.parse(DATE_LOCALES.get(locale, locale))
