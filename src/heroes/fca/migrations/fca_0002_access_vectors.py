"""FCA: cases belong to an organisation and have members; stored sentence vectors per text chunk.

Existing cases take the organisation of their creator's account, and the creator becomes the case's
lead; a case whose creator has no account or no organisation stays without one (admins only).

Revision ID: fca_0002
Revises: fca_0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from heroes.core.db import UTCDateTime

revision: str = "fca_0002"
down_revision: str | None = "fca_0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = ("core_organisations",)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # A plain ADD COLUMN (no table rebuild): on SQLite a rebuild of fca_cases would cascade-delete
    # every source and item through their foreign keys. The reference is enforced on PostgreSQL.
    op.add_column("fca_cases", sa.Column("organisation_id", sa.Integer(), nullable=True))
    op.create_index("ix_fca_cases_organisation_id", "fca_cases", ["organisation_id"])
    if dialect == "postgresql":
        op.create_foreign_key(
            "fk_fca_cases_organisation_id_organisations", "fca_cases", "organisations", ["organisation_id"], ["id"],
            ondelete="RESTRICT",
        )  # fmt: skip
    op.create_table(
        "fca_case_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("fca_cases.id", ondelete="CASCADE", name="fk_fca_case_members_case_id_fca_cases"),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_fca_case_members_user_id_users"),
            nullable=False,
        ),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("added_by", sa.String(120), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fca_case_members"),
        sa.UniqueConstraint("case_id", "user_id", name="uq_fca_case_members_case_user"),
    )
    op.create_index("ix_fca_case_members_case_id", "fca_case_members", ["case_id"])
    op.create_index("ix_fca_case_members_user_id", "fca_case_members", ["user_id"])
    op.create_table(
        "fca_chunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("fca_items.id", ondelete="CASCADE", name="fk_fca_chunks_item_id_fca_items"),
            nullable=False,
        ),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("fca_cases.id", ondelete="CASCADE", name="fk_fca_chunks_case_id_fca_cases"),
            nullable=False,
        ),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fca_chunks"),
    )
    op.create_index("ix_fca_chunks_item_id", "fca_chunks", ["item_id"])
    op.create_index("ix_fca_chunks_case_id", "fca_chunks", ["case_id"])
    op.execute(
        "UPDATE fca_cases SET organisation_id = "
        "(SELECT users.organisation_id FROM users WHERE users.username = fca_cases.owner)"
    )
    op.execute(
        "INSERT INTO fca_case_members (case_id, user_id, role, added_by, added_at) "
        "SELECT fca_cases.id, users.id, 'lead', 'migration fca_0002', fca_cases.created_at "
        "FROM fca_cases JOIN users ON users.username = fca_cases.owner"
    )


def downgrade() -> None:
    op.drop_table("fca_chunks")
    op.drop_table("fca_case_members")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_fca_cases_organisation_id_organisations", "fca_cases", type_="foreignkey")
    op.drop_index("ix_fca_cases_organisation_id", "fca_cases")
    op.drop_column("fca_cases", "organisation_id")
