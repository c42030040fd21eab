"""FCA: cases, sources, items (with full-text index), entities and tags.

Revision ID: fca_0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from heroes.core.db import UTCDateTime

revision: str = "fca_0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = ("fca",)
depends_on: Sequence[str] | None = ("core_0001",)

# SQLite: an external-content FTS5 table kept in step with fca_items by triggers.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE fca_fts USING fts5(text, path, content='fca_items', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER fca_items_ai AFTER INSERT ON fca_items BEGIN "
    "INSERT INTO fca_fts(rowid, text, path) VALUES (new.id, new.text, new.path); END",
    "CREATE TRIGGER fca_items_ad AFTER DELETE ON fca_items BEGIN "
    "INSERT INTO fca_fts(fca_fts, rowid, text, path) VALUES ('delete', old.id, old.text, old.path); END",
    "CREATE TRIGGER fca_items_au AFTER UPDATE OF text, path ON fca_items BEGIN "
    "INSERT INTO fca_fts(fca_fts, rowid, text, path) VALUES ('delete', old.id, old.text, old.path); "
    "INSERT INTO fca_fts(rowid, text, path) VALUES (new.id, new.text, new.path); END",
]
POSTGRES_FTS = "CREATE INDEX ix_fca_items_fts ON fca_items USING gin (to_tsvector('simple', text))"


def upgrade() -> None:
    op.create_table(
        "fca_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region", sa.String(2), nullable=True),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fca_cases"),
        sa.UniqueConstraint("name", name="uq_fca_cases_name"),
    )
    op.create_table(
        "fca_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("fca_cases.id", ondelete="CASCADE", name="fk_fca_sources_case_id_fca_cases"),
            nullable=False,
        ),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("hashes_intake", sa.JSON(), nullable=False),
        sa.Column("hashes_end", sa.JSON(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(36), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fca_sources"),
    )
    op.create_index("ix_fca_sources_case_id", "fca_sources", ["case_id"])
    op.create_table(
        "fca_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("fca_cases.id", ondelete="CASCADE", name="fk_fca_items_case_id_fca_cases"),
            nullable=False,
        ),
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey("fca_sources.id", ondelete="CASCADE", name="fk_fca_items_source_id_fca_sources"),
            nullable=False,
        ),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("inode", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("mime", sa.String(120), nullable=False),
        sa.Column("extension_mismatch", sa.Boolean(), nullable=False),
        sa.Column("md5", sa.String(32), nullable=False),
        sa.Column("sha1", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("mtime", UTCDateTime(), nullable=True),
        sa.Column("atime", UTCDateTime(), nullable=True),
        sa.Column("ctime", UTCDateTime(), nullable=True),
        sa.Column("crtime", UTCDateTime(), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("matches", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fca_items"),
        sa.UniqueConstraint("source_id", "path", "inode", name="uq_fca_items_source_path_inode"),
    )
    op.create_index("ix_fca_items_case_id", "fca_items", ["case_id"])
    op.create_index("ix_fca_items_source_id", "fca_items", ["source_id"])
    op.create_index("ix_fca_items_sha256", "fca_items", ["sha256"])
    op.create_table(
        "fca_entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("fca_items.id", ondelete="CASCADE", name="fk_fca_entities_item_id_fca_items"),
            nullable=False,
        ),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("fca_cases.id", ondelete="CASCADE", name="fk_fca_entities_case_id_fca_cases"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("value", sa.String(300), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fca_entities"),
    )
    op.create_index("ix_fca_entities_item_id", "fca_entities", ["item_id"])
    op.create_index("ix_fca_entities_case_id", "fca_entities", ["case_id"])
    op.create_index("ix_fca_entities_value", "fca_entities", ["value"])
    op.create_table(
        "fca_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("fca_items.id", ondelete="CASCADE", name="fk_fca_tags_item_id_fca_items"),
            nullable=False,
        ),
        sa.Column("tag", sa.String(60), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fca_tags"),
        sa.UniqueConstraint("item_id", "tag", name="uq_fca_tags_item_tag"),
    )
    op.create_index("ix_fca_tags_item_id", "fca_tags", ["item_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(POSTGRES_FTS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS fca_fts")
    op.drop_table("fca_tags")
    op.drop_table("fca_entities")
    op.drop_table("fca_items")
    op.drop_table("fca_sources")
    op.drop_table("fca_cases")
