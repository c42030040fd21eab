"""Reports in: the limits and constants of the reports library, the submission's input, its checks and
the replay (idempotency) protection.

Part of the reports library (heroes.reports.service re-exports it)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from heroes.core.auth import Principal
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError, PermissionDenied
from heroes.core.i18n import gettext as _
from heroes.reports.attachments import MAX_FILES
from heroes.reports.models import Report
from heroes.reports.triage import ReportInput, Triage, category_keys

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
