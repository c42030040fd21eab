"""The tables of citizen reports. What a reporter wrote is encrypted at rest; what the queue sorts
and filters by (status, category, urgency) is not, and holds no personal data.

No column anywhere holds an IP address, a user agent or any other trace of the reporter's device.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heroes.core.crypto import EncryptedJSON, EncryptedText
from heroes.core.db import Base, UTCDateTime, utcnow

STATUSES = ("new", "in_review", "referred", "closed")
OUTCOMES = (
    "action_taken",
    "referred_elsewhere",
    "no_offence_found",
    "not_enough_information",
    "duplicate",
)


class Report(Base):
    __tablename__ = "reports_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Receipt: a non-secret lookup prefix (indexed, not unique) and an Argon2id hash of the code.
    receipt_lookup: Mapped[str] = mapped_column(String(8), index=True)
    receipt_hash: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the submission's idempotency key: a resubmitted form is stored once.
    submission_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    outcome: Mapped[str | None] = mapped_column(String(40))
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    country: Mapped[str | None] = mapped_column(String(2))
    reporter_category: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(40), index=True)
    suggested_category: Mapped[str] = mapped_column(String(40))
    urgency_score: Mapped[int] = mapped_column(Integer, default=0, index=True)
    urgency_level: Mapped[str] = mapped_column(String(16), default="low")
    danger_now: Mapped[bool] = mapped_column(Boolean, default=False)
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Encrypted: everything the reporter wrote (narrative, identifiers, optional contact details)
    # and the triage explanation, which quotes the reporter's words.
    content: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    triage: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)

    identifiers: Mapped[list[ReportIdentifier]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        order_by="ReportIdentifier.id",
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    notes: Mapped[list[Note]] = relationship(cascade="all, delete-orphan", order_by="Note.id")
    messages: Mapped[list[Message]] = relationship(cascade="all, delete-orphan", order_by="Message.id")
    history: Mapped[list[StatusChange]] = relationship(cascade="all, delete-orphan", order_by="StatusChange.id")


class ReportIdentifier(Base):
    """A phone, e-mail, username, URL, address or plate of a report, for linking reports.

    `digest` is a keyed hash (HMAC-SHA256) of kind and normalised value: equal values link without
    the value itself being searchable in clear; the value is kept encrypted for display.
    """

    __tablename__ = "reports_identifiers"
    __table_args__ = (Index("ix_reports_identifiers_digest", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports_reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(EncryptedText)
    raw: Mapped[str] = mapped_column(EncryptedText)
    source: Mapped[str] = mapped_column(String(8))
    detail: Mapped[str] = mapped_column(String(40), default="")

    report: Mapped[Report] = relationship(back_populates="identifiers")


class Attachment(Base):
    """A cleaned upload; the bytes live encrypted in a file under the data folder."""

    __tablename__ = "reports_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports_reports.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(80))  # "reporter" or a staff username
    filename: Mapped[str] = mapped_column(EncryptedText)
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # of the cleaned file, before encryption
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)

    report: Mapped[Report] = relationship(back_populates="attachments")


class Note(Base):
    """An internal note: staff only, never shown to the reporter."""

    __tablename__ = "reports_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports_reports.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(EncryptedText)


class Message(Base):
    """What the reporter sees with the receipt: staff questions, the reporter's answers and
    the information the reporter added later."""

    __tablename__ = "reports_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports_reports.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(10))  # "question", "answer" or "info"
    author: Mapped[str] = mapped_column(String(80))  # "reporter" or a staff username
    reply_to: Mapped[int | None] = mapped_column(ForeignKey("reports_messages.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(EncryptedText)


class StatusChange(Base):
    __tablename__ = "reports_status_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports_reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(40))
