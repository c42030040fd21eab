"""The public side: submit a report, follow it up by receipt, the reporter's messages.

Part of the reports library (heroes.reports.service re-exports it)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from heroes.core import audit, workers
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError, NotFoundError
from heroes.core.i18n import gettext as _
from heroes.core.models import AuditEntry
from heroes.reports import proof
from heroes.reports.attachments import MAX_FILES
from heroes.reports.intake import (
    CONTENT_FIELDS,
    LIST_FIELDS,
    MAX_TEXT,
    REPLAY,
    REPORTER,
    DuplicateSubmission,
    Submission,
    Submitted,
    Upload,
    _clip_text,
    _content,
    _replay_cipher,
    _replayed_receipt,
    _validate,
    report_input_of,
)
from heroes.reports.labels import outcome_label, status_label
from heroes.reports.linking import _store_identifiers
from heroes.reports.models import Message, Report, StatusChange
from heroes.reports.proof import Challenge
from heroes.reports.ratelimit import Failure, ReceiptThrottle
from heroes.reports.receipts import new_receipt, parse_receipt, verify_receipt
from heroes.reports.storage import _check_uploads, _write_files
from heroes.reports.triage import Triage, triage


def submit(session: Session, submission: Submission) -> Submitted:
    """Store a new report with its triage, identifiers and cleaned, encrypted attachments."""
    _validate(submission)
    with workers.cpu_slot():  # before the first database statement: no lock held while computing
        checked = _check_uploads(submission.uploads)
        result = triage(submission.report)
    receipt = new_receipt()
    digest = hashlib.sha256(submission.idempotency_key.encode()).hexdigest() if submission.idempotency_key else None
    if digest and session.execute(select(Report.id).where(Report.submission_digest == digest)).first():
        raise _replayed_receipt(session, digest, submission)
    day = submission_day()
    report = Report(
        created_at=day,
        updated_at=day,
        receipt_lookup=receipt.lookup,
        receipt_hash=receipt.code_hash,
        submission_digest=digest,
        status="new",
        language=submission.language[:8],
        country=submission.report.country,
        reporter_category=submission.report.category,
        danger_now=submission.report.danger_now,
        occurred_at=submission.report.occurred_at,
        content=_content(submission.report, submission.contact),
    )
    if submission.idempotency_key:
        sealed = _replay_cipher(submission).encrypt(receipt.code.encode()).decode()
        report.content = {**report.content, REPLAY: sealed}
    _apply_triage(report, result)
    _store_identifiers(report, result)
    try:
        with session.begin_nested():  # a concurrent resubmission with the same key loses here
            session.add(report)
            session.flush()
    except IntegrityError as exc:
        raise DuplicateSubmission() from exc
    for attachment in _write_files(session, report, checked, REPORTER):
        attachment.created_at = day
    report.history.append(StatusChange(actor=REPORTER, from_status=None, to_status="new", at=day))
    session.flush()
    audit.record(
        session,
        REPORTER,
        "reports.submit",
        f"report:{report.id}",
        {
            "attachments": len(checked),
            "category": report.category,
            "urgency": report.urgency_score,
        },
        at=day,
    )
    return Submitted(report.id, receipt.code, result)


def submission_day() -> datetime:
    """When an anonymous report arrived, to the day: a precise time could tie a reporter to a
    visit, a message sent or a camera image."""
    now = utcnow()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _apply_triage(report: Report, result: Triage) -> None:
    report.category = result.category
    report.suggested_category = result.classification.category
    report.urgency_score = result.urgency.score
    report.urgency_level = result.urgency.level
    report.triage = result.as_dict("en")


class AuditFailureStore:
    """Wrong receipts are audit entries ("reports.receipt_failed", target lookup:NNNNNN, details:
    the client token's keyed digest and the proof spent); the limits count them, so the same record
    serves the limits and the investigators, in every process."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _query(self, since: datetime) -> Any:
        return select(AuditEntry.at).where(AuditEntry.action == "reports.receipt_failed", AuditEntry.at >= since)

    def times(self, since: datetime, lookup: str | None = None, client: str | None = None) -> list[datetime]:
        query = self._query(since)
        if lookup is not None:
            query = query.where(AuditEntry.target == f"lookup:{lookup}")
        if client is not None:
            query = query.where(AuditEntry.details.contains(json.dumps({"client": client})[1:-1]))
        return list(self.session.execute(query).scalars())

    def count(self, since: datetime) -> int:
        query = select(func.count()).select_from(self._query(since).subquery())
        return int(self.session.execute(query).scalar_one())

    def spent(self, lookup: str, proof_id: str, since: datetime) -> bool:
        query = self._query(since).where(
            AuditEntry.target == f"lookup:{lookup}",
            AuditEntry.details.contains(json.dumps({"proof": proof_id})[1:-1]),
        )
        return self.session.execute(query.limit(1)).first() is not None

    def add(self, failure: Failure) -> None:
        details = {"client": failure.client, "proof": failure.proof}
        audit.record(self.session, REPORTER, "reports.receipt_failed", f"lookup:{failure.lookup}", details)


def receipt_throttle(session: Session) -> ReceiptThrottle:
    return ReceiptThrottle(AuditFailureStore(session))


def open_by_receipt(
    session: Session,
    code: str,
    *,
    client: str | None = None,
    proof_text: str | None = None,
    opened: str | None = None,
) -> Report | None:
    """The report behind a receipt, or None for a wrong code.

    A wrong code is recorded in `session` for the limits, so the caller must commit it (answer "not
    found" without raising). A lookup that needs proof of work and has none, or a stale one, raises
    RateLimited carrying a fresh challenge, before anything is checked. `opened` (given with the
    reporter's page after the right code, see opened_token) skips the work for that same code.
    """
    digits = parse_receipt(code)  # a typo (length, check digit) is refused without counting
    lookup = digits[:6]
    from heroes.reports import service  # the throttle is looked up there, so it can be replaced (tests)

    throttle = service.receipt_throttle(session)
    now = utcnow()
    who = proof.client_of(client)
    solved = None if proof.opened_is_valid(opened, digits) else throttle.admit(lookup, who, proof_text, now)
    candidates = session.execute(select(Report).where(Report.receipt_lookup == lookup)).scalars().all()
    for report in candidates:
        if verify_receipt(report.receipt_hash, digits):
            throttle.succeeded(solved)
            return report
    if not candidates:
        verify_receipt(_dummy_hash(), digits)  # same cost whether or not the lookup exists
    throttle.failed(lookup, who, solved, now)
    return None


def opened_token(code: str) -> str:
    """For the reporter's page after a right code: their next forms need no new check."""
    return proof.opened_token(parse_receipt(code))


def receipt_challenge(session: Session, lookup: str, client: str | None = None) -> Challenge:
    """A challenge for a lookup at the difficulty it needs now (bits 0: none needed)."""
    from heroes.reports import service

    if not (len(lookup) == 6 and lookup.isdigit()):
        raise HeroesError(_("A lookup is the first 6 digits of the receipt code."))
    return service.receipt_throttle(session).challenge(lookup, proof.client_of(client), utcnow())


def record_wrong_receipt(session: Session) -> None:
    """Commit the wrong code's record before the answer goes out (the limits count it at once).
    No server thread waits on a guesser: the back-off is the client's proof of work."""
    session.commit()


@cache
def _dummy_hash() -> str:
    return new_receipt().code_hash


@dataclass
class ReporterQuestion:
    id: int
    asked_at: datetime
    body: str
    answers: list[tuple[datetime, str]]


@dataclass
class ReporterView:
    """What a reporter sees with the receipt: never notes, triage, assignment or other reports."""

    status: str
    outcome: str | None
    created_at: datetime
    updated_at: datetime
    questions: list[ReporterQuestion]
    additions: list[tuple[datetime, str]]
    attachments: int
    sent: dict[str, Any] = field(default_factory=dict)  # what the reporter wrote, to re-read

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "status_label": status_label(self.status),
            "outcome": self.outcome,
            "outcome_label": outcome_label(self.outcome) if self.outcome else None,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "questions": [
                {
                    "id": q.id,
                    "asked_at": q.asked_at.isoformat(),
                    "question": q.body,
                    "answers": [{"at": at.isoformat(), "answer": body} for at, body in q.answers],
                }
                for q in self.questions
            ],
            "additions": [{"at": at.isoformat(), "text": body} for at, body in self.additions],
            "attachments": self.attachments,
            "sent": self.sent,
        }


