"""Every deadline kind the lifecycle engine can emit has words in every language of the pages.

The engine lists its deadline kinds in `engine.DEADLINE_KINDS` (tests/unit/lifecycle checks that
every deadline it produces is listed there), so a new kind fails this test until the vocabulary
and the catalogues have it (the page would otherwise show the raw code).
"""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from comity.domain.lifecycle.state import DEADLINE_KINDS
from comity.web.pages import i18n, vocabulary

ENGINE_KINDS = sorted(DEADLINE_KINDS)


@pytest.mark.parametrize("kind", ENGINE_KINDS)
def test_every_deadline_kind_the_engine_emits_has_english_words(kind: str) -> None:
    assert kind in vocabulary.ACTIONS
    assert vocabulary.deadline(kind, i18n.translations("en").gettext) == vocabulary.ACTIONS[kind]


@pytest.mark.parametrize("lang", ["tr", "az"])
def test_every_deadline_kind_the_engine_emits_is_translated(lang: str) -> None:
    path = i18n.TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    gettext = i18n.translations(lang).gettext
    untranslated = []
    for kind in ENGINE_KINDS:
        message = vocabulary.ACTIONS.get(kind)
        entry = None if message is None else catalog.get(message)
        words = "" if entry is None or entry.fuzzy else entry.string
        # The catalogue has the words, and the pages' compiled catalogue serves them.
        if not words or vocabulary.deadline(kind, gettext) != words:
            untranslated.append(kind)
    assert untranslated == [], f"deadline kinds without {lang} words"
