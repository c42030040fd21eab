"""Public routes of the reports tool (no account): the guided form, the receipt pages, the public API.

The form works without JavaScript (draft.js only keeps a draft, receipt.js copies the receipt).
Nothing here reads or stores the client's address or user agent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from heroes.core import i18n
from heroes.core.auth import Public
from heroes.core.db import DbSession, ReadDbSession
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.web.templating import render
from heroes.reports import proof, service
from heroes.reports.attachments import MAX_FILES
from heroes.reports.emergency import contacts_for
from heroes.reports.models import Report
from heroes.reports.proof import Challenge
from heroes.reports.ratelimit import RateLimited
from heroes.reports.receipts import RECEIPT_DIGITS, format_receipt
from heroes.reports.rules import category_rules
from heroes.reports.triage import ReportInput
from heroes.reports.web_common import (
    AnswerIn,
    ChallengeIn,
    ChallengeOut,
    EmergencyOut,
    InformationIn,
    ReceiptLimitedOut,
    ReceiptOut,
    ReceiptPath,
    ReportIn,
    _dates,
    _default_country,
    _form_context,
    _lines,
    _occurred,
    _uploads,
)

router = APIRouter()


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
    return render(request, "reports/receipt.html", _receipt_context())


def _receipt_context(
    error: str | None = None, typed: str = "", client: str = "", challenge: Challenge | None = None
) -> dict[str, Any]:
    """The receipt form, keeping what was typed; with a challenge for the browser to solve when the
    lookup needs proof of work, and the anonymous client token (a new one after a first failure)."""
    return {
        "error": error,
        "digits": RECEIPT_DIGITS,
        "typed": typed,
        "client": challenge.client if challenge else client,
        "challenge": challenge,
    }


def _open(
    request: Request, db: Session, receipt: str, client: str, proof_text: str = "", opened: str = ""
) -> Report | Response:
    """The report behind a typed receipt, or the receipt page saying why not (keeping the code)."""
    try:
        report = service.open_by_receipt(db, receipt, client=client, proof_text=proof_text, opened=opened)
    except RateLimited as exc:
        context = _receipt_context(exc.message, receipt, client, exc.challenge)
        page = render(request, "reports/receipt.html", context, 429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except HeroesError as exc:
        return render(request, "reports/receipt.html", _receipt_context(exc.message, receipt, client), exc.status_code)
    if report is None:
        service.record_wrong_receipt(db)
        message = _("No report has this receipt code. Check the code and try again.")
        return render(request, "reports/receipt.html", _receipt_context(message, receipt, client), 404)
    return report


def _client(token: str) -> str:
    """The browser's anonymous client token, or a new one (kept in the page's forms from now on)."""
    return token if proof.client_of(token) != proof.NO_CLIENT else proof.new_client()


def _status_page(
    request: Request,
    db: Session,
    report: Report,
    receipt: str,
    client: str,
    notice: str | None = None,
    error: str | None = None,
) -> Response:
    view = service.reporter_view(db, report)
    context = {
        "view": view,
        "receipt": receipt,
        "opened": service.opened_token(receipt),
        "client": client,
        "notice": notice,
        "error": error,
        "status_label": service.status_label(view.status),
        "outcome_label": service.outcome_label(view.outcome) if view.outcome else None,
        "max_files": MAX_FILES,
        "sent_labels": _sent_labels(),
        **_dates(),
    }
    return render(request, "reports/status.html", context, 400 if error else 200)


def _reporter_page(
    request: Request,
    db: Session,
    receipt: str,
    notice: str | None = None,
    error: str | None = None,
    client: str = "",
    proof_text: str = "",
    opened: str = "",
) -> Response:
    """Open the report behind a typed receipt and show the reporter's view (or why not)."""
    client = _client(client)
    found = _open(request, db, receipt, client, proof_text, opened)
    if isinstance(found, Response):
        return found
    return _status_page(request, db, found, receipt, client, notice, error)


@router.post("/reports/receipt", response_class=HTMLResponse, include_in_schema=False)
def receipt_open(
    request: Request,
    user: Public,
    db: DbSession,
    receipt: Annotated[str, Form(max_length=60)] = "",
    client: Annotated[str, Form(max_length=64)] = "",
    proof: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    return _reporter_page(request, db, receipt, client=client, proof_text=proof)


@router.post("/reports/receipt/answer", response_class=HTMLResponse, include_in_schema=False)
def receipt_answer(
    request: Request,
    user: Public,
    db: DbSession,
    receipt: Annotated[str, Form(max_length=60)],
    question_id: Annotated[int, Form()],
    answer: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
    opened: Annotated[str, Form(max_length=100)] = "",
    client: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    client = _client(client)
    found = _open(request, db, receipt, client, opened=opened)  # a wrong code is counted once
    if isinstance(found, Response):
        return found
    try:
        service.reporter_answer(db, found, question_id, answer)
    except HeroesError as exc:
        db.rollback()
        return _reporter_page(request, db, receipt, error=exc.message, client=client, opened=opened)
    return _status_page(request, db, found, receipt, client, notice=_("Thank you. Your answer was sent."))


@router.post("/reports/receipt/add", response_class=HTMLResponse, include_in_schema=False)
def receipt_add(
    request: Request,
    user: Public,
    db: DbSession,
    receipt: Annotated[str, Form(max_length=60)],
    information: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
    opened: Annotated[str, Form(max_length=100)] = "",
    client: Annotated[str, Form(max_length=64)] = "",
    attachments: Annotated[list[UploadFile], File()] = [],  # noqa: B006 - FastAPI reads the default
) -> Response:
    client = _client(client)
    found = _open(request, db, receipt, client, opened=opened)
    if isinstance(found, Response):
        return found
    try:
        service.reporter_add(db, found, information, _uploads(attachments))
    except HeroesError as exc:
        db.rollback()
        return _reporter_page(request, db, receipt, error=exc.message, client=client, opened=opened)
    notice = _("Thank you. Your information was added to the report.")
    return _status_page(request, db, found, receipt, client, notice=notice)


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


ProofHeader = Annotated[
    str | None,
    Header(
        alias="Receipt-Proof",
        max_length=200,
        description='A solved challenge, "<challenge>:<solution>" (see POST /api/reports/challenge); '
        "needed only after wrong codes, when a 429 answer carries a challenge.",
    ),
]
ClientHeader = Annotated[
    str | None,
    Header(
        alias="Receipt-Client",
        max_length=64,
        description="Your anonymous client token (any random 16-64 letters, digits, - or _ you keep). "
        "Wrong codes are counted per token, never per address; without one you share a counter.",
    ),
]
OpenedHeader = Annotated[
    str | None,
    Header(
        alias="Receipt-Opened",
        max_length=100,
        description="The Receipt-Opened header of an earlier answer for this same code: no new proof needed.",
    ),
]
LIMITED: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ReceiptLimitedOut,
        "description": "Too many wrong codes: solve the challenge and retry with Receipt-Proof, "
        "or wait Retry-After seconds.",
    },
}


