"""Finding an area's pieces by looking, not by a list: the modules of a package.

Entry points and registries (the API's routers, the pages' routers, the CLI's command groups,
the ORM models) take every module of their package, so a new area adds its files and edits no
central list.

Invariant: modules come in the order of their names, so whatever is built from them (route
order, command order, metadata) is the same on every run and machine.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

__all__ = ["submodules"]


def submodules(package: ModuleType) -> list[ModuleType]:
    """Every module and subpackage directly inside `package`, imported, sorted by name."""
    found = sorted(pkgutil.iter_modules(package.__path__), key=lambda module: module.name)
    return [importlib.import_module(f"{package.__name__}.{module.name}") for module in found]
