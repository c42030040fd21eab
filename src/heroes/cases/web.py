"""Pages under /cases and the JSON API under /api/cases: thin layers over the case library.

Refusals (no consent, role, old version, repeat interview) are audited by the library; the routes commit
that audit entry before the error answer goes out, since the request's own transaction rolls back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from heroes.core import i18n
from heroes.core.auth import Principal, Require
from heroes.core.db import DbId, DbSession, ReadDbSession
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.models import Organisation
from heroes.core.web.templating import render

from . import duplicates, engine, exchange, labels, records
from .access import SHAREABLE, AccessDenied, Viewer, viewer_for
from .models import (
    CONSENT_GIVERS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
    EXPLOITATION_FORMS,
    NEEDS,
    RISK_LEVELS,
    CaseReferral,
)

READ, EDIT, COORDINATE = "cases:read", "cases:edit", "cases:coordinate"
Reader = Annotated[Principal, Depends(Require(READ))]
Editor = Annotated[Principal, Depends(Require(EDIT))]
Coordinator = Annotated[Principal, Depends(Require(COORDINATE))]
TABS = ("person", "consent", "referrals", "interviews", "plan", "notes", "history")
Reason = Literal["casework", "referral", "interview", "supervision", "safeguarding", "legal_duty", "subject_access"]
NO_STORE = {"Cache-Control": "no-store"}
T = TypeVar("T")

router = APIRouter()
api = APIRouter(prefix="/api/cases", tags=["cases"])


def _guard(db: Session, action: Callable[[], T]) -> T:
    """Run a library call; keep the audit entry of a refusal even though the request fails."""
    try:
        return action()
    except (AccessDenied, engine.StaleEdit, records.InterviewWarning):
        db.commit()
        raise


def _viewer(db: Session, user: Principal) -> Viewer:
    return viewer_for(db, user)


def _organisations(db: Session) -> list[Organisation]:
    return list(db.execute(select(Organisation).order_by(Organisation.name)).scalars())


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise HeroesError(_("A date looks like 2026-12-31.")) from exc


def _lines(value: str) -> list[str]:
    return [v.strip() for v in value.replace(",", "\n").splitlines() if v.strip()]


def _pdf(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )


# --- pages ------------------------------------------------------------------------------------------


@router.get("/cases", include_in_schema=False)
def list_page(request: Request, user: Reader, db: ReadDbSession, reason: Reason = "casework") -> Response:
    viewer = _viewer(db, user)
    context = {
        "cases": engine.list_cases(db, viewer, reason),
        "incoming": engine.incoming_referrals(db, viewer),
        "overrides": engine.overrides_to_review(db, viewer) if user.can(COORDINATE) else [],
        "viewer": viewer,
        "labels": labels.all_labels(),
    }
    response = render(request, "cases/list.html", context)
    response.headers.update(NO_STORE)
    return response


def _screening_from_form(form: Any) -> dict[str, Any] | None:
    from heroes.screening.api import referral_from_answers

    if not form.get("country"):
        return None
    answers = {
        "country": str(form.get("country")),
        "sector": str(form.get("sector") or "") or None,
        "child": form.get("age") == "child",
        "observed": [str(v) for v in form.getlist("observed")],
        "danger": [str(v) for v in form.getlist("danger")],
        "danger_now": form.get("danger_now") == "yes",
    }
    consent = str(form.get("consent") or "unknown")
    if not answers["child"] and consent in ("given", "declined", "unknown"):
        answers["consent"] = consent
    return referral_from_answers(answers, i18n.get_language())


def _new_context(screening: dict[str, Any] | None, form: Any = None) -> dict[str, Any]:
    hidden = []
    if form is not None:
        for key in ("country", "sector", "age", "danger_now", "consent"):
            if form.get(key):
                hidden.append((key, str(form.get(key))))
        for key in ("observed", "danger"):
            hidden += [(key, str(v)) for v in form.getlist(key)]
    return {
        "screening": screening,
        "hidden": hidden,
        "labels": labels.all_labels(),
        "forms": EXPLOITATION_FORMS,
        "risks": RISK_LEVELS,
    }


@router.get("/cases/new", include_in_schema=False)
def new_page(request: Request, user: Editor, db: ReadDbSession) -> Response:
    _viewer(db, user)
    return render(request, "cases/new.html", _new_context(None))


@router.post("/cases/from-screening", include_in_schema=False)
async def from_screening(request: Request, user: Editor, db: DbSession) -> Response:
    """The screening result's 'open a case' button: the finding prefills the new case form."""
    _viewer(db, user)
    form = await request.form()
    screening = _screening_from_form(form)
    return render(request, "cases/new.html", _new_context(screening, form))


