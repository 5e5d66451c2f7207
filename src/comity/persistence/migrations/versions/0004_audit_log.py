"""Audit log: subtree nodes, signed checkpoints, commitment salts, the log origin, and triggers
that make leaves, nodes and checkpoints insert-only.

Revision ID: 0004_audit_log
Revises: 0003_security
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_audit_log"
down_revision: str | Sequence[str] | None = "0003_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables whose rows, once written, never change (the head is protected by verification).
INSERT_ONLY = ("audit_leaf", "audit_node", "audit_checkpoint")

PG_FUNCTION = """
CREATE FUNCTION comity_audit_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is insert-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "audit_node",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("node_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "node_index", name=op.f("pk_audit_node")),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("size", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_audit_checkpoint")),
    )
    op.create_table(
        "audit_salt",
        sa.Column("leaf_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("before", sa.LargeBinary(length=16), nullable=True),
        sa.Column("after", sa.LargeBinary(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["leaf_index"],
            ["audit_leaf.leaf_index"],
            name=op.f("fk_audit_salt_leaf_index_audit_leaf"),
        ),
        sa.PrimaryKeyConstraint("leaf_index", name=op.f("pk_audit_salt")),
    )
    op.create_index(op.f("ix_audit_leaf_record_id"), "audit_leaf", ["record_id"], unique=False)
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=200), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in INSERT_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION comity_audit_insert_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION comity_audit_insert_only()"
            )
    else:
        for table in INSERT_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the audit log is insert-only: {verb} on "
                    f"{table} refused'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in INSERT_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS comity_audit_insert_only()")
    else:
        for table in INSERT_ONLY:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("origin")
    op.drop_index(op.f("ix_audit_leaf_record_id"), table_name="audit_leaf")
    op.drop_table("audit_salt")
    op.drop_table("audit_checkpoint")
    op.drop_table("audit_node")
