"""The training tool's tables: learners' progress and answers, certificates, and xAPI statements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from heroes.core.db import Base, UTCDateTime, utcnow


class Progress(Base):
    """One learner in one course: the current registration (a renewal starts a new one)."""

    __tablename__ = "training_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_training_progress_user_course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(60), index=True)
    course_version: Mapped[int] = mapped_column(Integer)
    registration: Mapped[str] = mapped_column(String(36), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    modules_done: Mapped[list[str]] = mapped_column(JSON, default=list)
    pre_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    post_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    post_attempts: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Answer(Base):
    """One answer to one question in a test or module quiz; pre/post gain per question is computed from these."""

    __tablename__ = "training_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("training_progress.id", ondelete="CASCADE"), index=True)
    registration: Mapped[str] = mapped_column(String(36), index=True)
    test: Mapped[str] = mapped_column(String(80))  # "pre", "post" or "quiz:<module>"
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    question_id: Mapped[str] = mapped_column(String(60))
    given: Mapped[list[str]] = mapped_column(JSON, default=list)
    correct: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(Base):
    __tablename__ = "training_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(60), index=True)
    course_version: Mapped[int] = mapped_column(Integer)
    registration: Mapped[str] = mapped_column(String(36))
    learner_name: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Statement(Base):
    """An xAPI statement as stored by the platform's learning-record store (the full JSON in `statement`)."""

    __tablename__ = "xapi_statement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stored: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[str] = mapped_column(String(16))
    verb_id: Mapped[str] = mapped_column(String(1000), index=True)
    registration: Mapped[str | None] = mapped_column(String(36), index=True, nullable=True)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    voids: Mapped[str | None] = mapped_column(String(36), nullable=True)  # the target of a voiding statement
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StatementLink(Base):
    """What a statement is about, for the spec's filters: agents and activities, direct or related."""

    __tablename__ = "xapi_statement_link"
    __table_args__ = (Index("ix_xapi_statement_link_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("xapi_statement.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "agent" or "activity"
    value: Mapped[str] = mapped_column(String(1000))
    direct: Mapped[bool] = mapped_column(Boolean)  # actor/object (True) or elsewhere (related)