@router.post("/cases/new", include_in_schema=False)
async def create_page(request: Request, user: Editor, db: DbSession) -> Response:
    viewer = _viewer(db, user)
    form = await request.form()
    screening = _screening_from_form(form)
    case = engine.open_case(
        db,
        viewer,
        pseudonym=str(form.get("pseudonym", "")),
        child=form.get("child") == "yes",
        country=str(form.get("case_country") or (screening or {}).get("country") or ""),
        languages=_lines(str(form.get("languages", ""))),
        exploitation=[str(v) for v in form.getlist("exploitation")],
        risk=str(form.get("risk") or "medium"),
        summary=str(form.get("summary", "")),
        identity={
            k: str(form.get(k, ""))
            for k in ("legal_name", "other_names", "date_of_birth", "nationality", "identifiers")
        }
        if form.get("legal_name")
        else None,
        screening=screening,
    )
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.get("/cases/override", include_in_schema=False)
def override_form(
    request: Request, user: Editor, db: ReadDbSession, case_id: Annotated[int, Query(ge=1, le=2**31 - 1)]
) -> Response:
    _viewer(db, user)
    engine.load_case(db, case_id)
    return render(request, "cases/override.html", {"case_id": case_id, "labels": labels.all_labels()})


@router.get("/cases/{case_id}", include_in_schema=False)
def case_page(
    request: Request,
    case_id: DbId,
    user: Reader,
    db: ReadDbSession,
    tab: str = "person",
    reason: Reason = "casework",
    lang: str = "",
) -> Response:
    viewer = _viewer(db, user)
    view = _guard(db, lambda: engine.case_view(db, case_id, viewer, reason))
    pathways: list[dict[str, Any]] = []
    if tab == "referrals" and view.get("country"):
        from heroes.screening.api import country_pathways

        try:
            pathways = country_pathways(view["country"], bool(view.get("child")), i18n.get_language())
        except HeroesError:
            pathways = []
    context = {
        "view": view,
        "tab": tab if tab in TABS else "person",
        "tabs": TABS,
        "reason": reason,
        "viewer": viewer,
        "labels": labels.all_labels(),
        "organisations": [o for o in _organisations(db) if o.id != view["organisation"]["id"]],
        "all_organisations": _organisations(db),
        "shareable": SHAREABLE,
        "purposes": CONSENT_PURPOSES,
        "givers": CONSENT_GIVERS,
        "methods": CONSENT_METHODS,
        "needs": NEEDS,
        "forms": EXPLOITATION_FORMS,
        "risks": RISK_LEVELS,
        "pathways": pathways,
        "can_coordinate": user.can(COORDINATE),
        "message": request.query_params.get("message", ""),
    }
    response = render(request, "cases/case.html", context)
    response.headers.update(NO_STORE)
    return response


def _back(case_id: int, tab: str, message: str = "") -> RedirectResponse:
    suffix = f"&message={message}" if message else ""
    return RedirectResponse(f"/cases/{case_id}?tab={tab}{suffix}", status_code=303)


@router.post("/cases/{case_id}/edit", include_in_schema=False)
async def edit_page(request: Request, case_id: DbId, user: Editor, db: DbSession) -> Response:
    viewer = _viewer(db, user)
    form = await request.form()
    try:
        version = int(str(form.get("version", "")))
    except ValueError as exc:
        raise HeroesError(_("The form lost the case version; reload the case.")) from exc
    editable = [f for f in engine.EDITABLE if f"has_{f}" in form]
    changes: dict[str, Any] = {}
    for name in editable:
        if name == "exploitation":
            changes[name] = [str(v) for v in form.getlist("exploitation")]
        elif name == "languages":
            changes[name] = _lines(str(form.get("languages", "")))
        elif name == "child":
            changes[name] = form.get("child") == "yes"
        else:
            changes[name] = str(form.get(name, ""))
    _guard(db, lambda: engine.update_case(db, case_id, viewer, version, changes, str(form.get("change_reason", ""))))
    return _back(case_id, "person", "saved")


