"""Pages and API of citizen reports: thin routes over heroes.reports.service.

Public (no account; the form works without JavaScript, which only keeps a draft and copies the
receipt): the guided form, the receipt page, the public API.
Staff (reports:read / reports:manage): the ranked queue, the report page, exports, the staff API.
Nothing here reads or stores the client's address or user agent.

Routes that write (and reads, which write their audit entry) use DbSession, which commits when the
route returns and before the answer leaves (heroes.core.db), so a client's next request sees what it
was just told had been done. A new report commits early, before its answer is built, to free
SQLite's write lock sooner.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from heroes.core import i18n
from heroes.core.auth import Principal, Public, Require
from heroes.core.db import DbSession
from heroes.core.errors import HeroesError, NotFoundError
from heroes.core.i18n import gettext as _
from heroes.core.web.middleware import body_limit
from heroes.core.web.templating import render
from heroes.reports import service
from heroes.reports.attachments import MAX_BYTES, MAX_FILES
from heroes.reports.emergency import contacts_for, countries, country_from_language_tag
from heroes.reports.models import OUTCOMES, STATUSES, Report
from heroes.reports.ratelimit import RateLimited
from heroes.reports.receipts import RECEIPT_DIGITS, format_receipt
from heroes.reports.rules import category_rules, urgency_rules
from heroes.reports.triage import ReportInput, category_label, disagreement_why, reason_message

router = APIRouter()
Reader = Annotated[Principal, Depends(Require(service.READ))]
Manager = Annotated[Principal, Depends(Require(service.MANAGE))]
DbId = Annotated[int, Path(ge=1, le=service.MAX_ID)]
ReceiptPath = Annotated[
    str,
    Path(pattern=r"^[0-9 -]{16,40}$", description="The receipt code given at submission."),
]
GROUPS = ("thb", "csa", "other")
# Whole requests: every attachment at its largest plus the text fields (base64 in the JSON API).
body_limit("/reports/new", MAX_FILES * MAX_BYTES + 1024 * 1024)
body_limit("/reports/receipt/add", MAX_FILES * MAX_BYTES + 1024 * 1024)
body_limit("/api/reports", MAX_FILES * MAX_BYTES * 4 // 3 + 1024 * 1024)


def _dates() -> dict[str, Any]:
    """Date formatters for the templates, in the reader's language."""
    from babel.dates import format_date, format_datetime

    lang = i18n.get_language()

    def as_date(moment: datetime | str | None) -> str:
        if not moment:
            return ""
        value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        return format_date(value, "long", locale=lang)

    def as_datetime(moment: datetime | str | None) -> str:
        if not moment:
            return ""
        value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        return format_datetime(value, "medium", locale=lang)

    return {"fmt_date": as_date, "fmt_datetime": as_datetime}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()] if text else []


def _occurred(day: str, hour: str) -> datetime | None:
    if not day:
        return None
    try:
        moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(hour) if hour else time(12, 0))
    except ValueError as exc:
        raise HeroesError(_("The date or time is not valid.")) from exc
    return moment.replace(tzinfo=UTC)


def _uploads(files: list[UploadFile]) -> list[service.Upload]:
    uploads = []
    for item in files[: MAX_FILES + 1]:
        data = item.file.read(MAX_BYTES + 1)  # one byte more than allowed is enough to refuse
        if data:
            uploads.append(service.Upload(item.filename, data))
    return uploads


def _categories(lang: str) -> list[tuple[str, list[dict[str, str]]]]:
    rules = category_rules()
    groups: list[tuple[str, list[dict[str, str]]]] = []
    for group in GROUPS:
        items = [
            {
                "key": c.key,
                "label": i18n.localized(c.label, lang),
                "help": i18n.localized(c.help, lang),
            }
            for c in rules.categories.values()
            if c.group == group
        ]
        groups.append((group, items))
    return groups


def _default_country(request: Request, given: str | None) -> str | None:
    if given:
        return given.upper()[:2]
    header = request.headers.get("accept-language", "")
    return country_from_language_tag(header.split(",")[0].split(";")[0].strip() or None)