def reporter_view(session: Session, report: Report) -> ReporterView:
    audit.record(session, REPORTER, "reports.receipt_view", f"report:{report.id}")
    questions = [m for m in report.messages if m.kind == "question"]
    answers: dict[int, list[tuple[datetime, str]]] = {}
    for message in report.messages:
        if message.kind == "answer" and message.reply_to is not None:
            answers.setdefault(message.reply_to, []).append((message.created_at, message.body))
    return ReporterView(
        status=report.status,
        outcome=report.outcome,
        created_at=report.created_at,
        updated_at=report.updated_at,
        questions=[ReporterQuestion(q.id, q.created_at, q.body, answers.get(q.id, [])) for q in questions],
        additions=[(m.created_at, m.body) for m in report.messages if m.kind == "info"],
        attachments=len(report.attachments),
        sent={k: v for k, v in report.content.items() if k in CONTENT_FIELDS + LIST_FIELDS and v},
    )


def reporter_answer(session: Session, report: Report, question_id: int, body: str) -> Message:
    body = _clip_text(body, MAX_TEXT, "answer")
    if not body:
        raise HeroesError(_("The answer is empty."))
    question = next(
        (m for m in report.messages if m.id == question_id and m.kind == "question"),
        None,
    )
    if question is None:
        raise NotFoundError(_("This question does not exist."))
    message = Message(kind="answer", author=REPORTER, reply_to=question.id, body=body)
    report.messages.append(message)
    _retriage(report)
    session.flush()
    audit.record(
        session,
        REPORTER,
        "reports.answer",
        f"report:{report.id}",
        {"question": question.id},
    )
    return message