@router.post("/cases/{case_id}/identity", include_in_schema=False)
async def identity_page(request: Request, case_id: DbId, user: Editor, db: DbSession) -> Response:
    viewer = _viewer(db, user)
    form = await request.form()
    data = {
        k: str(form.get(k, "")) for k in ("legal_name", "other_names", "date_of_birth", "nationality", "identifiers")
    }
    _guard(db, lambda: engine.set_identity(db, case_id, viewer, data))
    return _back(case_id, "person", "saved")


@router.post("/cases/{case_id}/consents", include_in_schema=False)
async def consent_page(request: Request, case_id: DbId, user: Editor, db: DbSession) -> Response:
    viewer = _viewer(db, user)
    form = await request.form()
    organisation = str(form.get("organisation_id") or "")
    fields = [str(v) for v in form.getlist("fields")]
    _guard(
        db,
        lambda: engine.record_consent(
            db,
            case_id,
            viewer,
            purpose=str(form.get("purpose", "")),
            organisation_id=int(organisation) if organisation.isdigit() else None,
            given_by=str(form.get("given_by", "")),
            given_by_detail=str(form.get("given_by_detail", "")),
            method=str(form.get("method", "")),
            fields=fields or None,
        ),
    )
    return _back(case_id, "consent", "saved")


@router.post("/cases/{case_id}/consents/{consent_id}/withdraw", include_in_schema=False)
def withdraw_page(case_id: DbId, consent_id: DbId, user: Editor, db: DbSession) -> Response:
    viewer = _viewer(db, user)
    _guard(db, lambda: engine.withdraw_consent(db, case_id, consent_id, viewer))
    return _back(case_id, "consent", "withdrawn")


@router.post("/cases/{case_id}/referrals", include_in_schema=False)
async def refer_page(request: Request, case_id: DbId, user: Editor, db: DbSession) -> Response:
    viewer = _viewer(db, user)
    form = await request.form()
    target = str(form.get("to_organisation_id", ""))
    if not target.isdigit():
        raise HeroesError(_("Choose the organisation to refer to."))
    _guard(
        db,
        lambda: engine.refer(
            db,
            case_id,
            viewer,
            to_organisation_id=int(target),
            fields=[str(v) for v in form.getlist("fields")],
            needs=[str(v) for v in form.getlist("needs")],
            message=str(form.get("message", "")),
            deadline=_date(str(form.get("deadline", ""))),
        ),
    )
    return _back(case_id, "referrals", "referred")


