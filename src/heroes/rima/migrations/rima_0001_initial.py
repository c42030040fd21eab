"""RIMA: evidence packages and message tags.

Revision ID: rima_0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from heroes.core.db import UTCDateTime

revision: str = "rima_0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("rima",)
depends_on: Sequence[str] | None = ("core_0001",)

# Encrypted columns are Text holding Fernet tokens (heroes.core.crypto).


def upgrade() -> None:
    op.create_table(
        "rima_packages",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case", sa.Text(), nullable=False),
        sa.Column("examiner", sa.String(120), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("conversations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rima_packages"),
    )
    op.create_table(
        "rima_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "package_id",
            sa.String(36),
            sa.ForeignKey("rima_packages.id", ondelete="CASCADE", name="fk_rima_tags_package_id_rima_packages"),
            nullable=False,
        ),
        sa.Column("message_id", sa.String(16), nullable=False),
        sa.Column("tag", sa.String(60), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rima_tags"),
        sa.UniqueConstraint("package_id", "message_id", "tag", name="uq_rima_tags_message_tag"),
    )
    op.create_index("ix_rima_tags_package_id", "rima_tags", ["package_id"])


def downgrade() -> None:
    op.drop_index("ix_rima_tags_package_id", table_name="rima_tags")
    op.drop_table("rima_tags")
    op.drop_table("rima_packages")
