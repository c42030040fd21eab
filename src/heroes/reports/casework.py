"""The staff side: the ranked queue, a report's detail, status, assignment, notes and questions.

Part of the reports library (heroes.reports.service re-exports it)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from heroes.core import audit
from heroes.core.auth import Principal
from heroes.core.crypto import decrypt_bytes
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError, NotFoundError
from heroes.core.i18n import gettext as _
from heroes.core.models import User
from heroes.reports.intake import (
    LEVELS,
    MANAGE,
    MAX_FIELD,
    MAX_ID,
    MAX_QUEUE,
    MAX_TEXT,
    READ,
    TRANSITIONS,
    _clip_text,
    _require,
)
from heroes.reports.labels import status_label
from heroes.reports.linking import Link, link_counts, linked_reports
from heroes.reports.models import OUTCOMES, STATUSES, Attachment, Message, Note, Report, StatusChange
from heroes.reports.storage import attachments_dir
from heroes.reports.triage import aged, category_keys


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
