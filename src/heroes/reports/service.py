"""The reports library over the database: submit, follow up by receipt, triage queue, case work.

Routes and CLI commands are thin layers over these functions. Every function that reads or
changes a report writes an audit entry in the caller's transaction (ids and actions only, never
report text), and every staff function takes the acting Principal and checks its permission.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import and_, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from heroes.core import audit, workers
from heroes.core.auth import Principal
from heroes.core.crypto import decrypt_bytes, encrypt_bytes
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError, NotFoundError, PermissionDenied
from heroes.core.i18n import gettext as _
from heroes.core.models import AuditEntry, User
from heroes.core.settings import get_settings
from heroes.reports.attachments import (
    MAX_FILES,
    CleanFile,
    check_attachment,
    check_pixel_budget,
    safe_filename,
)
from heroes.reports.models import (
    OUTCOMES,
    STATUSES,
    Attachment,
    Message,
    Note,
    Report,
    ReportIdentifier,
    StatusChange,
)
from heroes.reports.ratelimit import OVERALL, ReceiptThrottle
from heroes.reports.receipts import new_receipt, parse_receipt, verify_receipt
from heroes.reports.triage import ReportInput, Triage, aged, category_keys, triage

READ = "reports:read"
MANAGE = "reports:manage"
REPORTER = "reporter"  # the audit actor of everything an anonymous reporter does

MAX_TEXT = 20_000
MAX_FIELD = 2_000
MAX_LIST = 20
MAX_QUEUE = 500
MAX_ID = 2_147_483_647  # ids are 32-bit integers on every backend
LEVELS = ("critical", "high", "medium", "low")

# Which status may follow which; "closed" needs an outcome, and a closed report can be reopened.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"in_review", "referred", "closed"}),
    "in_review": frozenset({"referred", "closed"}),
    "referred": frozenset({"in_review", "closed"}),
    "closed": frozenset({"in_review"}),
}

CONTENT_FIELDS = ("description", "location", "when_text", "people", "ages", "how_known")
LIST_FIELDS = ("phones", "emails", "usernames", "urls", "vehicles")


# --- input ----------------------------------------------------------------------------------


@dataclass
class Upload:
    filename: str | None
    data: bytes


@dataclass
class Submission:
    report: ReportInput
    contact: str = ""  # optional: how the police may contact the reporter; empty = anonymous
    language: str = "en"
    uploads: list[Upload] = field(default_factory=list)
    idempotency_key: str | None = None  # a resubmitted form (same key) is stored only once


@dataclass
class Submitted:
    report_id: int
    receipt: str  # shown to the reporter once; we keep only its hash
    triage: Triage


class DuplicateSubmission(HeroesError):
    """The same Idempotency-Key again. `receipt` is the first answer's code when the replay is the
    very same submission (a retry after a lost answer); None for other content under that key."""

    def __init__(self, receipt: str | None = None, report_id: int | None = None) -> None:
        super().__init__(
            _("This report was already received. Use the receipt code you were shown to follow it up."),
            status_code=409,
        )
        self.receipt = receipt
        self.report_id = report_id


REPLAY = "replay"  # in Report.content: the receipt, sealed with the idempotency key and the content


def _replay_cipher(submission: Submission) -> Fernet:
    """A key only the sender of this exact submission can rebuild: its idempotency key, every field
    and the hash of every file. The receipt sealed with it is returned to a genuine retry and to
    nobody else (we keep only the receipt's hash otherwise)."""
    material = json.dumps(
        [
            submission.idempotency_key,
            _content(submission.report, submission.contact),
            [hashlib.sha256(u.data).hexdigest() for u in submission.uploads if u.data],
        ],
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(b"heroes-replay\0" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _replayed_receipt(session: Session, digest: str, submission: Submission) -> DuplicateSubmission:
    report = session.execute(select(Report).where(Report.submission_digest == digest)).scalar_one()
    sealed = (report.content or {}).get(REPLAY)
    if sealed:
        try:
            return DuplicateSubmission(_replay_cipher(submission).decrypt(sealed.encode()).decode(), report.id)
        except InvalidToken:
            pass
    return DuplicateSubmission()


def _require(principal: Principal, permission: str) -> None:
    if not principal.can(permission):
        raise PermissionDenied()


def _clip_text(value: str | None, limit: int, name: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise HeroesError(
            _(
                "The field %(name)s is too long (at most %(limit)s characters).",
                name=name,
                limit=limit,
            )
        )
    return text


def _validate(submission: Submission) -> None:
    report = submission.report
    report.description = _clip_text(report.description, MAX_TEXT, "description")
    if len(report.description) < 10:
        raise HeroesError(_("Please describe what you saw or know in a few words (at least 10 characters)."))
    for name in CONTENT_FIELDS[1:]:
        setattr(report, name, _clip_text(getattr(report, name), MAX_FIELD, name))
    for name in LIST_FIELDS:
        values = [v.strip() for v in getattr(report, name) if v and v.strip()]
        if len(values) > MAX_LIST:
            raise HeroesError(_("At most %(n)s entries in %(name)s.", n=MAX_LIST, name=name))
        setattr(report, name, [_clip_text(v, 300, name) for v in values])
    if report.category is not None and report.category not in category_keys():
        raise HeroesError(_("Unknown kind of situation: %(value)s.", value=report.category))
    if report.country is not None:
        country = report.country.strip().upper()
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            raise HeroesError(_("The country must be a two-letter code such as ES."))
        report.country = country or None
    if report.occurred_at is not None:
        report.occurred_at = _checked_moment(report.occurred_at)
    submission.contact = _clip_text(submission.contact, 500, "contact")
    if len(submission.uploads) > MAX_FILES:
        raise HeroesError(_("At most %(n)s files per report.", n=MAX_FILES))


def _checked_moment(moment: datetime) -> datetime:
    """Aware UTC, and plausible: a date far in the past or future is a typing mistake."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not 1900 <= moment.year <= utcnow().year + 1:
        raise HeroesError(_("The date is not plausible: check the year."))
    return moment.astimezone(UTC)


def _content(report: ReportInput, contact: str) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(report, name) for name in CONTENT_FIELDS + LIST_FIELDS}
    data["occurred_at"] = report.occurred_at.isoformat() if report.occurred_at else None
    data["danger_now"] = report.danger_now
    data["country"] = report.country
    data["category"] = report.category
    data["contact"] = contact
    return data


def report_input_of(report: Report, with_additions: bool = True) -> ReportInput:
    """The ReportInput behind a stored report; with the reporter's later additions appended."""
    content = dict(report.content)
    occurred = content.get("occurred_at")
    result = ReportInput(
        description=str(content.get("description") or ""),
        category=content.get("category"),
        occurred_at=datetime.fromisoformat(occurred) if occurred else None,
        danger_now=bool(content.get("danger_now")),
        country=content.get("country"),
    )
    for name in CONTENT_FIELDS[1:]:
        setattr(result, name, str(content.get(name) or ""))
    for name in LIST_FIELDS:
        setattr(result, name, [str(v) for v in content.get(name) or []])
    if with_additions:
        extra = [m.body for m in report.messages if m.author == REPORTER]
        if extra:
            result.description = "\n".join([result.description, *extra])
    return result


# --- identifiers and linking ----------------------------------------------------------------


def _link_key() -> bytes:
    first_key = get_settings().fernet_key.split(",")[0].strip()
    return hashlib.sha256(b"heroes.reports.identifier-link:" + first_key.encode()).digest()


def identifier_digest(kind: str, value: str) -> str:
    """Keyed hash of a normalised identifier: equal values link, the value is not in clear."""
    return hmac.new(_link_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _store_identifiers(report: Report, result: Triage) -> None:
    report.identifiers.clear()
    for ident in result.identifiers:
        report.identifiers.append(
            ReportIdentifier(
                kind=ident.kind,
                digest=identifier_digest(ident.kind, ident.value),
                value=ident.value,
                raw=ident.raw[:300],
                source=ident.source,
                detail=ident.detail[:40],
            )
        )


@dataclass
class Link:
    report_id: int
    category: str
    status: str
    urgency_score: int
    created_at: datetime
    shared: list[tuple[str, str]]  # (kind, value) the two reports have in common


def linked_reports(session: Session, report: Report) -> list[Link]:
    """Other reports that share a phone, e-mail, username, URL, address or plate with this one."""
    mine = {i.digest: (i.kind, i.value) for i in report.identifiers}
    if not mine:
        return []
    rows = session.execute(
        select(ReportIdentifier.report_id, ReportIdentifier.digest)
        .where(
            ReportIdentifier.digest.in_(list(mine)),
            ReportIdentifier.report_id != report.id,
        )
        .order_by(ReportIdentifier.report_id)
    ).all()
    shared: dict[int, list[tuple[str, str]]] = {}
    for other_id, digest in rows:
        pair = mine[digest]
        if pair not in shared.setdefault(other_id, []):
            shared[other_id].append(pair)
    others = session.execute(select(Report).where(Report.id.in_(list(shared)))).scalars()
    links = [Link(o.id, o.category, o.status, o.urgency_score, o.created_at, shared[o.id]) for o in others]
    return sorted(links, key=lambda link: (-len(link.shared), -link.urgency_score, link.report_id))


def link_counts(session: Session, report_ids: Sequence[int]) -> dict[int, int]:
    """How many other reports each of these reports shares an identifier with (one query)."""
    if not report_ids:
        return {}
    mine = aliased(ReportIdentifier)
    other = aliased(ReportIdentifier)
    rows = session.execute(
        select(mine.report_id, func.count(func.distinct(other.report_id)))
        .join(other, and_(other.digest == mine.digest, other.report_id != mine.report_id))
        .where(mine.report_id.in_(list(report_ids)))
        .group_by(mine.report_id)
    ).all()
    return {int(report_id): int(count) for report_id, count in rows}


# --- attachments on disk --------------------------------------------------------------------


def attachments_dir() -> Path:
    path = get_settings().ensure_data_dir() / "reports" / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


_NEW_FILES = "heroes.reports.new_files"


@event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_rollback")
def _remove_new_files(session: Session) -> None:
    """Files written for a transaction that rolled back would belong to no report: remove them."""
    for path in session.info.pop(_NEW_FILES, []):
        path.unlink(missing_ok=True)


def _store_file(session: Session, report: Report, clean: CleanFile, filename: str | None, added_by: str) -> Attachment:
    storage_name = f"{uuid.uuid4().hex}.bin"
    target = attachments_dir() / storage_name
    temporary = target.with_suffix(".part")
    temporary.write_bytes(encrypt_bytes(clean.data))
    temporary.replace(target)
    session.info.setdefault(_NEW_FILES, []).append(target)
    attachment = Attachment(
        added_by=added_by,
        filename=safe_filename(filename, clean.extension),
        kind=clean.kind,
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        storage_name=storage_name,
    )
    report.attachments.append(attachment)
    return attachment


def _check_uploads(uploads: Iterable[Upload]) -> list[tuple[Upload, CleanFile]]:
    """Check every file before anything is written: one bad file refuses the whole submission."""
    uploads = list(uploads)
    check_pixel_budget([upload.data for upload in uploads if upload.data])
    checked = []
    for upload in uploads:
        if not upload.data:
            continue  # an empty file input of a form
        try:
            checked.append((upload, check_attachment(upload.data)))
        except HeroesError as exc:
            name = re.sub(r"[^\w.-]+", "_", upload.filename or "")[:80] or "?"
            raise HeroesError(f"{name}: {exc.message}", exc.status_code) from exc
    return checked


def _write_files(
    session: Session, report: Report, checked: list[tuple[Upload, CleanFile]], added_by: str
) -> list[Attachment]:
    return [_store_file(session, report, clean, upload.filename, added_by) for upload, clean in checked]


# --- the public side ------------------------------------------------------------------------


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
    """Wrong receipts are audit entries ("reports.receipt_failed", target lookup:NNNNNN); the rate
    limit counts them, so the same record serves the limit and the investigators."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def failures_since(self, key: str, since: datetime) -> list[datetime]:
        query = select(AuditEntry.at).where(AuditEntry.action == "reports.receipt_failed", AuditEntry.at >= since)
        if key != OVERALL:
            query = query.where(AuditEntry.target == f"lookup:{key}")
        return list(self.session.execute(query).scalars())

    def add_failure(self, key: str, at: datetime) -> None:
        audit.record(self.session, REPORTER, "reports.receipt_failed", f"lookup:{key}")


def receipt_throttle(session: Session) -> ReceiptThrottle:
    return ReceiptThrottle(AuditFailureStore(session))


def open_by_receipt(session: Session, code: str) -> Report | None:
    """The report behind a receipt, or None for a wrong code.

    A wrong code is recorded in `session` for the rate limit, so the caller must commit it (answer
    "not found" without raising); a blocked lookup raises RateLimited before anything is checked.
    """
    digits = parse_receipt(code)  # a typo (length, check digit) is refused without counting
    lookup = digits[:6]
    throttle = receipt_throttle(session)
    now = utcnow()
    throttle.check(lookup, now)
    candidates = session.execute(select(Report).where(Report.receipt_lookup == lookup)).scalars().all()
    for report in candidates:
        if verify_receipt(report.receipt_hash, digits):
            return report
    if not candidates:
        verify_receipt(_dummy_hash(), digits)  # same cost whether or not the lookup exists
    throttle.failed(lookup, now)
    session.info[_SLOWDOWN] = throttle.slowdown(now)
    return None


_SLOWDOWN = "heroes_receipt_slowdown"


def pause_after_wrong_receipt(session: Session) -> None:
    """Commit the wrong code's record, then wait out the overall slowdown (no lock held)."""
    delay = float(session.info.pop(_SLOWDOWN, 0.0))
    session.commit()
    if delay > 0:
        time.sleep(delay)


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


# --- the staff side -------------------------------------------------------------------------


@dataclass
class QueueItem:
    report: Report
    links: int
    assignee: str | None
    shown_level: str = "low"  # the level after aging without new information
    aged_steps: int = 0
    information_at: datetime | None = None


def aged_level(report: Report) -> tuple[str, int, datetime]:
    """The level the queue shows for this report now, the steps it aged, and since when."""
    return _aged(report, utcnow())


def _aged(report: Report, now: datetime) -> tuple[str, int, datetime]:
    stamp = (report.triage or {}).get("information_at")
    information_at = datetime.fromisoformat(stamp) if stamp else report.created_at
    level, steps = aged(report.urgency_level, information_at, now)
    return level, steps, information_at


def queue(
    session: Session,
    principal: Principal,
    status: str | None = "open",
    category: str | None = None,
    level: str | None = None,
    assigned: str | None = None,
    limit: int = 100,
) -> list[QueueItem]:
    """Reports ranked by triage: most urgent first, then newest. status "open" = not closed."""
    _require(principal, READ)
    query = select(Report)
    if status == "open":
        query = query.where(Report.status != "closed")
    elif status:
        if status not in STATUSES:
            raise HeroesError(_("Unknown status: %(value)s.", value=status))
        query = query.where(Report.status == status)
    if category:
        if category not in category_keys():
            raise HeroesError(_("Unknown kind of situation: %(value)s.", value=category))
        query = query.where(Report.category == category)
    if level:
        if level not in LEVELS:
            raise HeroesError(_("Unknown urgency level: %(value)s.", value=level))
        # the shown level is the triaged one or lower after aging: read that level and those above
        query = query.where(Report.urgency_level.in_(LEVELS[: LEVELS.index(level) + 1]))
    if assigned == "me":
        query = query.where(Report.assigned_to == principal.user_id)
    elif assigned == "none":
        query = query.where(Report.assigned_to.is_(None))
    query = query.order_by(Report.urgency_score.desc(), Report.created_at.desc(), Report.id.desc())
    limit = max(1, min(limit, MAX_QUEUE))
    # Aging can only lower a level: read a wider window by stored score, then order by shown level.
    now = utcnow()
    window = list(session.execute(query.limit(min(MAX_QUEUE * 4, limit * 4))).scalars())
    aging = {r.id: _aged(r, now) for r in window}
    if level:
        window = [r for r in window if aging[r.id][0] == level]
    rank = {name: i for i, name in enumerate(LEVELS)}
    window.sort(key=lambda r: (rank.get(aging[r.id][0], 9), -r.urgency_score, -r.created_at.timestamp(), -r.id))
    reports = window[:limit]
    counts = link_counts(session, [r.id for r in reports])
    names = _usernames(session, {r.assigned_to for r in reports if r.assigned_to})
    audit.record(
        session,
        principal.actor,
        "reports.queue",
        None,
        {"ids": [r.id for r in reports]},
    )
    return [QueueItem(r, counts.get(r.id, 0), names.get(r.assigned_to or 0), *aging[r.id]) for r in reports]


def _usernames(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()
    return {int(uid): str(name) for uid, name in rows}


def _load(session: Session, report_id: int) -> Report:
    if not 1 <= report_id <= MAX_ID:
        raise NotFoundError(_("Report %(id)s does not exist.", id=report_id))
    report = session.execute(
        select(Report)
        .where(Report.id == report_id)
        .options(
            selectinload(Report.identifiers),
            selectinload(Report.attachments),
            selectinload(Report.notes),
            selectinload(Report.messages),
            selectinload(Report.history),
        )
    ).scalar_one_or_none()
    if report is None:
        raise NotFoundError(_("Report %(id)s does not exist.", id=report_id))
    return report


@dataclass
class ReportDetail:
    report: Report
    links: list[Link]
    assignee: str | None


def get_report(session: Session, principal: Principal, report_id: int) -> ReportDetail:
    _require(principal, READ)
    report = _load(session, report_id)
    links = linked_reports(session, report)
    assignee = _usernames(session, {report.assigned_to}).get(report.assigned_to) if report.assigned_to else None
    audit.record(session, principal.actor, "reports.view", f"report:{report.id}")
    return ReportDetail(report, links, assignee)


def set_status(
    session: Session,
    principal: Principal,
    report_id: int,
    status: str,
    outcome: str | None = None,
) -> Report:
    _require(principal, MANAGE)
    report = _load(session, report_id)
    if status not in STATUSES:
        raise HeroesError(_("Unknown status: %(value)s.", value=status))
    if status == report.status:
        raise HeroesError(_("The report is already in this status."))
    if status not in TRANSITIONS[report.status]:
        raise HeroesError(
            _(
                "A report cannot go from %(old)s to %(new)s.",
                old=status_label(report.status),
                new=status_label(status),
            )
        )
    if status == "closed":
        if outcome not in OUTCOMES:
            raise HeroesError(_("Closing a report needs an outcome."))
    else:
        outcome = None
    report.history.append(
        StatusChange(
            actor=principal.actor,
            from_status=report.status,
            to_status=status,
            outcome=outcome,
        )
    )
    audit.record(
        session,
        principal.actor,
        "reports.status",
        f"report:{report.id}",
        {"from": report.status, "to": status, "outcome": outcome},
    )
    report.status = status
    report.outcome = outcome
    report.updated_at = utcnow()
    return report


def assign(session: Session, principal: Principal, report_id: int, username: str | None) -> Report:
    _require(principal, MANAGE)
    report = _load(session, report_id)
    user_id = None
    if username:
        if not re.fullmatch(r"[\w.-]{1,80}", username.strip()):
            raise HeroesError(_("No active account named %(name)s.", name=username[:80]))
        user = session.execute(select(User).where(User.username == username.strip())).scalar_one_or_none()
        if user is None or not user.active:
            raise HeroesError(_("No active account named %(name)s.", name=username))
        if not Principal(user.role, user.username, user.id).can(READ):
            raise HeroesError(_("%(name)s may not read reports.", name=username))
        user_id = user.id
    report.assigned_to = user_id
    report.updated_at = utcnow()
    audit.record(
        session,
        principal.actor,
        "reports.assign",
        f"report:{report.id}",
        {"user_id": user_id},
    )
    return report


def add_note(session: Session, principal: Principal, report_id: int, body: str) -> Note:
    _require(principal, MANAGE)
    report = _load(session, report_id)
    body = _clip_text(body, MAX_TEXT, "note")
    if not body:
        raise HeroesError(_("The note is empty."))
    note = Note(author=principal.actor, body=body)
    report.notes.append(note)
    session.flush()
    audit.record(
        session,
        principal.actor,
        "reports.note",
        f"report:{report.id}",
        {"note": note.id},
    )
    return note


def ask_question(session: Session, principal: Principal, report_id: int, body: str) -> Message:
    """A question the reporter reads when they come back with the receipt."""
    _require(principal, MANAGE)
    report = _load(session, report_id)
    body = _clip_text(body, MAX_FIELD, "question")
    if not body:
        raise HeroesError(_("The question is empty."))
    message = Message(kind="question", author=principal.actor, body=body)
    report.messages.append(message)
    report.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        principal.actor,
        "reports.question",
        f"report:{report.id}",
        {"message": message.id},
    )
    return message


def read_attachment(
    session: Session, principal: Principal, report_id: int, attachment_id: int
) -> tuple[Attachment, bytes]:
    """Decrypt one attachment for viewing; every view is audited."""
    _require(principal, READ)
    attachment = session.get(Attachment, attachment_id) if 1 <= attachment_id <= MAX_ID else None
    if attachment is None or attachment.report_id != report_id:
        raise NotFoundError(_("This attachment does not exist."))
    path = attachments_dir() / attachment.storage_name
    if not path.is_file():
        raise NotFoundError(_("The file of this attachment is missing from the data folder."))
    data = decrypt_bytes(path.read_bytes())
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise HeroesError(_("This attachment does not match its recorded checksum."), status_code=500)
    audit.record(
        session,
        principal.actor,
        "reports.attachment_view",
        f"report:{report_id}",
        {"attachment": attachment.id, "sha256": attachment.sha256},
    )
    return attachment, data


# --- export ---------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "created_at",
    "status",
    "outcome",
    "category",
    "suggested_category",
    "urgency_score",
    "urgency_level",
    "danger_now",
    "country",
    "language",
    "occurred_at",
    "assigned_to",
    "description",
    "location",
    "when_text",
    "people",
    "ages",
    "how_known",
    "phones",
    "emails",
    "usernames",
    "urls",
    "vehicles",
    "contact",
    "reasons",
    "identifiers",
    "linked_reports",
    "attachments",
)


def report_dict(detail: ReportDetail, include_notes: bool = True) -> dict[str, Any]:
    """A report as plain data (the staff API and the JSON export)."""
    report = detail.report
    data: dict[str, Any] = {
        "id": report.id,
        "created_at": report.created_at.isoformat(),
        "updated_at": report.updated_at.isoformat(),
        "status": report.status,
        "outcome": report.outcome,
        "category": report.category,
        "reporter_category": report.reporter_category,
        "suggested_category": report.suggested_category,
        "urgency_score": report.urgency_score,
        "urgency_level": report.urgency_level,
        "danger_now": report.danger_now,
        "country": report.country,
        "language": report.language,
        "occurred_at": report.occurred_at.isoformat() if report.occurred_at else None,
        "assigned_to": detail.assignee,
        "content": {k: v for k, v in report.content.items() if k != REPLAY},
        "triage": report.triage,
        "identifiers": [
            {
                "kind": i.kind,
                "value": i.value,
                "raw": i.raw,
                "source": i.source,
                "detail": i.detail,
            }
            for i in report.identifiers
        ],
        "linked_reports": [
            {
                "report_id": link.report_id,
                "shared": [{"kind": k, "value": v} for k, v in link.shared],
            }
            for link in detail.links
        ],
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "kind": a.kind,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "added_by": a.added_by,
                "created_at": a.created_at.isoformat(),
            }
            for a in report.attachments
        ],
        "messages": [
            {
                "id": m.id,
                "kind": m.kind,
                "author": m.author,
                "reply_to": m.reply_to,
                "at": m.created_at.isoformat(),
                "body": m.body,
            }
            for m in report.messages
        ],
        "history": [
            {
                "at": h.at.isoformat(),
                "actor": h.actor,
                "from": h.from_status,
                "to": h.to_status,
                "outcome": h.outcome,
            }
            for h in report.history
        ],
    }
    if include_notes:
        data["notes"] = [{"at": n.created_at.isoformat(), "author": n.author, "body": n.body} for n in report.notes]
    return data


def export_reports(session: Session, principal: Principal, report_ids: Sequence[int] | None, fmt: str) -> str:
    """Selected reports (all when None) as JSON or CSV text; each exported report is audited."""
    _require(principal, READ)
    if fmt not in ("json", "csv"):
        raise HeroesError(_("Export format must be json or csv."))
    if report_ids is None:
        report_ids = list(session.execute(select(Report.id).order_by(Report.id)).scalars())
    if not report_ids:
        raise HeroesError(_("Choose at least one report to export."))
    details = []
    for report_id in report_ids:
        report = _load(session, report_id)
        assignee = _usernames(session, {report.assigned_to}).get(report.assigned_to) if report.assigned_to else None
        details.append(ReportDetail(report, linked_reports(session, report), assignee))
        audit.record(
            session,
            principal.actor,
            "reports.export",
            f"report:{report.id}",
            {"format": fmt},
        )
    rows = [report_dict(d) for d in details]
    if fmt == "json":
        return json.dumps(
            {"format": "heroes.reports/1", "reports": rows},
            ensure_ascii=False,
            indent=2,
        )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(_csv_row(row))
    return out.getvalue()


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    content = row["content"]
    flat = {k: row[k] for k in CSV_COLUMNS if k in row and not isinstance(row[k], (list, dict))}
    for name in (*CONTENT_FIELDS, "contact"):
        flat[name] = _csv_safe(content.get(name) or "")
    for name in LIST_FIELDS:
        flat[name] = _csv_safe("; ".join(content.get(name) or []))
    flat["reasons"] = "; ".join(f"{r['code']} (+{r['points']})" for r in row["triage"]["urgency"]["reasons"])
    flat["identifiers"] = _csv_safe("; ".join(f"{i['kind']}:{i['value']}" for i in row["identifiers"]))
    flat["linked_reports"] = " ".join(str(link["report_id"]) for link in row["linked_reports"])
    flat["attachments"] = " ".join(f"{a['id']}:{a['sha256'][:12]}" for a in row["attachments"])
    return flat


def _csv_safe(value: str) -> str:
    """A reporter's text must not run as a formula when the CSV is opened in a spreadsheet."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- labels ---------------------------------------------------------------------------------


def status_label(status: str) -> str:
    labels = {
        "new": _("New"),
        "in_review": _("In review"),
        "referred": _("Referred"),
        "closed": _("Closed"),
    }
    return labels.get(status, status)


def outcome_label(outcome: str) -> str:
    labels = {
        "action_taken": _("Action taken"),
        "referred_elsewhere": _("Referred to another service"),
        "no_offence_found": _("No offence found"),
        "not_enough_information": _("Not enough information"),
        "duplicate": _("Duplicate of another report"),
    }
    return labels.get(outcome, outcome)


def decode_base64_upload(filename: str | None, content_base64: str) -> Upload:
    try:
        return Upload(filename, base64.b64decode(content_base64, validate=True))
    except ValueError as exc:
        raise HeroesError(_("An attachment is not valid base64.")) from exc