def _form_context(request: Request, values: dict[str, Any], error: str | None = None) -> dict[str, Any]:
    lang = i18n.get_language()
    category = values.get("category") or ""
    return {
        "values": values,
        "error": error,
        "category_label": category_label(category, lang) if category else "",
        "groups": _categories(lang),
        "countries": countries(lang),
        "emergency": contacts_for(values.get("country"), lang),
        "csam": category == "csam_online",
        "max_files": MAX_FILES,
        "max_mb": MAX_BYTES // (1024 * 1024),
        "idempotency_key": values.get("idempotency_key") or secrets.token_urlsafe(24),
    }


# --- public pages ---------------------------------------------------------------------------


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_home(request: Request, user: Public) -> Response:
    return render(request, "reports/home.html", {"can_read": user.can(service.READ)})


@router.get("/reports/new", response_class=HTMLResponse, include_in_schema=False)
def new_report(
    request: Request,
    user: Public,
    step: str = "start",
    category: str | None = None,
    danger: str | None = None,
    country: str | None = None,
    text: Annotated[str | None, Query(max_length=service.MAX_TEXT)] = None,
) -> Response:
    """Step 1 asks about danger and the kind of situation; step 2 is the form itself.

    Other tools link here with `category` and `text` (an ad the reader wants to report): both
    prefill the form, which the reader still reads, completes and sends themselves."""
    if category and category not in category_rules().categories:
        category = None
    values = {
        "category": category,
        "danger_now": danger == "yes",
        "country": _default_country(request, country),
        "description": (text or "").strip(),
    }
    template = "reports/form.html" if step == "details" else "reports/start.html"
    return render(request, template, _form_context(request, values))


@router.post("/reports/new", response_class=HTMLResponse, include_in_schema=False)
def submit_report(
    request: Request,
    user: Public,
    db: DbSession,
    description: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
    category: Annotated[str, Form(max_length=40)] = "",
    danger_now: Annotated[str, Form(max_length=5)] = "",
    country: Annotated[str, Form(max_length=2)] = "",
    location: Annotated[str, Form(max_length=service.MAX_FIELD)] = "",
    occurred_day: Annotated[str, Form(max_length=10)] = "",
    occurred_time: Annotated[str, Form(max_length=8)] = "",
    when_text: Annotated[str, Form(max_length=service.MAX_FIELD)] = "",
    people: Annotated[str, Form(max_length=service.MAX_FIELD)] = "",
    ages: Annotated[str, Form(max_length=service.MAX_FIELD)] = "",
    how_known: Annotated[str, Form(max_length=service.MAX_FIELD)] = "",
    phones: Annotated[str, Form(max_length=service.MAX_FIELD)] = "",
    emails: Annotated[str, Form(max_length=service.MAX_FIELD)] = "",
    usernames: Annotated[str, Form(max_length=service.MAX_FIELD)] = "",
    urls: Annotated[str, Form(max_length=service.MAX_FIELD)] = "",
    vehicles: Annotated[str, Form(max_length=service.MAX_FIELD)] = "",
    contact: Annotated[str, Form(max_length=500)] = "",
    idempotency_key: Annotated[str, Form(max_length=100)] = "",
    attachments: Annotated[list[UploadFile], File()] = [],  # noqa: B006 - FastAPI reads the default
) -> Response:
    values = {
        "description": description,
        "category": category or None,
        "danger_now": danger_now == "yes",
        "country": country or None,
        "location": location,
        "occurred_day": occurred_day,
        "occurred_time": occurred_time,
        "when_text": when_text,
        "people": people,
        "ages": ages,
        "how_known": how_known,
        "phones": phones,
        "emails": emails,
        "usernames": usernames,
        "urls": urls,
        "vehicles": vehicles,
        "contact": contact,
        "idempotency_key": idempotency_key,
    }
    try:
        report = ReportInput(
            description=description,
            category=category or None,
            danger_now=danger_now == "yes",
            country=country or None,
            location=location,
            occurred_at=_occurred(occurred_day, occurred_time),
            when_text=when_text,
            people=people,
            ages=ages,
            how_known=how_known,
            phones=_lines(phones),
            emails=_lines(emails),
            usernames=_lines(usernames),
            urls=[line.strip() for line in urls.splitlines() if line.strip()],
            vehicles=[line.strip() for line in vehicles.splitlines() if line.strip()],
        )
        done = service.submit(
            db,
            service.Submission(
                report=report,
                contact=contact,
                language=i18n.get_language(),
                uploads=_uploads(attachments),
                idempotency_key=idempotency_key or None,
            ),
        )
    except service.DuplicateSubmission as exc:
        if exc.receipt is not None:  # the same form sent again (a lost answer): the same receipt
            context = {
                "receipt": format_receipt(exc.receipt),
                "danger_now": report.danger_now,
                "emergency": contacts_for(report.country, i18n.get_language()),
            }
            return render(request, "reports/submitted.html", context)
        return render(request, "reports/duplicate.html", {"message": exc.message}, exc.status_code)
    except HeroesError as exc:
        db.rollback()
        return render(
            request,
            "reports/form.html",
            _form_context(request, values, exc.message),
            exc.status_code,
        )
    context = {
        "receipt": format_receipt(done.receipt),
        "danger_now": report.danger_now,
        "emergency": contacts_for(report.country, i18n.get_language()),
    }
    return render(request, "reports/submitted.html", context)


