"""Staff routes of the reports tool (reports:read / reports:manage): the ranked queue, the report
page, status, assignment, notes, questions, exports, and the staff API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from heroes.core import i18n
from heroes.core.auth import Principal
from heroes.core.db import DbSession, ReadDbSession
from heroes.core.errors import HeroesError, NotFoundError
from heroes.core.i18n import gettext as _
from heroes.core.web.templating import render
from heroes.reports import service
from heroes.reports.emergency import contacts_for
from heroes.reports.models import OUTCOMES, STATUSES
from heroes.reports.rules import category_rules, urgency_rules
from heroes.reports.triage import category_label, disagreement_why, reason_message
from heroes.reports.web_common import (
    AssignIn,
    DbId,
    ExportIn,
    Manager,
    Reader,
    StatusIn,
    TextIn,
    _dates,
)

router = APIRouter()


# --- staff pages ----------------------------------------------------------------------------


def _level_label(level: str) -> str:
    labels = {
        "critical": _("Critical"),
        "high": _("High"),
        "medium": _("Medium"),
        "low": _("Low"),
    }
    return labels.get(level, level)


@router.get("/reports/queue", response_class=HTMLResponse, include_in_schema=False)
def queue_page(
    request: Request,
    user: Reader,
    db: ReadDbSession,
    status: str = "open",
    category: str = "",
    level: str = "",
    assigned: str = "",
) -> Response:
    items = service.queue(db, user, status or None, category or None, level or None, assigned or None)
    lang = i18n.get_language()
    context = {
        "items": items,
        "filters": {
            "status": status,
            "category": category,
            "level": level,
            "assigned": assigned,
        },
        "statuses": [(s, service.status_label(s)) for s in STATUSES],
        "categories": [(key, category_label(key, lang)) for key in category_rules().categories],
        "levels": [(lv, _level_label(lv)) for lv in ("critical", "high", "medium", "low")],
        "category_label": lambda key: category_label(key, lang),
        "status_label": service.status_label,
        "level_label": _level_label,
        "reason_message": _reason_message,
        "disagreement": lambda data: disagreement_why(data, lang),
        "recency_days": urgency_rules().recency_days,
        "can_manage": user.can(service.MANAGE),
        "notice": _notice(request),
        **_dates(),
    }
    return render(request, "reports/queue.html", context)


def _notice(request: Request) -> str | None:
    """The confirmation of the action just done (after a redirect), in the reader's language."""
    done = request.query_params.get("done", "")
    messages = {
        "status": _("The status was changed."),
        "assigned": _("The assignment was saved."),
        "unassigned": _("The report is no longer assigned."),
        "note": _("The note was added."),
        "question": _("The question was sent; the reporter reads it with their receipt."),
        "retriage": _("Re-triage of the stored reports has started."),
    }
    return messages.get(done)


@router.get("/reports/{report_id:int}", response_class=HTMLResponse, include_in_schema=False)
def report_page(request: Request, report_id: DbId, user: Reader, db: ReadDbSession) -> Response:
    return _report_response(request, report_id, user, db, notice=_notice(request))


