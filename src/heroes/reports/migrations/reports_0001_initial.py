"""Citizen reports: reports, identifiers for linking, attachments, notes, messages, status history.

Revision ID: reports_0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from heroes.core.db import UTCDateTime

revision: str = "reports_0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("reports",)
depends_on: Sequence[str] | None = ("core_0001",)

# Encrypted columns are Text holding Fernet tokens (heroes.core.crypto).


def upgrade() -> None:
    op.create_table(
        "reports_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("receipt_lookup", sa.String(length=8), nullable=False),
        sa.Column("receipt_hash", sa.String(length=255), nullable=False),
        sa.Column("submission_digest", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("reporter_category", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("suggested_category", sa.String(length=40), nullable=False),
        sa.Column("urgency_score", sa.Integer(), nullable=False),
        sa.Column("urgency_level", sa.String(length=16), nullable=False),
        sa.Column("danger_now", sa.Boolean(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("triage", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to"],
            ["users.id"],
            name=op.f("fk_reports_reports_assigned_to_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_reports")),
        sa.UniqueConstraint("submission_digest", name=op.f("uq_reports_reports_submission_digest")),
    )
    op.create_index(
        op.f("ix_reports_reports_assigned_to"),
        "reports_reports",
        ["assigned_to"],
        unique=False,
    )
    op.create_index(
        op.f("ix_reports_reports_category"),
        "reports_reports",
        ["category"],
        unique=False,
    )
    op.create_index(
        op.f("ix_reports_reports_created_at"),
        "reports_reports",
        ["created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_reports_reports_receipt_lookup"),
        "reports_reports",
        ["receipt_lookup"],
        unique=False,
    )
    op.create_index(op.f("ix_reports_reports_status"), "reports_reports", ["status"], unique=False)
    op.create_index(
        op.f("ix_reports_reports_urgency_score"),
        "reports_reports",
        ["urgency_score"],
        unique=False,
    )
    op.create_table(
        "reports_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=80), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_name", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports_reports.id"],
            name=op.f("fk_reports_attachments_report_id_reports_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_attachments")),
        sa.UniqueConstraint("storage_name", name=op.f("uq_reports_attachments_storage_name")),
    )
    op.create_index(
        op.f("ix_reports_attachments_report_id"),
        "reports_attachments",
        ["report_id"],
        unique=False,
    )
    op.create_table(
        "reports_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("detail", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports_reports.id"],
            name=op.f("fk_reports_identifiers_report_id_reports_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_identifiers")),
    )
    op.create_index("ix_reports_identifiers_digest", "reports_identifiers", ["digest"], unique=False)
    op.create_index(
        op.f("ix_reports_identifiers_report_id"),
        "reports_identifiers",
        ["report_id"],
        unique=False,
    )
    op.create_table(
        "reports_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("reply_to", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reply_to"],
            ["reports_messages.id"],
            name=op.f("fk_reports_messages_reply_to_reports_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports_reports.id"],
            name=op.f("fk_reports_messages_report_id_reports_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_messages")),
    )
    op.create_index(
        op.f("ix_reports_messages_report_id"),
        "reports_messages",
        ["report_id"],
        unique=False,
    )
    op.create_table(
        "reports_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports_reports.id"],
            name=op.f("fk_reports_notes_report_id_reports_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_notes")),
    )
    op.create_index(op.f("ix_reports_notes_report_id"), "reports_notes", ["report_id"], unique=False)
    op.create_table(
        "reports_status_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports_reports.id"],
            name=op.f("fk_reports_status_history_report_id_reports_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_status_history")),
    )
    op.create_index(
        op.f("ix_reports_status_history_report_id"),
        "reports_status_history",
        ["report_id"],
        unique=False,
    )


def downgrade() -> None:
    for table in (
        "reports_status_history",
        "reports_notes",
        "reports_messages",
        "reports_identifiers",
        "reports_attachments",
        "reports_reports",
    ):
        op.drop_table(table)