@router.get("/reports/receipt", response_class=HTMLResponse, include_in_schema=False)
def receipt_page(request: Request, user: Public) -> Response:
    return render(request, "reports/receipt.html", {"error": None, "digits": RECEIPT_DIGITS})


def _reporter_page(
    request: Request,
    db: Session,
    receipt: str,
    notice: str | None = None,
    error: str | None = None,
) -> Response:
    """Open the report behind a typed receipt and show the reporter's view (or why not)."""
    try:
        report = service.open_by_receipt(db, receipt)
    except HeroesError as exc:
        page = render(
            request,
            "reports/receipt.html",
            {"error": exc.message, "digits": RECEIPT_DIGITS},
            exc.status_code,
        )
        if isinstance(exc, RateLimited):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if report is None:
        service.pause_after_wrong_receipt(db)
        message = _("No report has this receipt code. Check the code and try again.")
        return render(
            request,
            "reports/receipt.html",
            {"error": message, "digits": RECEIPT_DIGITS},
            404,
        )
    view = service.reporter_view(db, report)
    context = {
        "view": view,
        "receipt": receipt,
        "notice": notice,
        "error": error,
        "status_label": service.status_label(view.status),
        "outcome_label": service.outcome_label(view.outcome) if view.outcome else None,
        "max_files": MAX_FILES,
        "sent_labels": _sent_labels(),
        **_dates(),
    }
    return render(request, "reports/status.html", context, 400 if error else 200)