def reporter_add(session: Session, report: Report, body: str, uploads: Sequence[Upload] = ()) -> Message | None:
    """More information from the reporter: a text, files, or both; the report is triaged again."""
    body = _clip_text(body, MAX_TEXT, "information")
    checked = _check_uploads(uploads)
    if len(report.attachments) + len(checked) > MAX_FILES * 2:
        raise HeroesError(_("This report cannot take more files."))
    if not body and not checked:
        raise HeroesError(_("Write something or choose a file to add."))
    message = None
    if body:
        message = Message(kind="info", author=REPORTER, body=body)
        report.messages.append(message)
    _write_files(session, report, checked, REPORTER)
    _retriage(report)
    session.flush()
    audit.record(
        session,
        REPORTER,
        "reports.add_info",
        f"report:{report.id}",
        {"attachments": len(checked)},
    )
    return message


def _retriage(report: Report) -> None:
    """New words from the reporter may change the category, the urgency and the links."""
    result = triage(report_input_of(report))
    _apply_triage(report, result)
    _store_identifiers(report, result)
    report.updated_at = utcnow()
    report.triage = {**report.triage, "information_at": report.updated_at.isoformat()}


def apply_retriage(report: Report, result: Triage) -> None:
    """A new triage of an unchanged report (after a model update): the aging clock keeps running."""
    information_at = report.triage.get("information_at")
    _apply_triage(report, result)
    _store_identifiers(report, result)
    if information_at:
        report.triage = {**report.triage, "information_at": information_at}
