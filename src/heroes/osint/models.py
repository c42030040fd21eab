"""The OSINT tool's tables: who may see each collection (the ads themselves stay in JSON Lines files).

A collection has one row: its owner (the account that created it) and the organisation it is shared
with, if any; members are accounts added by name. Nobody else sees it (a 404, as for a wrong name).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from heroes.core.db import Base, UTCDateTime, utcnow


class OsintCollection(Base):
    __tablename__ = "osint_collections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    owner: Mapped[str] = mapped_column(String(80), index=True)
    # Shared with this organisation's accounts; None: with nobody beyond the owner and the members.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True, default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OsintCollectionMember(Base):
    __tablename__ = "osint_collection_members"
    __table_args__ = (UniqueConstraint("collection_id", "username", name="uq_osint_collection_members_collection"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("osint_collections.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    added_by: Mapped[str] = mapped_column(String(80))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
