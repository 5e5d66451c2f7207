"""Running Alembic migrations from code (the CLI, the demo and the tests use this, never
`create_all`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def _with_connection(engine: Engine, fn: str, target: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, fn)(config, target)


def upgrade(engine: Engine, target: str = "heads") -> None:
    _with_connection(engine, "upgrade", target)


def downgrade(engine: Engine, target: str = "base") -> None:
    _with_connection(engine, "downgrade", target)


def current_revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as connection:
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def head_revisions(engine: Engine) -> tuple[str, ...]:
    return tuple(sorted(ScriptDirectory.from_config(alembic_config(engine)).get_heads()))