@router.post("/cases/referrals/{referral_id}/answer", include_in_schema=False)
def answer_page(
    referral_id: DbId,
    user: Editor,
    db: DbSession,
    decision: Annotated[Literal["accept", "decline"], Form()],
    response_reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    viewer = _viewer(db, user)
    referral = engine.respond_to_referral(db, referral_id, viewer, decision == "accept", response_reason)
    if referral.state == "accepted":
        return RedirectResponse(f"/cases/{referral.case_id}?reason=referral", status_code=303)
    return RedirectResponse("/cases", status_code=303)


@router.post("/cases/referrals/{referral_id}/withdraw", include_in_schema=False)
def withdraw_referral_page(
    referral_id: DbId, user: Editor, db: DbSession, reason_text: Annotated[str, Form(max_length=1000)] = ""
) -> Response:
    viewer = _viewer(db, user)
    referral = _guard(db, lambda: engine.withdraw_referral(db, referral_id, viewer, reason_text))
    return _back(referral.case_id, "referrals", "withdrawn")


@router.post("/cases/{case_id}/interviews", include_in_schema=False)
async def interview_page(request: Request, case_id: DbId, user: Editor, db: DbSession) -> Response:
    viewer = _viewer(db, user)
    form = await request.form()
    when = str(form.get("at", ""))
    try:
        at = datetime.fromisoformat(when).replace(tzinfo=UTC) if when else datetime.now(UTC)
    except ValueError as exc:
        raise HeroesError(_("A date and time looks like 2026-12-31T10:30.")) from exc
    upload = form.get("recording")
    recording = (
        await upload.read(records.MAX_ATTACHMENT + 1) if upload is not None and not isinstance(upload, str) else None
    )
    _guard(
        db,
        lambda: records.add_interview(
            db,
            case_id,
            viewer,
            at=at,
            state=str(form.get("state") or "done"),
            interviewer=str(form.get("interviewer", "")),
            interpreter=str(form.get("interpreter", "")),
            observers=_lines(str(form.get("observers", ""))),
            summary=str(form.get("summary", "")),
            transcript=str(form.get("transcript", "")),
            recording=recording or None,
            confirm_repeat=form.get("confirm_repeat") == "yes",
        ),
    )
    return _back(case_id, "interviews", "saved")


@router.get("/cases/{case_id}/interviews/{interview_id}", include_in_schema=False)
def interview_read_page(
    request: Request, case_id: DbId, interview_id: DbId, user: Reader, db: ReadDbSession
) -> Response:
    viewer = _viewer(db, user)
    content = _guard(db, lambda: records.read_interview(db, case_id, interview_id, viewer))
    response = render(request, "cases/interview.html", {"case_id": case_id, "interview": content})
    response.headers.update(NO_STORE)
    return response


@router.get("/cases/{case_id}/interviews/{interview_id}/recording", include_in_schema=False)
def recording_download(case_id: DbId, interview_id: DbId, user: Reader, db: ReadDbSession) -> Response:
    viewer = _viewer(db, user)
    data = _guard(db, lambda: records.read_recording(db, case_id, interview_id, viewer))
    headers = {"Content-Disposition": f'attachment; filename="interview-{interview_id}.bin"', **NO_STORE}
    return Response(data, media_type="application/octet-stream", headers=headers)


@router.post("/cases/{case_id}/plan", include_in_schema=False)
async def plan_page(request: Request, case_id: DbId, user: Editor, db: DbSession) -> Response:
    viewer = _viewer(db, user)
    form = await request.form()
    owner = str(form.get("owner_organisation_id") or "")
    _guard(
        db,
        lambda: records.add_plan_item(
            db,
            case_id,
            viewer,
            kind=str(form.get("kind", "")),
            need=str(form.get("need", "")),
            text=str(form.get("text", "")),
            owner_organisation_id=int(owner) if owner.isdigit() else None,
            due=_date(str(form.get("due", ""))),
        ),
    )
    return _back(case_id, "plan", "saved")


@router.post("/cases/{case_id}/plan/{item_id}/done", include_in_schema=False)
def plan_done_page(case_id: DbId, item_id: DbId, user: Editor, db: DbSession) -> Response:
    viewer = _viewer(db, user)
    _guard(db, lambda: records.set_plan_done(db, case_id, item_id, viewer))
    return _back(case_id, "plan", "saved")


@router.post("/cases/{case_id}/notes", include_in_schema=False)
def note_page(
    case_id: DbId,
    user: Editor,
    db: DbSession,
    category: Annotated[str, Form()],
    text: Annotated[str, Form(max_length=20000)],
) -> Response:
    viewer = _viewer(db, user)
    _guard(db, lambda: records.add_note(db, case_id, viewer, category, text))
    return _back(case_id, "notes", "saved")


@router.post("/cases/{case_id}/override", include_in_schema=False)
def override_page(
    case_id: DbId,
    user: Editor,
    db: DbSession,
    grounds: Annotated[str, Form()],
    reason_text: Annotated[str, Form(max_length=1000)],
) -> Response:
    viewer = _viewer(db, user)
    engine.request_override(db, case_id, viewer, grounds, reason_text)
    return RedirectResponse(
        f"/cases/{case_id}?reason={'safeguarding' if grounds == 'imminent_danger' else 'legal_duty'}", status_code=303
    )


@router.post("/cases/overrides/{override_id}/review", include_in_schema=False)
def review_page(override_id: DbId, user: Coordinator, db: DbSession) -> Response:
    engine.review_override(db, override_id, _viewer(db, user))
    return RedirectResponse("/cases", status_code=303)


@router.get("/cases/{case_id}/duplicates", include_in_schema=False)
def duplicates_page(request: Request, case_id: DbId, user: Coordinator, db: ReadDbSession) -> Response:
    viewer = _viewer(db, user)
    found = _guard(db, lambda: duplicates.find_for_case(db, case_id, viewer))
    return render(request, "cases/duplicates.html", {"case_id": case_id, "suggestions": found})


@router.post("/cases/{case_id}/duplicates/{other_id}", include_in_schema=False)
def duplicate_decision_page(
    case_id: DbId,
    other_id: DbId,
    user: Coordinator,
    db: DbSession,
    decision: Annotated[Literal["same_person", "keep_apart"], Form()],
) -> Response:
    viewer = _viewer(db, user)
    _guard(db, lambda: duplicates.decide(db, case_id, other_id, viewer, decision))
    return RedirectResponse(f"/cases/{case_id}/duplicates", status_code=303)


def _pdf_lang(lang: str) -> str:
    return lang if lang in ("en", "es") else i18n.get_language()


@router.get("/cases/{case_id}/summary.pdf", include_in_schema=False)
def summary_pdf(case_id: DbId, user: Reader, db: ReadDbSession, lang: str = "") -> Response:
    viewer = _viewer(db, user)
    view = _guard(db, lambda: engine.case_view(db, case_id, viewer, "casework"))
    from . import pdf  # fpdf loads on the first PDF, not at start-up

    return _pdf(pdf.case_summary_pdf(view, _pdf_lang(lang)), f"case-{case_id}.pdf")


def _referral_and_view(db: Session, referral_id: int, viewer: Viewer) -> tuple[dict[str, Any], dict[str, Any]]:
    referral = db.get(CaseReferral, referral_id)
    if referral is None:
        raise HeroesError(_("No referral %(id)s.", id=referral_id), 404)
    view = _guard(db, lambda: engine.case_view(db, referral.case_id, viewer, "referral"))
    if "referrals" not in view:
        raise AccessDenied(_("Your role does not allow this part of the case (%(field)s).", field="referrals"))
    return engine.referral_dict(db, referral), view


@router.get("/cases/referrals/{referral_id}/letter.pdf", include_in_schema=False)
def letter_pdf(referral_id: DbId, user: Reader, db: ReadDbSession, lang: str = "") -> Response:
    viewer = _viewer(db, user)
    referral, view = _referral_and_view(db, referral_id, viewer)
    from . import pdf  # fpdf loads on the first PDF, not at start-up

    return _pdf(pdf.referral_letter_pdf(view, referral, _pdf_lang(lang)), f"referral-{referral_id}.pdf")


# --- JSON API ---------------------------------------------------------------------------------------


class IdentityIn(BaseModel):
    legal_name: str = Field("", max_length=200)
    other_names: str = Field("", max_length=400)
    date_of_birth: str = Field("", examples=["2009-04-30"])
    nationality: str = Field("", max_length=80)
    identifiers: list[str] = Field(default_factory=list)


class CaseIn(BaseModel):
    pseudonym: str = Field(max_length=80, examples=["Rosa"])
    child: bool = False
    country: str = Field("", max_length=2, examples=["ES"])
    languages: list[str] = Field(default_factory=list, examples=[["ro", "es"]])
    exploitation: list[str] = Field(default_factory=list, examples=[["labour"]])
    risk: str = "medium"
    summary: str = Field("", max_length=5000)
    identity: IdentityIn | None = None


class CasePatch(BaseModel):
    version: int = Field(description="The version you read; an older one is refused with 409.")
    changes: dict[str, Any] = Field(examples=[{"risk": "high"}])
    change_reason: str = Field("", max_length=1000)


class ConsentIn(BaseModel):
    purpose: Literal["assessment", "share_org", "share_police", "research"]
    organisation_id: int | None = None
    given_by: Literal["person", "guardian", "best_interest"]
    given_by_detail: str = Field("", max_length=300)
    method: Literal["spoken", "written", "interpreted"]
    fields: list[str] | None = None


class ReferralIn(BaseModel):
    to_organisation_id: int
    fields: list[str]
    needs: list[str] = Field(default_factory=list)
    message: str = Field("", max_length=2000)
    deadline: date | None = None


class AnswerIn(BaseModel):
    accept: bool
    reason: str = Field("", max_length=1000)


class InterviewIn(BaseModel):
    at: datetime
    interviewer: str = Field(max_length=200)
    state: Literal["scheduled", "done"] = "done"
    interpreter: str = Field("", max_length=200)
    observers: list[str] = Field(default_factory=list)
    summary: str = Field("", max_length=20000)
    transcript: str = Field("", max_length=500000)
    confirm_repeat: bool = False


class NoteIn(BaseModel):
    category: Literal["general", "health", "legal", "police"]
    text: str = Field(max_length=20000)


class PlanIn(BaseModel):
    kind: Literal["need", "action", "followup"]
    need: str = ""
    text: str = Field("", max_length=2000)
    owner_organisation_id: int | None = None
    due: date | None = None


class OverrideIn(BaseModel):
    grounds: Literal["imminent_danger", "legal_duty"]
    reason: str = Field(min_length=10, max_length=1000)


@api.get("")
def api_list(user: Reader, db: ReadDbSession, reason: Reason = "casework") -> list[dict[str, Any]]:
    """Cases the caller's organisation may open now (its own, and those shared with it under consent)."""
    return engine.list_cases(db, _viewer(db, user), reason)


@api.post("", status_code=201)
def api_create(body: CaseIn, user: Editor, db: DbSession) -> dict[str, Any]:
    """Open a case owned by the caller's organisation."""
    case = engine.open_case(
        db,
        _viewer(db, user),
        pseudonym=body.pseudonym,
        child=body.child,
        country=body.country,
        languages=body.languages,
        exploitation=body.exploitation,
        risk=body.risk,
        summary=body.summary,
        identity=body.identity.model_dump() if body.identity else None,
    )
    return {"id": case.id, "version": case.version}


@api.get("/referrals/incoming")
def api_incoming(user: Reader, db: ReadDbSession) -> list[dict[str, Any]]:
    """Referrals waiting for the caller's organisation to accept or decline."""
    return engine.incoming_referrals(db, _viewer(db, user))


@api.post("/referrals/{referral_id}/answer")
def api_answer(referral_id: DbId, body: AnswerIn, user: Editor, db: DbSession) -> dict[str, Any]:
    """Accept or decline a referral (a reason is required to decline)."""
    referral = engine.respond_to_referral(db, referral_id, _viewer(db, user), body.accept, body.reason)
    return engine.referral_dict(db, referral)


@api.post("/referrals/{referral_id}/withdraw")
def api_withdraw_referral(referral_id: DbId, user: Editor, db: DbSession) -> dict[str, Any]:
    """The referring organisation withdraws a referral; the receiving organisation loses access at once."""
    viewer = _viewer(db, user)
    referral = _guard(db, lambda: engine.withdraw_referral(db, referral_id, viewer))
    return engine.referral_dict(db, referral)


@api.get("/referrals/{referral_id}/fhir")
def api_fhir(referral_id: DbId, user: Reader, db: ReadDbSession) -> JSONResponse:
    """The referral as an HL7 FHIR R5 Bundle (ServiceRequest, Consent, Patient, Organizations)."""
    viewer = _viewer(db, user)
    from . import fhir  # fhir.resources loads on the first export, not at start-up

    bundle = _guard(db, lambda: fhir.referral_bundle(db, referral_id, viewer))
    return JSONResponse(bundle, media_type="application/fhir+json", headers=NO_STORE)


@api.get("/{case_id}")
def api_case(case_id: DbId, user: Reader, db: ReadDbSession, reason: Reason = "casework") -> dict[str, Any]:
    """The case as the caller may see it now: fields the table or the consent do not allow are absent."""
    viewer = _viewer(db, user)
    return _guard(db, lambda: engine.case_view(db, case_id, viewer, reason))


@api.patch("/{case_id}")
def api_patch(case_id: DbId, body: CasePatch, user: Editor, db: DbSession) -> dict[str, Any]:
    """Edit fields of the case version you read; 409 when someone changed it in between."""
    viewer = _viewer(db, user)
    case = _guard(db, lambda: engine.update_case(db, case_id, viewer, body.version, body.changes, body.change_reason))
    return {"id": case.id, "version": case.version}


@api.put("/{case_id}/identity")
def api_identity(case_id: DbId, body: IdentityIn, user: Editor, db: DbSession) -> dict[str, str]:
    """Set the legal identity (stored encrypted, readable by fewer roles)."""
    viewer = _viewer(db, user)
    _guard(db, lambda: engine.set_identity(db, case_id, viewer, body.model_dump()))
    return {"status": "saved"}


@api.post("/{case_id}/consents", status_code=201)
def api_consent(case_id: DbId, body: ConsentIn, user: Editor, db: DbSession) -> dict[str, Any]:
    """Record consent for a purpose (and organisation); for a child, a guardian or best-interest decision."""
    viewer = _viewer(db, user)
    consent = _guard(db, lambda: engine.record_consent(db, case_id, viewer, **body.model_dump()))
    return engine.consent_dict(db, consent)


@api.post("/{case_id}/consents/{consent_id}/withdraw")
def api_withdraw(case_id: DbId, consent_id: DbId, user: Editor, db: DbSession) -> dict[str, Any]:
    """Withdraw a consent: access that rested on it stops with the next request."""
    viewer = _viewer(db, user)
    consent = _guard(db, lambda: engine.withdraw_consent(db, case_id, consent_id, viewer))
    return engine.consent_dict(db, consent)


@api.post("/{case_id}/referrals", status_code=201)
def api_refer(case_id: DbId, body: ReferralIn, user: Editor, db: DbSession) -> dict[str, Any]:
    """Refer the case to another organisation, sharing the chosen fields under an active consent."""
    viewer = _viewer(db, user)
    referral = _guard(db, lambda: engine.refer(db, case_id, viewer, **body.model_dump()))
    return engine.referral_dict(db, referral)


@api.post("/{case_id}/interviews", status_code=201)
def api_interview(case_id: DbId, body: InterviewIn, user: Editor, db: DbSession) -> dict[str, Any]:
    """Record or schedule an interview; scheduling after earlier ones answers 409 unless confirm_repeat."""
    viewer = _viewer(db, user)
    row = _guard(db, lambda: records.add_interview(db, case_id, viewer, **body.model_dump()))
    return {"id": row.id, "tally": records.interview_tally(db, case_id)}


@api.get("/{case_id}/interviews/{interview_id}")
def api_interview_read(case_id: DbId, interview_id: DbId, user: Reader, db: ReadDbSession) -> dict[str, Any]:
    """The recorded interview (every read audited)."""
    viewer = _viewer(db, user)
    return _guard(db, lambda: records.read_interview(db, case_id, interview_id, viewer))


@api.post("/{case_id}/notes", status_code=201)
def api_note(case_id: DbId, body: NoteIn, user: Editor, db: DbSession) -> dict[str, int]:
    """Add a note; its category decides who can read it (the field table)."""
    viewer = _viewer(db, user)
    note = _guard(db, lambda: records.add_note(db, case_id, viewer, body.category, body.text))
    return {"id": note.id}


@api.post("/{case_id}/plan", status_code=201)
def api_plan(case_id: DbId, body: PlanIn, user: Editor, db: DbSession) -> dict[str, int]:
    """Add a need, an action (owner organisation and due date) or a follow-up to the service plan."""
    viewer = _viewer(db, user)
    item = _guard(db, lambda: records.add_plan_item(db, case_id, viewer, **body.model_dump()))
    return {"id": item.id}


@api.post("/{case_id}/override", status_code=201)
def api_override(case_id: DbId, body: OverrideIn, user: Editor, db: DbSession) -> dict[str, Any]:
    """Access a case without consent (imminent danger, legal duty) for one hour; flagged for review."""
    override = engine.request_override(db, case_id, _viewer(db, user), body.grounds, body.reason)
    return {"id": override.id, "expires_at": override.expires_at.isoformat()}


@api.get("/{case_id}/duplicates")
def api_duplicates(case_id: DbId, user: Coordinator, db: ReadDbSession) -> list[dict[str, Any]]:
    """Cases of the organisation that may be the same person, with the evidence. Never merged automatically."""
    viewer = _viewer(db, user)
    return _guard(db, lambda: duplicates.find_for_case(db, case_id, viewer))


@api.get("/{case_id}/subject-access")
def api_subject_access(case_id: DbId, user: Coordinator, db: ReadDbSession) -> JSONResponse:
    """Everything held about the person in this case, for a subject access request."""
    record = exchange.subject_access(db, case_id, _viewer(db, user))
    return JSONResponse(json.loads(json.dumps(record, default=str)), headers=NO_STORE)


router.include_router(api)
