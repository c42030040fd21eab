"""The referral directory's tables (HSDS 3.0 objects). Public contact data, no personal data:
the screening itself stores nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heroes.core.db import Base, UTCDateTime, utcnow


class DirOrganization(Base):
    __tablename__ = "screening_organization"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)  # readable key, e.g. "gb-nspcc"
    country: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[dict[str, str]] = mapped_column(JSON)
    url: Mapped[str | None] = mapped_column(String(500))


class DirService(Base):
    __tablename__ = "screening_service"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("screening_organization.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    description: Mapped[dict[str, str]] = mapped_column(JSON)
    hours: Mapped[dict[str, str]] = mapped_column(JSON)
    audience: Mapped[list[str]] = mapped_column(JSON)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    email: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80), default="seed")
    phones: Mapped[list[DirPhone]] = relationship(
        order_by="DirPhone.position", cascade="all, delete-orphan", lazy="selectin"
    )


class DirPhone(Base):
    __tablename__ = "screening_phone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("screening_service.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str] = mapped_column(String(40))
    description: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DirLocation(Base):
    __tablename__ = "screening_location"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[str] = mapped_column(String(200))
    location_type: Mapped[str] = mapped_column(String(16), default="virtual")
    description: Mapped[dict[str, str] | None] = mapped_column(JSON)


class DirServiceAtLocation(Base):
    __tablename__ = "screening_service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("screening_service.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("screening_location.id", ondelete="CASCADE"), index=True)
