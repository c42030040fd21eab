"""Screening: the referral directory (HSDS organization, service, phone, location, service_at_location).

Revision ID: screening_0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from heroes.core.db import UTCDateTime

revision: str = "screening_0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("screening",)
depends_on: Sequence[str] | None = "core_0001"


def _fk(table: str, column: str, target: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", ondelete="CASCADE", name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "screening_organization",
        sa.Column("id", sa.String(60), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_screening_organization"),
    )
    op.create_index("ix_screening_organization_country", "screening_organization", ["country"])
    op.create_table(
        "screening_service",
        sa.Column("id", sa.String(60), nullable=False),
        sa.Column(
            "organization_id",
            sa.String(60),
            _fk("screening_service", "organization_id", "screening_organization"),
            nullable=False,
        ),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_screening_service"),
    )
    op.create_index("ix_screening_service_country", "screening_service", ["country"])
    op.create_index("ix_screening_service_organization_id", "screening_service", ["organization_id"])
    op.create_table(
        "screening_phone",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "service_id", sa.String(60), _fk("screening_phone", "service_id", "screening_service"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_screening_phone"),
    )
    op.create_index("ix_screening_phone_service_id", "screening_phone", ["service_id"])
    op.create_table(
        "screening_location",
        sa.Column("id", sa.String(60), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("location_type", sa.String(16), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_screening_location"),
    )
    op.create_index("ix_screening_location_country", "screening_location", ["country"])
    op.create_table(
        "screening_service_at_location",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "service_id",
            sa.String(60),
            _fk("screening_service_at_location", "service_id", "screening_service"),
            nullable=False,
        ),
        sa.Column(
            "location_id",
            sa.String(60),
            _fk("screening_service_at_location", "location_id", "screening_location"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_screening_service_at_location"),
        sa.UniqueConstraint("service_id", "location_id", name="uq_screening_service_at_location_service_id"),
    )
    op.create_index("ix_screening_service_at_location_service_id", "screening_service_at_location", ["service_id"])
    op.create_index("ix_screening_service_at_location_location_id", "screening_service_at_location", ["location_id"])


def downgrade() -> None:
    op.drop_table("screening_service_at_location")
    op.drop_table("screening_location")
    op.drop_table("screening_phone")
    op.drop_table("screening_service")
    op.drop_table("screening_organization")