@router.post("/reports/receipt", response_class=HTMLResponse, include_in_schema=False)
def receipt_open(
    request: Request,
    user: Public,
    db: DbSession,
    receipt: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    return _reporter_page(request, db, receipt)


@router.post("/reports/receipt/answer", response_class=HTMLResponse, include_in_schema=False)
def receipt_answer(
    request: Request,
    user: Public,
    db: DbSession,
    receipt: Annotated[str, Form(max_length=60)],
    question_id: Annotated[int, Form()],
    answer: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
) -> Response:
    report = _open_or_none(db, receipt)
    if report is None:
        return _reporter_page(request, db, receipt)
    try:
        service.reporter_answer(db, report, question_id, answer)
    except HeroesError as exc:
        db.rollback()
        return _reporter_page(request, db, receipt, error=exc.message)
    return _reporter_page(request, db, receipt, notice=_("Thank you. Your answer was sent."))


@router.post("/reports/receipt/add", response_class=HTMLResponse, include_in_schema=False)
def receipt_add(
    request: Request,
    user: Public,
    db: DbSession,
    receipt: Annotated[str, Form(max_length=60)],
    information: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
    attachments: Annotated[list[UploadFile], File()] = [],  # noqa: B006 - FastAPI reads the default
) -> Response:
    report = _open_or_none(db, receipt)
    if report is None:
        return _reporter_page(request, db, receipt)
    try:
        service.reporter_add(db, report, information, _uploads(attachments))
    except HeroesError as exc:
        db.rollback()
        return _reporter_page(request, db, receipt, error=exc.message)
    return _reporter_page(
        request,
        db,
        receipt,
        notice=_("Thank you. Your information was added to the report."),
    )


def _sent_labels() -> list[tuple[str, str]]:
    return [
        ("description", _("What happened")),
        ("how_known", _("How you know")),
        ("location", _("Place or address")),
        ("when_text", _("When")),
        ("people", _("People")),
        ("ages", _("Ages")),
        ("phones", _("Phone numbers")),
        ("emails", _("E-mail addresses")),
        ("usernames", _("Usernames")),
        ("urls", _("Web addresses")),
        ("vehicles", _("Vehicles")),
    ]


def _open_or_none(db: Session, receipt: str) -> Report | None:
    try:
        return service.open_by_receipt(db, receipt)
    except HeroesError:
        return None


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
    db: DbSession,
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
def report_page(request: Request, report_id: DbId, user: Reader, db: DbSession) -> Response:
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
def attachment_page(report_id: DbId, attachment_id: DbId, user: Reader, db: DbSession) -> Response:
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


# --- API ------------------------------------------------------------------------------------


class AttachmentIn(BaseModel):
    filename: str | None = Field(None, max_length=200)
    content_base64: str = Field(..., max_length=MAX_BYTES * 4 // 3 + 8)


class ReportIn(BaseModel):
    description: str = Field(
        ...,
        max_length=service.MAX_TEXT,
        description="What happened, in the reporter's words.",
    )
    category: str | None = Field(None, description="One of the category keys (see /reports/new), or none.")
    danger_now: bool = Field(False, description="Someone is in danger now.")
    country: str | None = Field(
        None,
        max_length=2,
        description="ISO country code: phone region, emergency number.",
    )
    location: str = Field("", max_length=service.MAX_FIELD)
    occurred_at: datetime | None = None
    when_text: str = Field("", max_length=service.MAX_FIELD)
    people: str = Field("", max_length=service.MAX_FIELD)
    ages: str = Field("", max_length=service.MAX_FIELD)
    how_known: str = Field("", max_length=service.MAX_FIELD)
    phones: list[str] = Field(default_factory=list, max_length=service.MAX_LIST)
    emails: list[str] = Field(default_factory=list, max_length=service.MAX_LIST)
    usernames: list[str] = Field(default_factory=list, max_length=service.MAX_LIST)
    urls: list[str] = Field(default_factory=list, max_length=service.MAX_LIST)
    vehicles: list[str] = Field(default_factory=list, max_length=service.MAX_LIST)
    contact: str = Field("", max_length=500, description="Optional; empty keeps the report anonymous.")
    language: str | None = Field(None, max_length=8)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_FILES)


class EmergencyOut(BaseModel):
    country: str | None
    country_name: str
    emergency: str
    note: str
    extra: list[dict[str, str]]


class ReceiptOut(BaseModel):
    report_received: bool = True
    receipt: str = Field(
        ...,
        description="Shown once; keep it to follow the report up. Only its hash is stored.",
    )
    receipt_display: str
    status: str
    emergency: EmergencyOut | None = Field(None, description="When someone is in danger now: call this first.")


class AnswerIn(BaseModel):
    question_id: int = Field(..., ge=1, le=service.MAX_ID)
    answer: str = Field(..., max_length=service.MAX_TEXT)


class InformationIn(BaseModel):
    text: str = Field("", max_length=service.MAX_TEXT)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_FILES)


class StatusIn(BaseModel):
    status: str = Field(..., description=", ".join(STATUSES))
    outcome: str | None = Field(None, description="Needed to close: " + ", ".join(OUTCOMES))


class AssignIn(BaseModel):
    username: str | None = None


class TextIn(BaseModel):
    text: str = Field(..., max_length=service.MAX_TEXT)


class ExportIn(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=service.MAX_ID)]] | None = Field(
        None, description="Reports to export; all when omitted.", max_length=1000
    )
    format: str = Field("json", pattern="^(json|csv)$")


