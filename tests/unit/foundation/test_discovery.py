"""Entry points find an area's pieces by themselves: every command group a CLI module declares,
every router of the API's and the pages' route modules, every model module's tables. A new area
adds its files and edits no list; these fail if one of its pieces would be left out."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest
import typer
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.orm import DeclarativeBase

import comity.cli
import comity.persistence.models
from comity.cli.main import app
from comity.config import Settings
from comity.discovery import submodules
from comity.persistence.models import Base
from comity.web.api import routes as api_routes
from comity.web.app import create_app
from comity.web.pages import routes as page_routes


def _declared_commands() -> dict[str, object]:
    return {
        name: commands
        for module in submodules(comity.cli)
        for name, commands in getattr(module, "COMMANDS", ())
    }


def test_every_command_a_cli_module_declares_is_a_command_of_comity_and_nothing_else_is() -> None:
    declared = _declared_commands()
    assert {"agreement", "lifecycle", "user", "audit", "db", "demo", "serve", "label"} <= set(
        declared
    )
    groups = {info.name: info.typer_instance for info in app.registered_groups}
    commands = {info.name: info.callback for info in app.registered_commands}
    assert set(groups) | set(commands) == set(declared)
    for name, declared_commands in declared.items():
        registered = groups.get(name) if isinstance(declared_commands, typer.Typer) else None
        assert (registered or commands.get(name)) is declared_commands, name


def _routes_in(package: ModuleType) -> list[APIRoute]:
    """The routes every module under `package` (subpackages too) defines in its `router`."""
    found = []
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        router = getattr(importlib.import_module(info.name), "router", None)
        found += [r for r in getattr(router, "routes", ()) if isinstance(r, APIRoute)]
    return found


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(Settings(data_dir=tmp_path_factory.mktemp("data")))


def test_every_api_route_module_s_routes_are_served_and_documented(web_app: FastAPI) -> None:
    documented = web_app.openapi()["paths"]
    routes = _routes_in(api_routes)
    assert {route.endpoint.__module__.split(".")[4] for route in routes} >= {
        "accounts",
        "lifecycle",
    }
    for route in routes:
        for method in route.methods:
            assert method.lower() in documented.get(f"/api{route.path}", {}), (route.path, method)


def test_every_page_route_module_s_routes_are_served(web_app: FastAPI) -> None:
    routes = _routes_in(page_routes)
    assert {route.endpoint.__module__.rsplit(".", 1)[-1] for route in routes} >= {
        "accounts",
        "dashboard",
        "language",
        "lifecycle",
    }
    for route in routes:
        parameters = dict.fromkeys(route.param_convertors, "x")
        assert web_app.url_path_for(route.name, **parameters) == route.path.format(**parameters)


def test_every_model_module_s_tables_are_in_the_metadata_alembic_reads() -> None:
    tables: set[str] = set()
    for module in submodules(comity.persistence.models):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, DeclarativeBase)
                and value is not Base
                and value.__module__ == module.__name__
            ):
                tables.add(str(value.__tablename__))
    assert {"agreement", "audit_leaf", "account", "security_clearance"} <= tables
    assert tables <= set(Base.metadata.tables)
