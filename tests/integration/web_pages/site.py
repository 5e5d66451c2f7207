"""A seeded comity site for page tests: the example agreement, demo people, a pinned clock.

Shared by the page tests (TestClient) and the browser tests (uvicorn + Chromium), so both
exercise the same data: as of 2026-11-29 the example agreement is in force in its first renewal
period and the last day for a non-renewal notice is 5 January 2027.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from comity.config import Settings
from comity.domain.actors import Actor
from comity.services import accounts, lifecycle
from comity.web.app import create_app
from comity.web.settings import WebSettings

PROJECT_ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = PROJECT_ROOT / "examples" / "agreements" / "tr-az-defence-industry-2017.toml"
AGREEMENT_ID = "tr-az-defence-industry-2017"
TODAY = date(2026, 11, 29)
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    party: str
    roles: tuple[str, ...]


#: The treaty officer may record events; the secretary may read but not record.
OFFICER = Person("ayse.officer", "Ayşe Yılmaz", "TUR", ("treaty_officer",))
SECRETARY = Person("elvin.secretary", "Elvin Məmmədov", "AZE", ("secretary",))
PEOPLE = (OFFICER, SECRETARY)


def fixed_clock() -> datetime:
    return datetime(TODAY.year, TODAY.month, TODAY.day, 9, 0, tzinfo=UTC)


def seed(engine: Engine) -> None:
    """Import the example agreement and create the demo people (the database is migrated)."""
    operator = Actor.local_operator("test-setup")
    with Session(engine) as session, session.begin():
        lifecycle.import_agreement(
            session, operator, text=EXAMPLE.read_text(encoding="utf-8"), source=EXAMPLE.name
        )
        for person in PEOPLE:
            accounts.add_user(
                session,
                operator,
                person.username,
                display_name=person.display_name,
                party=person.party,
                password=PASSWORD,
            )
            for role in person.roles:
                accounts.grant_role(
                    session, operator, person.username, role=role, valid_from=date(2020, 1, 1)
                )


def make_app(
    engine: Engine, data_dir: Path, *, clock: Callable[[], datetime] = fixed_clock
) -> FastAPI:
    # Generous throttle: the tests sign in many times from one address.
    web = WebSettings(throttle_address_limit=10_000, throttle_account_limit=1_000)
    url = engine.url.render_as_string(hide_password=False)
    return create_app(
        Settings(database_url=url, data_dir=data_dir), web=web, engine=engine, clock=clock
    )


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, person: Person = OFFICER) -> Any:
    page = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={
            "username": person.username,
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "/",
        },
    )