@router.post(
    "/api/reports",
    status_code=201,
    response_model=ReceiptOut,
    tags=["reports"],
    responses={200: {"model": ReceiptOut, "description": "A retry of the same report: its first receipt."}},
)
def api_submit(
    request: Request,
    response: Response,
    body: ReportIn,
    user: Public,
    db: DbSession,
) -> Any:
    """Submit a report (no account needed). The answer carries the receipt code, shown only once.

    Send an `Idempotency-Key` header to make retries safe: the same key is stored once; a retry
    of the very same report answers 200 with the same receipt, other content under it 409.
    """
    report = ReportInput(
        **body.model_dump(exclude={"contact", "language", "attachments"}),
    )
    uploads = [service.decode_base64_upload(a.filename, a.content_base64) for a in body.attachments]
    try:
        done = service.submit(
            db,
            service.Submission(
                report=report,
                contact=body.contact,
                language=i18n.normalize(body.language or i18n.get_language()),
                uploads=uploads,
                idempotency_key=request.headers.get("idempotency-key"),
            ),
        )
        receipt = done.receipt
    except service.DuplicateSubmission as exc:
        if exc.receipt is None:
            raise  # other content under a used key: 409
        receipt = exc.receipt  # a retry of the very same report: the same receipt, stored once
        response.status_code = 200
    db.commit()  # stored (and the write lock freed) before the answer is built
    emergency = contacts_for(report.country, i18n.get_language()).as_dict() if report.danger_now else None
    return ReceiptOut(
        receipt=receipt,
        receipt_display=format_receipt(receipt),
        status="new",
        emergency=EmergencyOut(**emergency) if emergency else None,
    )


@router.get("/api/reports", tags=["reports"])
def api_queue(
    user: Reader,
    db: DbSession,
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
def api_report(report_id: DbId, user: Reader, db: DbSession) -> dict[str, Any]:
    """One report with its triage, identifiers, linked reports, messages, notes and history (staff)."""
    data = service.report_dict(service.get_report(db, user, report_id))
    return data


@router.get("/api/reports/cases/{report_id}/attachments/{attachment_id}", tags=["reports"])
def api_attachment(report_id: DbId, attachment_id: DbId, user: Reader, db: DbSession) -> Response:
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


def _reporter_json(db: Session, receipt: str) -> Report | JSONResponse:
    try:
        report = service.open_by_receipt(db, receipt)
    except RateLimited as exc:
        return JSONResponse(
            {"detail": exc.message},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if report is None:
        service.pause_after_wrong_receipt(db)
        return JSONResponse({"detail": _("No report has this receipt code.")}, status_code=404)
    return report


@router.get("/api/reports/{receipt}", tags=["reports"])
def api_reporter_view(receipt: ReceiptPath, user: Public, db: DbSession) -> Any:
    """The reporter's view: status, the police's questions and the answers given, additions.

    Wrong codes are rate-limited (429 with Retry-After) per report and overall.
    """
    found = _reporter_json(db, receipt)
    if isinstance(found, JSONResponse):
        return found
    view = service.reporter_view(db, found).as_dict()
    return view


@router.post("/api/reports/{receipt}/answers", tags=["reports"])
def api_reporter_answer(receipt: ReceiptPath, body: AnswerIn, user: Public, db: DbSession) -> Any:
    """Answer one of the police's questions."""
    found = _reporter_json(db, receipt)
    if isinstance(found, JSONResponse):
        return found
    service.reporter_answer(db, found, body.question_id, body.answer)
    view = service.reporter_view(db, found).as_dict()
    return view


@router.post("/api/reports/{receipt}/information", tags=["reports"])
def api_reporter_add(receipt: ReceiptPath, body: InformationIn, user: Public, db: DbSession) -> Any:
    """Add information (text and/or attachments) to a report."""
    found = _reporter_json(db, receipt)
    if isinstance(found, JSONResponse):
        return found
    uploads = [service.decode_base64_upload(a.filename, a.content_base64) for a in body.attachments]
    service.reporter_add(db, found, body.text, uploads)
    view = service.reporter_view(db, found).as_dict()
    return view
