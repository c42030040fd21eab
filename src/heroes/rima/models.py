"""RIMA's tables: the evidence packages this installation holds and the investigators' message tags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from heroes.core.crypto import EncryptedText
from heroes.core.db import Base, UTCDateTime, utcnow


class RimaPackage(Base):
    __tablename__ = "rima_packages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the manifest's package_id
    case: Mapped[str] = mapped_column(EncryptedText)
    examiner: Mapped[str] = mapped_column(String(120))
    path: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    messages: Mapped[int] = mapped_column(Integer, default=0)
    conversations: Mapped[int] = mapped_column(Integer, default=0)


class RimaTag(Base):
    __tablename__ = "rima_tags"
    __table_args__ = (UniqueConstraint("package_id", "message_id", "tag", name="uq_rima_tags_message_tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(ForeignKey("rima_packages.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(16))
    tag: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)
    author: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
