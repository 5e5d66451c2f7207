"""Languages of the pages: negotiation, catalogues complete and well-formed, dates per locale."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import get_args

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from comity.domain.lifecycle.model import DOMESTIC_STEPS, EVENT_KINDS, INSTRUMENTS
from comity.domain.lifecycle.state import Status
from comity.web.pages import i18n, vocabulary

PROJECT_ROOT = Path(__file__).resolve().parents[3]
WEB = PROJECT_ROOT / "src" / "comity" / "web"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "en"),
        (None, "tr-TR,tr;q=0.9,en;q=0.8", "tr"),
        (None, "de, az;q=0.5, tr;q=0.4", "az"),
        (None, "en;q=0.1, az;q=0.9", "az"),
        (None, "fr, de", "en"),
        (None, "tr;q=0", "en"),
        (None, "tr;q=bogus, az", "az"),
        ("az", "tr", "az"),
        ("xx", "tr", "tr"),
        ("AZ_latn", None, "az"),
    ],
)
def test_the_language_is_the_cookie_then_accept_language_then_english(
    cookie: str | None, header: str | None, expected: str
) -> None:
    assert i18n.negotiate(cookie, header) == expected


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "5 Jan 2027"), ("tr", "5 Oca 2027"), ("az", "5 yan 2027")]
)
def test_dates_are_written_the_way_each_language_writes_them(lang: str, expected: str) -> None:
    assert i18n.format_day(date(2027, 1, 5), lang) == expected


def _extracted() -> set[str]:
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    method_map = [
        ("src/comity/web/pages/**.py", "python"),
        ("src/comity/web/templates/**.html", "jinja2"),
    ]
    options = {"src/comity/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map=options, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("lang", ["tr", "az"])
def test_every_message_of_the_pages_is_translated(lang: str) -> None:
    with (WEB / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    messages = _extracted()
    assert len(messages) > 150  # the extraction found the pages' messages at all
    missing = []
    for message in sorted(messages):
        entry = catalog.get(message)
        strings = entry.string if entry is not None else ""
        texts = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(texts):
            missing.append(message)
    assert missing == [], f"untranslated in {lang}: run pybabel update (docs/web.md)"


@pytest.mark.parametrize("lang", ["tr", "az"])
def test_translations_keep_every_placeholder(lang: str) -> None:
    with (WEB / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    for entry in catalog:
        if not entry.id:
            continue
        source = str(entry.id[0] if isinstance(entry.id, tuple) else entry.id)
        targets = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for target in targets:
            found = set(PLACEHOLDER.findall(str(target)))
            assert found == set(PLACEHOLDER.findall(source)), source


def test_every_code_the_engine_emits_has_words() -> None:
    known = {**vocabulary.STATUSES, **vocabulary.EVENT_KINDS, **vocabulary.DOMESTIC_STEPS}
    codes = [*get_args(Status), *EVENT_KINDS, *DOMESTIC_STEPS, *INSTRUMENTS]
    missing = [c for c in codes if c not in known and c not in vocabulary.INSTRUMENTS]
    assert missing == []


def test_an_unknown_code_reads_as_words_rather_than_failing() -> None:
    assert vocabulary.term("brand_new_kind", str) == "Brand new kind"
    assert vocabulary.deadline("non_renewal_notice", str) == "Last day for a non-renewal notice"
    assert vocabulary.term("non_renewal_notice", str) == "Non-renewal notice"
