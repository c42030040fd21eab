"""The case tool's tables. Personal and free-text fields are encrypted at rest (EncryptedText/JSON).

A case belongs to the organisation that created it. The person appears under a pseudonym; the legal
identity is a separate, encrypted record that fewer roles may read. `version` is the optimistic lock:
every UPDATE carries `WHERE version = <the version read>`, so an edit based on an old version fails.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from heroes.core.crypto import EncryptedJSON, EncryptedText
from heroes.core.db import Base, UTCDateTime, utcnow

STATUSES = ("open", "active", "closed")
RISK_LEVELS = ("low", "medium", "high", "urgent")
EXPLOITATION_FORMS = ("sexual", "labour", "domestic", "criminal", "begging", "marriage", "organ", "other")
CONSENT_PURPOSES = ("assessment", "share_org", "share_police", "research")
CONSENT_GIVERS = ("person", "guardian", "best_interest")
CONSENT_METHODS = ("spoken", "written", "interpreted")
NEEDS = ("safety", "shelter", "health", "psychological", "legal", "immigration", "education", "livelihood")
NOTE_CATEGORIES = ("general", "health", "legal", "police")
OVERRIDE_GROUNDS = ("imminent_danger", "legal_duty")
REFERRAL_STATES = ("pending", "accepted", "declined", "withdrawn")
LINK_KINDS = ("report", "investigation", "screening", "other")


def _case_fk() -> Any:
    return ForeignKey("cases_case.id", ondelete="CASCADE")


class Case(Base):
    __tablename__ = "cases_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(80))
    child: Mapped[bool] = mapped_column(Boolean, default=False)
    country: Mapped[str] = mapped_column(String(2), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    exploitation: Mapped[list[str]] = mapped_column(JSON, default=list)
    risk: Mapped[str] = mapped_column(String(16), default="medium")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    summary: Mapped[str] = mapped_column(EncryptedText, default="")
    # What a screening that opened the case found: level, country, indicator ids. No free text.
    screening: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # References to records in other tools: citizen report receipts, investigation numbers ({kind, ref}).
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class CaseIdentity(Base):
    """The legal identity: name, date of birth, nationality, identifiers. Read by fewer roles."""

    __tablename__ = "cases_identity"

    case_id: Mapped[int] = mapped_column(_case_fk(), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseEvent(Base):
    """History of risk, status and coordinator changes, with the reason given."""

    __tablename__ = "cases_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(_case_fk(), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    old: Mapped[str] = mapped_column(String(80), default="")
    new: Mapped[str] = mapped_column(String(80), default="")
    reason: Mapped[str] = mapped_column(EncryptedText, default="")


class CaseConsent(Base):
    __tablename__ = "cases_consent"
    __table_args__ = (Index("ix_cases_consent_case_org", "case_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(_case_fk())
    purpose: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), default=None
    )
    given_by: Mapped[str] = mapped_column(String(20))
    given_by_detail: Mapped[str] = mapped_column(EncryptedText, default="")  # e.g. the guardian's role
    method: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(80))
    fields: Mapped[list[str] | None] = mapped_column(JSON, default=None)  # None: every field the table allows
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    withdrawn_by: Mapped[str | None] = mapped_column(String(80), default=None)


class CaseReferral(Base):
    __tablename__ = "cases_referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(_case_fk(), index=True)
    from_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    to_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("cases_consent.id", ondelete="SET NULL"))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(EncryptedText, default="")
    state: Mapped[str] = mapped_column(String(16), default="pending")
    response_reason: Mapped[str] = mapped_column(EncryptedText, default="")
    deadline: Mapped[date | None] = mapped_column(Date, default=None)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_by: Mapped[str | None] = mapped_column(String(80), default=None)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class AccessOverride(Base):
    """Access without consent (imminent danger, legal duty): reason required, flagged for review."""

    __tablename__ = "cases_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(_case_fk(), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    grounds: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(EncryptedText)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(80), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class CaseInterview(Base):
    """The single interview record: stored once, read by agencies with consent (each read audited)."""

    __tablename__ = "cases_interview"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(_case_fk(), index=True)
    state: Mapped[str] = mapped_column(String(16), default="done")  # scheduled | done
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    interviewer: Mapped[str] = mapped_column(EncryptedText)
    interpreter: Mapped[str] = mapped_column(EncryptedText, default="")
    observers: Mapped[list[str]] = mapped_column(EncryptedJSON, default=list)
    summary: Mapped[str] = mapped_column(EncryptedText, default="")
    transcript: Mapped[str] = mapped_column(EncryptedText, default="")
    attachment: Mapped[str | None] = mapped_column(String(80), default=None)  # encrypted file name
    attachment_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    created_by: Mapped[str] = mapped_column(String(80))


class CasePlanItem(Base):
    """A need, an action (owner organisation, due date) or a follow-up note of the service plan."""

    __tablename__ = "cases_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(_case_fk(), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # need | action | followup
    need: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(EncryptedText, default="")
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), default=None
    )
    due: Mapped[date | None] = mapped_column(Date, default=None)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseNote(Base):
    __tablename__ = "cases_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(_case_fk(), index=True)
    category: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(EncryptedText)
    author: Mapped[str] = mapped_column(String(80))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DuplicateDecision(Base):
    """A coordinator's decision on a suggested pair: the same person (linked) or kept apart."""

    __tablename__ = "cases_duplicate"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(_case_fk(), index=True)
    other_case_id: Mapped[int] = mapped_column(_case_fk())
    decision: Mapped[str] = mapped_column(String(16))  # same_person | keep_apart
    decided_by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
