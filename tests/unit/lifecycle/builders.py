"""Small builders for lifecycle tests: an agreement from a few sections, events as dicts.

Specs are built through `parse_agreement_dict`, so every test also exercises the file format.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from comity.domain.lifecycle.agreement_file import parse_agreement_dict
from comity.domain.lifecycle.engine import evaluate
from comity.domain.lifecycle.model import AgreementSpec
from comity.domain.lifecycle.state import LifecycleState

BASE: dict[str, Any] = {
    "id": "test-agreement",
    "title": {"en": "Test Agreement"},
    "parties": ["AAA", "BBB"],
    "kind": "bilateral",
    "authentic_languages": ["en"],
    "entry_into_force": {"trigger": "signature"},
    "term": {"initial": "P5Y"},
}


def agreement(*events: dict[str, Any], **sections: Any) -> AgreementSpec:
    """A spec: BASE with `sections` replacing top-level entries, plus `events`."""
    data = copy.deepcopy(BASE)
    data.update(sections)
    data["events"] = list(events)
    return parse_agreement_dict(data, source="test.toml")


def multilateral(parties: list[str], *events: dict[str, Any], **sections: Any) -> AgreementSpec:
    return agreement(*events, parties=parties, kind="multilateral", **sections)


def ev(kind: str, party: str | None = None, on: str | None = None, **fields: Any) -> dict[str, Any]:
    """An `[[events]]` table; `on` is its `date`."""
    out: dict[str, Any] = {"kind": kind}
    if party is not None:
        out["party"] = party
    if on is not None:
        out["date"] = on
    out.update(fields)
    return out


def signed(on: str, parties: tuple[str, ...] = ("AAA", "BBB")) -> list[dict[str, Any]]:
    return [ev("signature", p, on) for p in parties]


def in_force(on: str) -> dict[str, Any]:
    """A recorded entry into force (no party: the agreement's)."""
    return ev("entry_into_force", None, on, evidence="test")


def state(spec: AgreementSpec, on: str) -> LifecycleState:
    return evaluate(spec, as_of=date.fromisoformat(on))


def js(spec: AgreementSpec, on: str) -> dict[str, Any]:
    return state(spec, on).to_json()


def d(text: str) -> date:
    return date.fromisoformat(text)