def _reporter_json(
    db: Session,
    receipt: str,
    response: Response,
    client: str | None,
    proof_text: str | None,
    opened: str | None,
) -> Report | JSONResponse:
    try:
        report = service.open_by_receipt(db, receipt, client=client, proof_text=proof_text, opened=opened)
    except RateLimited as exc:
        body: dict[str, Any] = {"detail": exc.message}
        if exc.challenge is not None:
            body["challenge"] = exc.challenge.as_dict()
        return JSONResponse(body, status_code=429, headers={"Retry-After": str(exc.retry_after)})
    if report is None:
        service.record_wrong_receipt(db)
        return JSONResponse({"detail": _("No report has this receipt code.")}, status_code=404)
    response.headers["Receipt-Opened"] = service.opened_token(receipt)
    return report


@router.post("/api/reports/challenge", response_model=ChallengeOut, tags=["reports"])
def api_receipt_challenge(body: ChallengeIn, user: Public, db: ReadDbSession) -> Any:
    """A proof-of-work challenge for following up a report (the receipt's first 6 digits).

    Needed only when a lookup has had wrong codes: `bits` 0 means send no proof. Solve it (find
    digits `s` such that SHA-256 of "<challenge>:<s>" starts with `bits` zero bits) and send
    "<challenge>:<s>" as the Receipt-Proof header with the same Receipt-Client header.
    """
    challenge = service.receipt_challenge(db, body.lookup, body.client or proof.new_client())
    return ChallengeOut.model_validate(challenge.as_dict())


@router.get("/api/reports/{receipt}", tags=["reports"], responses=LIMITED)
def api_reporter_view(
    receipt: ReceiptPath,
    user: Public,
    db: DbSession,
    response: Response,
    receipt_proof: ProofHeader = None,
    receipt_client: ClientHeader = None,
    receipt_opened: OpenedHeader = None,
) -> Any:
    """The reporter's view: status, the police's questions and the answers given, additions.

    After a few wrong codes for a report (or from a client, or overall), a lookup needs proof of
    work: the 429 answer carries a challenge (see POST /api/reports/challenge). Nobody is locked out.
    The answer's Receipt-Opened header lets the next calls with this code skip the proof.
    """
    found = _reporter_json(db, receipt, response, receipt_client, receipt_proof, receipt_opened)
    if isinstance(found, JSONResponse):
        return found
    view = service.reporter_view(db, found).as_dict()
    return view


@router.post("/api/reports/{receipt}/answers", tags=["reports"], responses=LIMITED)
def api_reporter_answer(
    receipt: ReceiptPath,
    body: AnswerIn,
    user: Public,
    db: DbSession,
    response: Response,
    receipt_proof: ProofHeader = None,
    receipt_client: ClientHeader = None,
    receipt_opened: OpenedHeader = None,
) -> Any:
    """Answer one of the police's questions."""
    found = _reporter_json(db, receipt, response, receipt_client, receipt_proof, receipt_opened)
    if isinstance(found, JSONResponse):
        return found
    service.reporter_answer(db, found, body.question_id, body.answer)
    view = service.reporter_view(db, found).as_dict()
    return view


@router.post("/api/reports/{receipt}/information", tags=["reports"], responses=LIMITED)
def api_reporter_add(
    receipt: ReceiptPath,
    body: InformationIn,
    user: Public,
    db: DbSession,
    response: Response,
    receipt_proof: ProofHeader = None,
    receipt_client: ClientHeader = None,
    receipt_opened: OpenedHeader = None,
) -> Any:
    """Add information (text and/or attachments) to a report."""
    found = _reporter_json(db, receipt, response, receipt_client, receipt_proof, receipt_opened)
    if isinstance(found, JSONResponse):
        return found
    uploads = [service.decode_base64_upload(a.filename, a.content_base64) for a in body.attachments]
    service.reporter_add(db, found, body.text, uploads)
    view = service.reporter_view(db, found).as_dict()
    return view