def _report_response(
    request: Request,
    report_id: int,
    user: Principal,
    db: Session,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    detail = service.get_report(db, user, report_id)
    lang = i18n.get_language()
    report = detail.report
    current = report.status
    context = {
        "detail": detail,
        "report": report,
        "content": report.content,
        "triage": report.triage,
        "lang": lang,
        "can_manage": user.can(service.MANAGE),
        "next_statuses": [(s, service.status_label(s)) for s in STATUSES if s in service.TRANSITIONS[current]],
        "outcomes": [(o, service.outcome_label(o)) for o in OUTCOMES],
        "category_label": lambda key: category_label(key, lang),
        "status_label": service.status_label,
        "outcome_label": service.outcome_label,
        "level_label": _level_label,
        "reason_message": _reason_message,
        "emergency": contacts_for(report.country, lang),
        "notice": notice,
        "error": error,
        "why": disagreement_why(report.triage, lang),
        "aged": service.aged_level(report),
        **_dates(),
    }
    return render(request, "reports/report.html", context, status_code)


def _reason_message(code: str) -> str:
    return reason_message(code, i18n.get_language())


@router.get("/reports/{report_id:int}/attachments/{attachment_id:int}", include_in_schema=False)
def attachment_page(report_id: DbId, attachment_id: DbId, user: Reader, db: ReadDbSession) -> Response:
    return _attachment_response(db, user, report_id, attachment_id)


def _attachment_response(db: Session, user: Principal, report_id: DbId, attachment_id: int) -> Response:
    attachment, data = service.read_attachment(db, user, report_id, attachment_id)
    inline = attachment.kind in ("jpeg", "png", "gif", "webp")
    disposition = "inline" if inline else "attachment"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{attachment.filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(data, media_type=attachment.content_type, headers=headers)


def _staff_action(
    request: Request, report_id: int, user: Principal, db: Session, action: Any, done: str, anchor: str
) -> Response:
    """Do a staff action; confirm it on the report page, or explain there what was missing."""
    try:
        action()
    except NotFoundError:
        raise
    except HeroesError as exc:
        db.rollback()
        return _report_response(request, report_id, user, db, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"/reports/{report_id}?done={done}#{anchor}", status_code=303)


@router.post("/reports/{report_id:int}/status", include_in_schema=False)
def status_action(
    request: Request,
    report_id: DbId,
    user: Manager,
    db: DbSession,
    status: Annotated[str, Form(max_length=16)],
    outcome: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    def act() -> None:
        if status == "closed" and not outcome:
            raise HeroesError(
                _("To close a report, choose its outcome (for example: action taken, or not enough information).")
            )
        service.set_status(db, user, report_id, status, outcome or None)

    return _staff_action(request, report_id, user, db, act, "status", "status")


@router.post("/reports/{report_id:int}/assign", include_in_schema=False)
def assign_action(
    request: Request,
    report_id: DbId,
    user: Manager,
    db: DbSession,
    username: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    done = "assigned" if username else "unassigned"
    return _staff_action(
        request, report_id, user, db, lambda: service.assign(db, user, report_id, username or None), done, "assignment"
    )


@router.post("/reports/{report_id:int}/notes", include_in_schema=False)
def note_action(
    request: Request,
    report_id: DbId,
    user: Manager,
    db: DbSession,
    body: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
) -> Response:
    return _staff_action(
        request, report_id, user, db, lambda: service.add_note(db, user, report_id, body), "note", "notes"
    )


@router.post("/reports/{report_id:int}/questions", include_in_schema=False)
def question_action(
    request: Request,
    report_id: DbId,
    user: Manager,
    db: DbSession,
    body: Annotated[str, Form(max_length=service.MAX_FIELD)] = "",
) -> Response:
    return _staff_action(
        request, report_id, user, db, lambda: service.ask_question(db, user, report_id, body), "question", "messages"
    )


@router.post("/reports/retriage", include_in_schema=False)
def retriage_action(user: Manager) -> Response:
    from heroes.core.jobs import submit

    job_id = submit("reports.retriage", {"actor": user.actor}, user)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.post("/reports/export", include_in_schema=False)
def export_action(
    user: Reader,
    db: DbSession,
    ids: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI reads the default
    format: Annotated[str, Form(max_length=4)] = "csv",
) -> Response:
    if not ids:
        raise HeroesError(_("Choose at least one report to export."))
    return _export_response(db, user, ids, format)


def _export_response(db: Session, user: Principal, ids: list[int] | None, fmt: str) -> Response:
    text = service.export_reports(db, user, ids, fmt)
    media = "application/json" if fmt == "json" else "text/csv; charset=utf-8"
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    headers = {"Content-Disposition": f'attachment; filename="reports-{stamp}.{fmt}"'}
    return Response(text, media_type=media, headers=headers)


@router.get("/api/reports", tags=["reports"])
def api_queue(
    user: Reader,
    db: ReadDbSession,
    status: Annotated[str, Query(description="open (default), or one status")] = "open",
    category: str | None = None,
    level: str | None = None,
    assigned: Annotated[str | None, Query(description="me, none, or empty for all")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_QUEUE)] = 100,
) -> list[dict[str, Any]]:
    """The triage queue (staff): most urgent first, with the reasons and the count of linked reports."""
    items = service.queue(db, user, status or None, category, level, assigned, limit)
    return [
        {
            "id": item.report.id,
            "created_at": item.report.created_at.isoformat(),
            "status": item.report.status,
            "category": item.report.category,
            "suggested_category": item.report.suggested_category,
            "urgency_score": item.report.urgency_score,
            "urgency_level": item.report.urgency_level,
            "shown_level": item.shown_level,
            "aged_steps": item.aged_steps,
            "information_at": item.information_at.isoformat() if item.information_at else None,
            "reasons": [{"code": r["code"], "points": r["points"]} for r in item.report.triage["urgency"]["reasons"]],
            "disagreement": disagreement_why(item.report.triage, i18n.get_language()),
            "linked_reports": item.links,
            "assigned_to": item.assignee,
        }
        for item in items
    ]


@router.post("/api/reports/retriage", status_code=202, tags=["reports"])
def api_retriage(user: Manager, include_closed: bool = False) -> dict[str, Any]:
    """Triage every stored report again (after a model or rule update) as a background job;
    each changed report and the run are recorded in the audit log."""
    from heroes.core.jobs import submit

    job_id = submit("reports.retriage", {"actor": user.actor, "include_closed": include_closed}, user)
    return {"job": job_id, "url": f"/jobs/{job_id}"}


@router.get("/api/reports/cases/{report_id}", tags=["reports"])
def api_report(report_id: DbId, user: Reader, db: ReadDbSession) -> dict[str, Any]:
    """One report with its triage, identifiers, linked reports, messages, notes and history (staff)."""
    data = service.report_dict(service.get_report(db, user, report_id))
    return data


@router.get("/api/reports/cases/{report_id}/attachments/{attachment_id}", tags=["reports"])
def api_attachment(report_id: DbId, attachment_id: DbId, user: Reader, db: ReadDbSession) -> Response:
    """The decrypted attachment (staff); every view is audited."""
    return _attachment_response(db, user, report_id, attachment_id)


@router.post("/api/reports/cases/{report_id}/status", tags=["reports"])
def api_status(report_id: DbId, body: StatusIn, user: Manager, db: DbSession) -> dict[str, Any]:
    report = service.set_status(db, user, report_id, body.status, body.outcome)
    return {"id": report.id, "status": report.status, "outcome": report.outcome}


@router.post("/api/reports/cases/{report_id}/assignee", tags=["reports"])
def api_assign(report_id: DbId, body: AssignIn, user: Manager, db: DbSession) -> dict[str, Any]:
    report = service.assign(db, user, report_id, body.username)
    return {
        "id": report.id,
        "assigned_to": body.username if report.assigned_to else None,
    }


@router.post("/api/reports/cases/{report_id}/notes", status_code=201, tags=["reports"])
def api_note(report_id: DbId, body: TextIn, user: Manager, db: DbSession) -> dict[str, Any]:
    note = service.add_note(db, user, report_id, body.text)
    return {"id": note.id}


@router.post("/api/reports/cases/{report_id}/questions", status_code=201, tags=["reports"])
def api_question(report_id: DbId, body: TextIn, user: Manager, db: DbSession) -> dict[str, Any]:
    """Ask the reporter a question; they read it with their receipt."""
    message = service.ask_question(db, user, report_id, body.text)
    return {"id": message.id}


@router.post(
    "/api/reports/export",
    tags=["reports"],
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "text/csv; charset=utf-8": {}}, "description": "The export."}},
)
def api_export(body: ExportIn, user: Reader, db: DbSession) -> Response:
    """Selected reports as JSON or CSV (staff); each exported report is audited."""
    return _export_response(db, user, body.ids, body.format)
