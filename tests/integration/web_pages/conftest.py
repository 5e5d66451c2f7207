"""Fixtures for the page tests: a seeded site per engine, and clients signed in as each person.

The site's database (migrations, the example agreement, two people) is built once per engine
and test process as the `SITE` template; each module gets a copy, and tests that change data
(recording an event) take `fresh_site`, a copy of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from comity.persistence import migrate
from tests.conftest import BACKENDS, Database, Databases, Template
from tests.integration.web_pages.site import OFFICER, Person, make_app, seed, sign_in


@dataclass
class Site:
    app: FastAPI
    database: Database


def _migrate_and_seed(engine: Engine) -> None:
    migrate.upgrade(engine)
    seed(engine)


SITE = Template("site", _migrate_and_seed)


def _site(databases: Databases, backend: str, tmp_path: Path) -> Iterator[Site]:
    with databases.create(backend, tmp_path, SITE) as database:
        yield Site(make_app(database.engine, tmp_path), database)


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest,
    databases: Databases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Site]:
    yield from _site(databases, request.param, tmp_path_factory.mktemp("pages"))


@pytest.fixture(params=BACKENDS)
def fresh_site(
    request: pytest.FixtureRequest, databases: Databases, tmp_path: Path
) -> Iterator[Site]:
    yield from _site(databases, request.param, tmp_path)


@pytest.fixture
def anonymous(site: Site) -> Iterator[TestClient]:
    with TestClient(site.app) as client:
        yield client


@pytest.fixture
def client_as(site: Site) -> Iterator[Callable[[Person], TestClient]]:
    """`client_as(person)`: a client signed in as `person` (closed after the test)."""
    opened: list[TestClient] = []

    def make(person: Person = OFFICER) -> TestClient:
        client = TestClient(site.app)
        opened.append(client)
        response = sign_in(client, person)
        assert response.status_code == 200, response.text
        return client

    yield make
    for client in opened:
        client.close()


@pytest.fixture
def officer(client_as: Callable[[Person], TestClient]) -> TestClient:
    return client_as(OFFICER)
