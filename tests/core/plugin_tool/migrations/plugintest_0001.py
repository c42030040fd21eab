"""The plug-in test tool's one table.

Revision ID: plugintest_0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "plugintest_0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("plugintest",)
depends_on: Sequence[str] | None = ("core_0001",)


def upgrade() -> None:
    op.create_table("plugintest_notes", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("plugintest_notes")
