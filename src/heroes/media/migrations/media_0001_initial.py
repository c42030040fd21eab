"""Media hash matching: hash lists and their entries, scans and per-file results.

Revision ID: media_0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from heroes.core.db import UTCDateTime

revision: str = "media_0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("media",)
depends_on: Sequence[str] | None = ("core_0001",)

# Encrypted columns are Text holding Fernet tokens (heroes.core.crypto).


def upgrade() -> None:
    op.create_table(
        "media_hash_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("ignore", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_media_hash_lists"),
        sa.UniqueConstraint("name", name="uq_media_hash_lists_name"),
    )
    op.create_table(
        "media_hash_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "list_id",
            sa.Integer(),
            sa.ForeignKey(
                "media_hash_lists.id", ondelete="CASCADE", name="fk_media_hash_entries_list_id_media_hash_lists"
            ),
            nullable=False,
        ),
        sa.Column("hash_type", sa.String(16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("category", sa.String(120), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_media_hash_entries"),
    )
    op.create_index("ix_media_hash_entries_list_id", "media_hash_entries", ["list_id"])
    op.create_table(
        "media_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(36), nullable=True),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("list_names", sa.JSON(), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_media_scans"),
    )
    op.create_index("ix_media_scans_job_id", "media_scans", ["job_id"])
    op.create_index("ix_media_scans_owner", "media_scans", ["owner"])
    op.create_table(
        "media_scan_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "scan_id",
            sa.Integer(),
            sa.ForeignKey("media_scans.id", ondelete="CASCADE", name="fk_media_scan_results_scan_id_media_scans"),
            nullable=False,
        ),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("md5", sa.String(32), nullable=True),
        sa.Column("sha1", sa.String(40), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("pdq", sa.String(64), nullable=True),
        sa.Column("pdq_quality", sa.Integer(), nullable=True),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("matches", sa.JSON(), nullable=False),
        sa.Column("ignored_by", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_media_scan_results"),
    )
    op.create_index("ix_media_scan_results_scan_id", "media_scan_results", ["scan_id"])
    op.create_index("ix_media_scan_results_md5", "media_scan_results", ["md5"])
    op.create_index("ix_media_scan_results_matched", "media_scan_results", ["matched"])


def downgrade() -> None:
    op.drop_table("media_scan_results")
    op.drop_table("media_scans")
    op.drop_table("media_hash_entries")
    op.drop_table("media_hash_lists")
