"""FCA's tables: cases (owned by an organisation, seen by their members), their sources, the items
found in them, their text chunks' sentence vectors, entities and tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from heroes.core.db import Base, UTCDateTime, utcnow


class FcaCase(Base):
    __tablename__ = "fca_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # None only for cases made before cases had organisations (admins see those, and can re-home them).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True, default=None
    )
    region: Mapped[str | None] = mapped_column(String(2), nullable=True)  # default phone region
    owner: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FcaCaseMember(Base):
    """Who may see a case: its creator (lead) and the people a lead or an admin added."""

    __tablename__ = "fca_case_members"
    __table_args__ = (UniqueConstraint("case_id", "user_id", name="uq_fca_case_members_case_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("fca_cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12), default="member")  # lead, member
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FcaSource(Base):
    __tablename__ = "fca_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("fca_cases.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))  # folder, raw, ewf, archive ...
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, running, done, failed
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    hashes_intake: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hashes_end: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    items: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FcaItem(Base):
    __tablename__ = "fca_items"
    __table_args__ = (UniqueConstraint("source_id", "path", "inode", name="uq_fca_items_source_path_inode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("fca_cases.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("fca_sources.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)
    inode: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    mime: Mapped[str] = mapped_column(String(120), default="")
    extension_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    md5: Mapped[str] = mapped_column(String(32), default="")
    sha1: Mapped[str] = mapped_column(String(40), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    mtime: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    atime: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ctime: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    crtime: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    matches: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)


class FcaChunk(Base):
    """A passage of an item's text (its character span) and its sentence vector (float16, L2-normalised)."""

    __tablename__ = "fca_chunks"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("fca_items.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("fca_cases.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class FcaEntity(Base):
    __tablename__ = "fca_entities"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("fca_items.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("fca_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(300), index=True)
    status: Mapped[str] = mapped_column(String(12))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class FcaTag(Base):
    __tablename__ = "fca_tags"
    __table_args__ = (UniqueConstraint("item_id", "tag", name="uq_fca_tags_item_tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("fca_items.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(60))
    author: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
