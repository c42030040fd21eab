"""Interviews (the single interview record), the service plan and case notes."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heroes.core.crypto import decrypt_bytes, encrypt_bytes
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError, NotFoundError
from heroes.core.i18n import gettext as _
from heroes.core.models import Organisation
from heroes.core.settings import get_settings

from .access import Viewer
from .engine import _audit, _check_reason, _choices, _text, authorise, load_case
from .models import NEEDS, NOTE_CATEGORIES, CaseInterview, CaseNote, CasePlanItem

MAX_ATTACHMENT = 200 * 1024 * 1024


class InterviewWarning(HeroesError):
    """Scheduling another interview: the person has already been interviewed; confirm to go on."""

    def __init__(self, count: int, by: str) -> None:
        super().__init__(
            _(
                "This person has already been interviewed %(count)s time(s) (%(by)s). Read the recorded interview "
                "instead if you can; confirm only if a new interview is really needed.",
                count=count,
                by=by,
            ),
            status_code=409,
        )


def attachment_dir() -> Path:
    folder = get_settings().data_dir / "cases" / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- interviews ---------------------------------------------------------------------------------


def interview_tally(session: Session, case_id: int) -> dict[str, Any]:
    rows = session.execute(
        select(CaseInterview.organisation_id).where(CaseInterview.case_id == case_id, CaseInterview.state == "done")
    ).scalars()
    by_org = Counter(rows)
    names = {o.id: o.name for o in session.execute(select(Organisation).where(Organisation.id.in_(by_org))).scalars()}
    return {"count": sum(by_org.values()), "by": {names.get(k, str(k)): v for k, v in by_org.items()}}


def _tally_text(tally: dict[str, Any]) -> str:
    return ", ".join(f"{name}: {count}" for name, count in tally["by"].items())


def interview_list(session: Session, case_id: int) -> list[dict[str, Any]]:
    """Date, state, organisation and who was present: not the content (read_interview audits that)."""
    rows = session.execute(
        select(CaseInterview).where(CaseInterview.case_id == case_id).order_by(CaseInterview.at)
    ).scalars()
    found = []
    for row in rows:
        organisation = session.get(Organisation, row.organisation_id)
        found.append(
            {
                "id": row.id,
                "state": row.state,
                "at": row.at.isoformat(),
                "organisation": organisation.name if organisation else "",
                "interviewer": row.interviewer,
                "interpreter": row.interpreter,
                "observers": row.observers,
                "has_recording": row.attachment is not None,
            }
        )
    return found


def add_interview(
    session: Session,
    case_id: int,
    viewer: Viewer,
    *,
    at: datetime,
    interviewer: str,
    state: str = "done",
    interpreter: str = "",
    observers: Iterable[str] = (),
    summary: str = "",
    transcript: str = "",
    recording: bytes | None = None,
    confirm_repeat: bool = False,
    reason: str = "interview",
) -> CaseInterview:
    """Record an interview once, or schedule one; scheduling after earlier interviews needs confirmation."""
    _check_reason(reason)
    case = load_case(session, case_id)
    authorise(session, case, viewer, "interviews", "write", reason)
    if state not in ("scheduled", "done"):
        raise HeroesError(_("An interview is scheduled or done."))
    interviewer = _text(interviewer, 200)
    if not interviewer:
        raise HeroesError(_("Name the interviewer."))
    tally = interview_tally(session, case.id)
    if state == "scheduled" and tally["count"] and not confirm_repeat:
        _audit(session, viewer, "interview.warned", case.id, reason=reason, earlier=tally["count"])
        raise InterviewWarning(tally["count"], _tally_text(tally))
    row = CaseInterview(
        case_id=case.id,
        state=state,
        at=at,
        organisation_id=viewer.organisation_id,
        interviewer=interviewer,
        interpreter=_text(interpreter, 200),
        observers=[_text(o, 200) for o in observers if o.strip()],
        summary=_text(summary, 20000),
        transcript=_text(transcript, 500000),
        created_by=viewer.actor,
    )
    if recording:
        if len(recording) > MAX_ATTACHMENT:
            raise HeroesError(_("The recording is too large (200 MB at most)."))
        name = uuid.uuid4().hex
        (attachment_dir() / name).write_bytes(encrypt_bytes(recording))
        row.attachment = name
        row.attachment_sha256 = hashlib.sha256(recording).hexdigest()
    session.add(row)
    session.flush()
    _audit(
        session,
        viewer,
        "interview.add",
        case.id,
        reason=reason,
        interview=row.id,
        state=state,
        repeat=bool(tally["count"]),
    )
    return row


def read_interview(
    session: Session, case_id: int, interview_id: int, viewer: Viewer, reason: str = "interview"
) -> dict[str, Any]:
    """The recorded interview's content; every read is audited."""
    _check_reason(reason)
    case = load_case(session, case_id)
    relation = authorise(session, case, viewer, "interview_content", "read", reason)
    row = session.get(CaseInterview, interview_id)
    if row is None or row.case_id != case.id:
        raise NotFoundError(_("No such interview on this case."))
    _audit(session, viewer, "interview.read", case.id, reason=reason, interview=row.id, relation=relation.kind)
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "state": row.state,
        "interviewer": row.interviewer,
        "interpreter": row.interpreter,
        "observers": row.observers,
        "summary": row.summary,
        "transcript": row.transcript,
        "has_recording": row.attachment is not None,
        "recording_sha256": row.attachment_sha256,
    }


