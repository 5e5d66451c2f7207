"""Reading pages in tests: landmarks, labels, inline code, sections — with the stdlib parser."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_FIELD_TAGS = {"input", "select", "textarea"}


@dataclass
class PageFacts:
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    labels_for: set[str] = field(default_factory=set)
    script_bodies: list[str] = field(default_factory=list)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def first(self, tag: str) -> dict[str, str] | None:
        found = self.all(tag)
        return found[0] if found else None

    def ids(self) -> set[str]:
        return {attrs["id"] for _name, attrs in self.tags if "id" in attrs}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.facts.tags.append((tag, values))
        if tag == "label" and "for" in values:
            self.facts.labels_for.add(values["for"])
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.facts.script_bodies.append(data)


def read(html: str) -> PageFacts:
    reader = _Reader()
    reader.feed(html)
    return reader.facts


def unlabelled_fields(facts: PageFacts) -> list[dict[str, str]]:
    """Form fields a screen reader could not name (no `<label for>` and no aria-label)."""
    missing = []
    for tag, attrs in facts.tags:
        if tag not in _FIELD_TAGS or attrs.get("type") in {"hidden", "submit"}:
            continue
        if attrs.get("id") not in facts.labels_for and "aria-label" not in attrs:
            missing.append(attrs)
    return missing


def inline_code(facts: PageFacts) -> list[str]:
    """Anything the CSP (script-src/style-src 'self') would block: inline script, style, on*."""
    found = [f"<script>{body[:40]}" for body in facts.script_bodies]
    for tag, attrs in facts.tags:
        if tag == "style":
            found.append("<style>")
        for name in attrs:
            if name == "style" or name.startswith("on"):
                found.append(f"<{tag} {name}=…>")
    return found


def section(html: str, element_id: str) -> str:
    """The outer HTML of the `<section id=…>` (sections are not nested in these pages)."""
    match = re.search(rf'<section id="{element_id}".*?</section>', html, re.S)
    assert match is not None, f"no section #{element_id}"
    return match.group(0)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def text_of(html: str) -> str:
    """The visible text, roughly (tags removed, whitespace squashed)."""
    return squash(re.sub(r"<[^>]+>", " ", html))
