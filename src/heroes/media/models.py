"""The media tool's tables: imported hash lists, scans and their per-file results.

Paths of scanned files can name people, so they are encrypted at rest; hashes, sizes, types
and list categories are not personal data and stay searchable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from heroes.core.crypto import EncryptedText
from heroes.core.db import Base, UTCDateTime, utcnow


class MediaHashList(Base):
    __tablename__ = "media_hash_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    format: Mapped[str] = mapped_column(String(20))
    ignore: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(255), default="")  # file name it came from
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # entries per hash type
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MediaHashEntry(Base):
    __tablename__ = "media_hash_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("media_hash_lists.id", ondelete="CASCADE"), index=True)
    hash_type: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(120), default="")
    label: Mapped[str] = mapped_column(String(200), default="")
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MediaScan(Base):
    __tablename__ = "media_scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str | None] = mapped_column(String(36), index=True, nullable=True)
    owner: Mapped[str] = mapped_column(String(80), index=True)
    source: Mapped[str] = mapped_column(EncryptedText)  # the scanned path(s), one per line
    list_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    distance: Mapped[int] = mapped_column(Integer, default=31)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MediaScanResult(Base):
    __tablename__ = "media_scan_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("media_scans.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(EncryptedText)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    type: Mapped[str] = mapped_column(String(16))
    md5: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    sha1: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pdq: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pdq_quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    matched: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)  # "list / category"
    matches: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ignored_by: Mapped[list[str]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