def read_recording(
    session: Session, case_id: int, interview_id: int, viewer: Viewer, reason: str = "interview"
) -> bytes:
    _check_reason(reason)
    case = load_case(session, case_id)
    authorise(session, case, viewer, "interview_content", "read", reason)
    row = session.get(CaseInterview, interview_id)
    if row is None or row.case_id != case.id or row.attachment is None:
        raise NotFoundError(_("No recording for this interview."))
    data = decrypt_bytes((attachment_dir() / row.attachment).read_bytes())
    _audit(session, viewer, "interview.recording", case.id, reason=reason, interview=row.id)
    return data


# --- service plan -------------------------------------------------------------------------------


def plan_list(session: Session, case_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(CasePlanItem).where(CasePlanItem.case_id == case_id).order_by(CasePlanItem.id)
    ).scalars()
    found = []
    for row in rows:
        owner = session.get(Organisation, row.owner_organisation_id) if row.owner_organisation_id else None
        found.append(
            {
                "id": row.id,
                "kind": row.kind,
                "need": row.need,
                "text": row.text,
                "owner": owner.name if owner else None,
                "due": row.due.isoformat() if row.due else None,
                "overdue": bool(row.due and not row.done and row.due < date.today()),
                "done": row.done,
                "created_by": row.created_by,
            }
        )
    return found


def add_plan_item(
    session: Session,
    case_id: int,
    viewer: Viewer,
    *,
    kind: str,
    need: str,
    text: str = "",
    owner_organisation_id: int | None = None,
    due: date | None = None,
    reason: str = "casework",
) -> CasePlanItem:
    _check_reason(reason)
    case = load_case(session, case_id)
    authorise(session, case, viewer, "plan", "write", reason)
    if kind not in ("need", "action", "followup"):
        raise HeroesError(_("A plan item is a need, an action or a follow-up."))
    (need,) = _choices([need], NEEDS, _("need")) or [""]
    if kind == "action" and (owner_organisation_id is None or due is None):
        raise HeroesError(_("An action needs an owner organisation and a due date."))
    if owner_organisation_id is not None and session.get(Organisation, owner_organisation_id) is None:
        raise HeroesError(_("Unknown organisation."))
    item = CasePlanItem(
        case_id=case.id,
        kind=kind,
        need=need,
        text=_text(text, 2000),
        owner_organisation_id=owner_organisation_id,
        due=due,
        created_by=viewer.actor,
    )
    session.add(item)
    session.flush()
    _audit(session, viewer, "plan.add", case.id, reason=reason, item=item.id, kind=kind)
    return item


def set_plan_done(session: Session, case_id: int, item_id: int, viewer: Viewer, done: bool = True) -> None:
    case = load_case(session, case_id)
    authorise(session, case, viewer, "plan", "write", "casework")
    item = session.get(CasePlanItem, item_id)
    if item is None or item.case_id != case.id:
        raise NotFoundError(_("No such plan item on this case."))
    item.done = done
    _audit(session, viewer, "plan.done", case.id, reason="casework", item=item.id, done=done)


# --- notes ----------------------------------------------------------------------------------------


def note_list(session: Session, case_id: int, categories: Iterable[str]) -> list[dict[str, Any]]:
    wanted = [c for c in categories if c in NOTE_CATEGORIES]
    if not wanted:
        return []
    rows = session.execute(
        select(CaseNote)
        .where(CaseNote.case_id == case_id, CaseNote.category.in_(wanted))
        .order_by(CaseNote.at.desc(), CaseNote.id.desc())
    ).scalars()
    names: dict[int, str] = {}
    found = []
    for row in rows:
        if row.organisation_id not in names:
            organisation = session.get(Organisation, row.organisation_id)
            names[row.organisation_id] = organisation.name if organisation else ""
        found.append(
            {
                "id": row.id,
                "category": row.category,
                "text": row.text,
                "author": row.author,
                "organisation": names[row.organisation_id],
                "at": row.at.isoformat(),
            }
        )
    return found


def add_note(
    session: Session, case_id: int, viewer: Viewer, category: str, text: str, reason: str = "casework"
) -> CaseNote:
    _check_reason(reason)
    if category not in NOTE_CATEGORIES:
        raise HeroesError(_("Unknown note category; choose from: %(allowed)s.", allowed=", ".join(NOTE_CATEGORIES)))
    case = load_case(session, case_id)
    authorise(session, case, viewer, f"note_{category}", "write", reason)
    text = _text(text, 20000)
    if not text:
        raise HeroesError(_("The note is empty."))
    note = CaseNote(
        case_id=case.id,
        category=category,
        text=text,
        author=viewer.actor,
        organisation_id=viewer.organisation_id,
        at=utcnow(),
    )
    session.add(note)
    session.flush()
    _audit(session, viewer, "note.add", case.id, reason=reason, note=note.id, category=category)
    return note
