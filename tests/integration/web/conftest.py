"""Fixtures for the web app: a migrated database per module and engine, apps on it with a
settable clock, accounts made through the services, clients signed in through the API.

The app commits (one request, one transaction), so these tests cannot use the rolled-back
`db_session`; each module gets a database of its own instead, and every test makes its own
accounts with unique names so tests in a module never see each other's sign-in state.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from comity.config import Settings
from comity.domain.actors import Actor
from comity.persistence import migrate
from comity.persistence.db import write_session
from comity.persistence.models.audit import AuditHead, AuditLeaf
from comity.services import accounts, lifecycle
from comity.web.app import create_app
from comity.web.settings import WebSettings
from tests.conftest import BACKENDS, PROJECT_ROOT, Database, Databases, Template

PASSWORD = "a long enough passphrase"
EXAMPLE_ID = "tr-az-defence-industry-2017"
EXAMPLE_FILE = PROJECT_ROOT / "examples" / "agreements" / f"{EXAMPLE_ID}.toml"
START = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
OPERATOR = Actor.local_operator("test")


class Clock:
    """The app's clock, moved by the test (no sleeping, no wall-clock thresholds)."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    @property
    def today(self) -> date:
        return self.now.date()


def _migrate_and_import_the_example(engine: Engine) -> None:
    migrate.upgrade(engine)
    with write_session(engine) as session, session.begin():
        lifecycle.import_agreement(
            session, OPERATOR, text=EXAMPLE_FILE.read_text("utf-8"), source=EXAMPLE_FILE.name
        )


WITH_EXAMPLE = Template("with_example", _migrate_and_import_the_example)


@pytest.fixture(scope="module", params=BACKENDS)
def web_database(
    request: pytest.FixtureRequest,
    databases: Databases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Database]:
    """A migrated database of the module's own, with the example agreement imported."""
    directory = tmp_path_factory.mktemp("web")
    with databases.create(request.param, directory, WITH_EXAMPLE) as database:
        yield database


@pytest.fixture
def clock() -> Clock:
    return Clock()


#: Tests share one client address; only the address-throttle test wants a tight limit.
RELAXED = {"throttle_address_limit": 10_000}


@pytest.fixture
def make_app(web_database: Database, clock: Clock, tmp_path: Path) -> Callable[..., FastAPI]:
    def build(**web: Any) -> FastAPI:
        settings = Settings(database_url=web_database.url, data_dir=tmp_path)
        return create_app(
            settings, web=WebSettings(**{**RELAXED, **web}), engine=web_database.engine, clock=clock
        )

    return build


@pytest.fixture
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    return make_app()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


_names = itertools.count()


@dataclass(frozen=True)
class User:
    username: str
    password: str
    party: str


@pytest.fixture
def make_user(web_database: Database, clock: Clock) -> Callable[..., User]:
    """Create an account (committed) with roles held from 2000-01-01, named uniquely."""

    def create(
        prefix: str = "user",
        *,
        party: str = "TUR",
        roles: Sequence[str] = ("treaty_officer",),
        password: str = PASSWORD,
        must_change_password: bool = False,
    ) -> User:
        username = f"{prefix}-{web_database.backend[:2]}-{next(_names)}"
        with write_session(web_database.engine) as session, session.begin():
            accounts.add_user(
                session,
                OPERATOR,
                username,
                display_name=username.title(),
                party=party,
                password=password,
                must_change_password=must_change_password,
                now=clock.now,
            )
            for role in roles:
                accounts.grant_role(
                    session, OPERATOR, username, role=role, valid_from=date(2000, 1, 1)
                )
        return User(username, password, party)

    return create


def sign_in(client: TestClient, user: User) -> str:
    """Sign `client` in as `user` through the API; returns the session's CSRF token."""
    response = client.post(
        "/api/session", json={"username": user.username, "password": user.password}
    )
    assert response.status_code == 200, response.text
    token = response.json()["csrf_token"]
    assert isinstance(token, str)
    return token


@pytest.fixture
def make_token(web_database: Database, clock: Clock) -> Callable[..., tuple[int, str]]:
    def issue(user: User, scopes: Sequence[str] = ("read", "write")) -> tuple[int, str]:
        with write_session(web_database.engine) as session, session.begin():
            issued = accounts.issue_token(
                session, OPERATOR, user.username, name="test", scopes=scopes, now=clock.now
            )
            return issued.token.id, issued.secret

    return issue


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def entitled(
    make_user: Callable[..., User], make_token: Callable[..., tuple[int, str]]
) -> Callable[[str], dict[str, str]]:
    """`entitled(path)`: the bearer header of someone allowed to do whatever a request to `path`
    asks (a treaty officer for agreements, an administrator otherwise), so that only the input
    of a refused request can be wrong."""

    def headers(path: str) -> dict[str, str]:
        if "/agreements" in path:
            return bearer(make_token(make_user("officer"))[1])
        admin = make_user("admin", party="OPERATOR", roles=["administrator", "auditor"])
        return bearer(make_token(admin)[1])

    return headers


def audit_size(database: Database) -> int:
    with write_session(database.engine) as session, session.begin():
        size = session.scalars(select(AuditHead.size)).one()
        assert size == session.scalar(select(func.count()).select_from(AuditLeaf))
        return size


def audit_actions(database: Database, since: int) -> list[str]:
    with write_session(database.engine) as session, session.begin():
        return list(
            session.scalars(
                select(AuditLeaf.action).where(AuditLeaf.index >= since).order_by(AuditLeaf.index)
            )
        )


def audit_leaves(database: Database, since: int) -> list[dict[str, Any]]:
    """The audit leaves appended from index `since` on, parsed."""
    with write_session(database.engine) as session, session.begin():
        rows = session.scalars(
            select(AuditLeaf.leaf).where(AuditLeaf.index >= since).order_by(AuditLeaf.index)
        )
        return [json.loads(row) for row in rows]
