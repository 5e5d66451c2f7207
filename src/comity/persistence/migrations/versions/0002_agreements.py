"""Agreements: imported files, recorded events, executing bodies.

Revision ID: 0002_agreements
Revises: 0001_foundation
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_agreements"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source_name", sa.String(length=500), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
    )
    op.create_table(
        "agreement_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("party", sa.String(length=20), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("event_date_text", sa.String(length=10), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_party", sa.String(length=20), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_event_agreement_id_agreement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_event")),
    )
    with op.batch_alter_table("agreement_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_event_agreement_id"), ["agreement_id"], unique=False
        )
    op.create_table(
        "executing_body",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(length=100), nullable=False),
        sa.Column("party", sa.String(length=20), nullable=False),
        sa.Column("body", sa.String(length=300), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("designated_by", sa.String(length=200), nullable=False),
        sa.Column("designated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_executing_body_agreement_id_agreement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_executing_body")),
        sa.UniqueConstraint(
            "agreement_id", "party", "valid_from", name=op.f("uq_executing_body_agreement_id")
        ),
    )
    with op.batch_alter_table("executing_body", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_executing_body_agreement_id"), ["agreement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("executing_body", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_executing_body_agreement_id"))
    op.drop_table("executing_body")
    with op.batch_alter_table("agreement_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_event_agreement_id"))
    op.drop_table("agreement_event")
    op.drop_table("agreement")
