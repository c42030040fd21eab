"""Cases: case, legal identity, history, consent, referral, override, interview, plan, note, duplicates.

Revision ID: cases_0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from heroes.core.db import UTCDateTime

revision: str = "cases_0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("cases",)
depends_on: Sequence[str] | None = "core_organisations"


def _fk(column: str, target: str, ondelete: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete=ondelete, name=f"fk_{table}_{column}_{target}")


def _case(table: str) -> sa.ForeignKeyConstraint:
    return _fk("case_id", "cases_case", "CASCADE", table)


def upgrade() -> None:
    op.create_table(
        "cases_case",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(80), nullable=False),
        sa.Column("child", sa.Boolean(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("exploitation", sa.JSON(), nullable=False),
        sa.Column("risk", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("screening", sa.JSON(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("anonymised", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("organisation_id", "organisations", "RESTRICT", "cases_case"),
        _fk("coordinator_id", "users", "SET NULL", "cases_case"),
    )
    op.create_index("ix_cases_case_organisation_id", "cases_case", ["organisation_id"])
    op.create_index("ix_cases_case_status", "cases_case", ["status"])
    op.create_table(
        "cases_identity",
        sa.Column("case_id", sa.Integer(), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _case("cases_identity"),
    )
    op.create_table(
        "cases_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("old", sa.String(80), nullable=False),
        sa.Column("new", sa.String(80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _case("cases_event"),
    )
    op.create_index("ix_cases_event_case_id", "cases_event", ["case_id"])
    op.create_table(
        "cases_consent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("given_by", sa.String(20), nullable=False),
        sa.Column("given_by_detail", sa.Text(), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(80), nullable=True),
        _case("cases_consent"),
        _fk("organisation_id", "organisations", "CASCADE", "cases_consent"),
    )
    op.create_index("ix_cases_consent_case_org", "cases_consent", ["case_id", "organisation_id"])
    op.create_table(
        "cases_referral",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_organisation_id", sa.Integer(), nullable=False),
        sa.Column("to_organisation_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("response_reason", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("responded_by", sa.String(80), nullable=True),
        sa.Column("responded_at", UTCDateTime(), nullable=True),
        _case("cases_referral"),
        _fk("from_organisation_id", "organisations", "RESTRICT", "cases_referral"),
        _fk("to_organisation_id", "organisations", "RESTRICT", "cases_referral"),
        _fk("consent_id", "cases_consent", "SET NULL", "cases_referral"),
    )
    op.create_index("ix_cases_referral_case_id", "cases_referral", ["case_id"])
    op.create_index("ix_cases_referral_to_organisation_id", "cases_referral", ["to_organisation_id"])
    op.create_table(
        "cases_override",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("grounds", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sa.String(80), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        _case("cases_override"),
        _fk("user_id", "users", "CASCADE", "cases_override"),
        _fk("organisation_id", "organisations", "CASCADE", "cases_override"),
    )
    op.create_index("ix_cases_override_case_id", "cases_override", ["case_id"])
    op.create_table(
        "cases_interview",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("interviewer", sa.Text(), nullable=False),
        sa.Column("interpreter", sa.Text(), nullable=False),
        sa.Column("observers", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("attachment", sa.String(80), nullable=True),
        sa.Column("attachment_sha256", sa.String(64), nullable=True),
        sa.Column("created_by", sa.String(80), nullable=False),
        _case("cases_interview"),
        _fk("organisation_id", "organisations", "RESTRICT", "cases_interview"),
    )
    op.create_index("ix_cases_interview_case_id", "cases_interview", ["case_id"])
    op.create_table(
        "cases_plan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("need", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _case("cases_plan"),
        _fk("owner_organisation_id", "organisations", "SET NULL", "cases_plan"),
    )
    op.create_index("ix_cases_plan_case_id", "cases_plan", ["case_id"])
    op.create_table(
        "cases_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        _case("cases_note"),
        _fk("organisation_id", "organisations", "RESTRICT", "cases_note"),
    )
    op.create_index("ix_cases_note_case_id", "cases_note", ["case_id"])
    op.create_table(
        "cases_duplicate",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("other_case_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(80), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        _case("cases_duplicate"),
        sa.ForeignKeyConstraint(
            ["other_case_id"], ["cases_case.id"], ondelete="CASCADE", name="fk_cases_duplicate_other_case_id_cases_case"
        ),
    )
    op.create_index("ix_cases_duplicate_case_id", "cases_duplicate", ["case_id"])


def downgrade() -> None:
    for table in (
        "cases_duplicate",
        "cases_note",
        "cases_plan",
        "cases_interview",
        "cases_override",
        "cases_referral",
        "cases_consent",
        "cases_event",
        "cases_identity",
        "cases_case",
    ):
        op.drop_table(table)
