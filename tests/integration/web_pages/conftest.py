"""Fixtures for the page tests: a seeded site per engine, and clients signed in as each person.

The site is built once per module and engine (migrations, the example agreement, two people);
tests that change data (recording an event) take `fresh_site`, a site of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from comity.persistence import migrate
from tests.conftest import BACKENDS, Database, _create_database
from tests.integration.web_pages.site import OFFICER, Person, make_app, seed, sign_in


@dataclass
class Site:
    app: FastAPI
    database: Database


def _site(backend: str, tmp_path: Path) -> Iterator[Site]:
    for database in _create_database(backend, tmp_path):
        migrate.upgrade(database.engine)
        seed(database.engine)
        yield Site(make_app(database.engine, tmp_path), database)


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    yield from _site(request.param, tmp_path_factory.mktemp("pages"))


@pytest.fixture(params=BACKENDS)
def fresh_site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    yield from _site(request.param, tmp_path)


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
