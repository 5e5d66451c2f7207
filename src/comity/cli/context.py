"""What every command needs: the settings, the engine, a transaction to work in.

The entry point owns the transaction: `transaction()` commits when the command's block ends
without error and rolls back otherwise, so a failed command leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from comity.config import Settings
from comity.domain.actors import Actor
from comity.errors import AccessDenied
from comity.persistence.db import make_engine, read_only_session, write_session
from comity.services import audit


@dataclass
class CliContext:
    settings: Settings
    actor: Actor
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = audit.engine_with_origin(
                make_engine(self.settings.resolved_database_url()), self.settings.log_origin
            )
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One command, one transaction: committed on success, rolled back on any error.
        A denial is then written to the audit log in a transaction of its own."""
        try:
            with write_session(self.engine) as session, session.begin():
                yield session
        except AccessDenied as denial:
            with write_session(self.engine) as session, session.begin():
                audit.record_denial(session, self.actor, denial)
            raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with read_only_session(self.engine) as session, session.begin():
            yield session

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def build_context(data_dir: Path | None, database_url: str | None, as_person: str) -> CliContext:
    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    settings = Settings(**overrides)  # type: ignore[arg-type]
    return CliContext(settings=settings, actor=Actor.local_operator(as_person))


def get(ctx: typer.Context) -> CliContext:
    """The `CliContext` of the running command (set by the root callback)."""
    obj = ctx.find_root().obj
    assert isinstance(obj, CliContext), "root callback did not run"
    return obj
