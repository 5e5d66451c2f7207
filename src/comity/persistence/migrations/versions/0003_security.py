"""Security: classification schemes, equivalence tables, clearances, need-to-know grants.

Revision ID: 0003_security
Revises: 0002_agreements
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_security"
down_revision: str | Sequence[str] | None = "0002_agreements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "security_scheme",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=True),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_scheme")),
    )
    op.create_table(
        "security_equivalence",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("agreement", sa.String(length=100), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_equivalence")),
    )
    op.create_index(
        op.f("ix_security_equivalence_agreement"),
        "security_equivalence",
        ["agreement"],
        unique=False,
    )
    op.create_table(
        "security_clearance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("policy_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=100), nullable=True),
        sa.Column("classifications", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("nationality", sa.String(length=16), nullable=False),
        sa.Column("issuing_authority", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revocation_reason", sa.String(length=1000), nullable=True),
        sa.Column("granted_by", sa.String(length=100), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until >= valid_from",
            name=op.f("ck_security_clearance_dated"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["security_scheme.id"],
            name=op.f("fk_security_clearance_policy_id_security_scheme"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_clearance")),
    )
    op.create_index(
        op.f("ix_security_clearance_person"), "security_clearance", ["person"], unique=False
    )
    op.create_table(
        "security_need_to_know_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("compartment", sa.String(length=200), nullable=False),
        sa.Column("granted_by", sa.String(length=100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revocation_reason", sa.String(length=1000), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until >= valid_from",
            name=op.f("ck_security_need_to_know_grant_dated"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_need_to_know_grant")),
    )
    op.create_index(
        op.f("ix_security_need_to_know_grant_person"),
        "security_need_to_know_grant",
        ["person"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_security_need_to_know_grant_person"), table_name="security_need_to_know_grant"
    )
    op.drop_table("security_need_to_know_grant")
    op.drop_index(op.f("ix_security_clearance_person"), table_name="security_clearance")
    op.drop_table("security_clearance")
    op.drop_index(op.f("ix_security_equivalence_agreement"), table_name="security_equivalence")
    op.drop_table("security_equivalence")
    op.drop_table("security_scheme")
