"""Training: learners' progress and answers, certificates, xAPI statements and their filter links.

Revision ID: training_0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from heroes.core.db import UTCDateTime

revision: str = "training_0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("training",)
depends_on: Sequence[str] | None = "core_0001"


def _users_fk(table: str) -> sa.ForeignKey:
    return sa.ForeignKey("users.id", ondelete="CASCADE", name=f"fk_{table}_user_id_users")


def upgrade() -> None:
    op.create_table(
        "training_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), _users_fk("training_progress"), nullable=False),
        sa.Column("course_id", sa.String(60), nullable=False),
        sa.Column("course_version", sa.Integer(), nullable=False),
        sa.Column("registration", sa.String(36), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("modules_done", sa.JSON(), nullable=False),
        sa.Column("pre_score", sa.Float(), nullable=True),
        sa.Column("post_score", sa.Float(), nullable=True),
        sa.Column("post_attempts", sa.Integer(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_training_progress"),
        sa.UniqueConstraint("user_id", "course_id", name="uq_training_progress_user_course"),
        sa.UniqueConstraint("registration", name="uq_training_progress_registration"),
    )
    op.create_index("ix_training_progress_user_id", "training_progress", ["user_id"])
    op.create_index("ix_training_progress_course_id", "training_progress", ["course_id"])
    op.create_table(
        "training_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "progress_id",
            sa.Integer(),
            sa.ForeignKey(
                "training_progress.id", ondelete="CASCADE", name="fk_training_answer_progress_id_training_progress"
            ),
            nullable=False,
        ),
        sa.Column("registration", sa.String(36), nullable=False),
        sa.Column("test", sa.String(80), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(60), nullable=False),
        sa.Column("given", sa.JSON(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_training_answer"),
    )
    op.create_index("ix_training_answer_progress_id", "training_answer", ["progress_id"])
    op.create_index("ix_training_answer_registration", "training_answer", ["registration"])
    op.create_table(
        "training_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("user_id", sa.Integer(), _users_fk("training_certificate"), nullable=False),
        sa.Column("course_id", sa.String(60), nullable=False),
        sa.Column("course_version", sa.Integer(), nullable=False),
        sa.Column("registration", sa.String(36), nullable=False),
        sa.Column("learner_name", sa.String(200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_training_certificate"),
        sa.UniqueConstraint("code", name="uq_training_certificate_code"),
    )
    op.create_index("ix_training_certificate_user_id", "training_certificate", ["user_id"])
    op.create_index("ix_training_certificate_course_id", "training_certificate", ["course_id"])
    op.create_index("ix_training_certificate_expires_at", "training_certificate", ["expires_at"])
    op.create_table(
        "xapi_statement",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("stored", UTCDateTime(), nullable=False),
        sa.Column("timestamp", UTCDateTime(), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("verb_id", sa.String(1000), nullable=False),
        sa.Column("registration", sa.String(36), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("voids", sa.String(36), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("statement", sa.JSON(), nullable=False),
        sa.Column("forwarded_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_xapi_statement"),
    )
    op.create_index("ix_xapi_statement_stored", "xapi_statement", ["stored"])
    op.create_index("ix_xapi_statement_verb_id", "xapi_statement", ["verb_id"])
    op.create_index("ix_xapi_statement_registration", "xapi_statement", ["registration"])
    op.create_index("ix_xapi_statement_organisation_id", "xapi_statement", ["organisation_id"])
    op.create_table(
        "xapi_statement_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "statement_id",
            sa.String(36),
            sa.ForeignKey(
                "xapi_statement.id", ondelete="CASCADE", name="fk_xapi_statement_link_statement_id_xapi_statement"
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.String(1000), nullable=False),
        sa.Column("direct", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_xapi_statement_link"),
    )
    op.create_index("ix_xapi_statement_link_statement_id", "xapi_statement_link", ["statement_id"])
    op.create_index("ix_xapi_statement_link_kind_value", "xapi_statement_link", ["kind", "value"])


def downgrade() -> None:
    for table in ("xapi_statement_link", "xapi_statement", "training_certificate", "training_answer"):
        op.drop_table(table)
    op.drop_table("training_progress")
