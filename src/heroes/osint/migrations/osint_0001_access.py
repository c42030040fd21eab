"""OSINT: who may see each collection, as rows (they were ``NAME.access.json`` files beside it).

Existing access files are read into these rows the first time the tool looks at its collections
(``heroes.osint.store``), not here: the files live in the data folder, which a migration does not own.

Revision ID: osint_0001
Revises:
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from heroes.core.db import UTCDateTime

revision: str = "osint_0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("osint",)
depends_on: Sequence[str] | None = ("core_organisations",)


def upgrade() -> None:
    op.create_table(
        "osint_collections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey(
                "organisations.id", ondelete="SET NULL", name="fk_osint_collections_organisation_id_organisations"
            ),
            nullable=True,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_osint_collections"),
        sa.UniqueConstraint("name", name="uq_osint_collections_name"),
    )
    op.create_index("ix_osint_collections_owner", "osint_collections", ["owner"])
    op.create_index("ix_osint_collections_organisation_id", "osint_collections", ["organisation_id"])
    op.create_table(
        "osint_collection_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "collection_id",
            sa.Integer(),
            sa.ForeignKey(
                "osint_collections.id",
                ondelete="CASCADE",
                name="fk_osint_collection_members_collection_id_osint_collections",
            ),
            nullable=False,
        ),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("added_by", sa.String(80), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_osint_collection_members"),
        sa.UniqueConstraint("collection_id", "username", name="uq_osint_collection_members_collection"),
    )
    op.create_index("ix_osint_collection_members_collection_id", "osint_collection_members", ["collection_id"])
    op.create_index("ix_osint_collection_members_username", "osint_collection_members", ["username"])


def downgrade() -> None:
    op.drop_table("osint_collection_members")
    op.drop_table("osint_collections")
