"""The schema is what the migrations build, on both engines, in both directions."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from comity.persistence import migrate
from comity.persistence.models import Base
from tests.conftest import Database


def test_upgrade_then_downgrade_then_upgrade_again_leaves_the_full_schema(
    fresh_database: Database,
) -> None:
    engine = fresh_database.engine
    migrate.upgrade(engine)
    tables_after_first_upgrade = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables_after_first_upgrade

    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    migrate.upgrade(engine)
    assert set(inspect(engine).get_table_names()) == tables_after_first_upgrade
    assert migrate.current_revisions(engine) == migrate.head_revisions(engine)


def test_models_and_migrations_describe_the_same_schema(fresh_database: Database) -> None:
    engine = fresh_database.engine
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
