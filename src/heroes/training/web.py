"""Pages under /training, the JSON API under /api/training and the xAPI endpoint under /xapi/: thin layers.

Public guides need no account and keep the reader's progress in the browser only (static/training/guide.js);
courses need a staff account; trainers and admins see their organisation's learners; the xAPI endpoint takes
an API token (Bearer, or Basic with the account name and the token as password, as LRS clients send it).
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from heroes.core import audit, i18n
from heroes.core.auth import LoginRequired, Principal, Public, Require, _user_for_token
from heroes.core.db import DbSession, session_scope
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.i18n import lazy_gettext as _l
from heroes.core.models import User
from heroes.core.web.templating import render
from heroes.text import json_loads

from . import engine, lrs
from .content import Course, block_html, get_content, text_for
from .settings import DEFAULT_PUBLIC_URL, training_settings
from .xapi_rules import SUPPORTED_VERSIONS, major, parse_timestamp

LEARN = "training:learn"
MANAGE = "training:manage"
XAPI = "training:xapi"
ROLE_LABEL = _l("trainer")  # the role this tool adds, as the page header shows it

# Route guards, one per permission (heroes.core.auth.Public for public pages).
CanLearn = Annotated[Principal, Depends(Require(LEARN))]
CanManage = Annotated[Principal, Depends(Require(MANAGE))]

router = APIRouter()
logger = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}


def _lang() -> str:
    return get_content().check_language(i18n.get_language())


def _user(db: Any, principal: Principal) -> User:
    user: User | None = db.get(User, principal.user_id)
    if user is None:
        raise HeroesError(_("Sign in again."), status_code=401)
    return user


def _forward_later(background: BackgroundTasks) -> None:
    settings = training_settings()
    if settings.lrs_url:
        background.add_task(forward_now)


def forward_now() -> int:
    """Forward pending statements to the configured external LRS (runs after the response is sent)."""
    settings = training_settings()
    if not settings.lrs_url:
        return 0
    try:
        with session_scope() as session:
            return lrs.forward_pending(
                session, settings.lrs_url, settings.lrs_username, settings.lrs_password, settings.lrs_version
            )
    except HeroesError as exc:
        # the statements stay pending; the next learner action or `heroes training forward` sends them
        logger.warning("xAPI forwarding postponed: %s", exc.message)
        return 0


def _section_context(course: Course, lang: str) -> dict[str, Any]:
    sources = get_content().sources
    return {
        "course": course,
        "lang": lang,
        "text": text_for,
        "block_html": lambda block: block_html(block, sources),
        "sources": sources,
    }


def _answers_from_form(form: Any) -> dict[str, list[str]]:
    answers: dict[str, list[str]] = {}
    for key in form:
        if key.startswith("q-"):
            answers[key[2:]] = [str(v) for v in form.getlist(key)]
    return answers


# --- public pages --------------------------------------------------------------------------------


@router.get("/training", include_in_schema=False)
def index(request: Request, principal: Public, db: DbSession) -> Response:
    content = get_content()
    lang = _lang()
    courses = [c for c in content.courses.values() if not c.is_guide]
    guides = [c for c in content.courses.values() if c.is_guide]
    statuses = {}
    reminders: list[engine.Reminder] = []
    if principal.can(LEARN) and principal.user_id is not None:
        user = _user(db, principal)
        statuses = {c.id: engine.status(db, user, c.id) for c in courses}
    if principal.can(MANAGE) and principal.user_id is not None:
        user = _user(db, principal)
        organisation_id, everyone = engine.scope_of(db, user)
        reminders = engine.reminders(db, organisation_id, everyone)
    return render(
        request,
        "training/index.html",
        {
            "courses": courses,
            "guides": guides,
            "statuses": statuses,
            "reminders": reminders,
            "lang": lang,
            "text": text_for,
            "can_learn": principal.can(LEARN),
            "can_manage": principal.can(MANAGE),
        },
    )


@router.get("/training/guides/{guide_id}", include_in_schema=False)
def guide(request: Request, guide_id: str, principal: Public) -> Response:
    course = get_content().course(guide_id)
    if not course.is_guide:
        raise HeroesError(_("No such guide."), status_code=404)
    return render(request, "training/guide.html", _section_context(course, _lang()))


@router.get("/training/verify", include_in_schema=False)
def verify_form(request: Request, principal: Public, db: DbSession, code: str = "") -> Response:
    if code.strip():
        return RedirectResponse(f"/training/verify/{engine.normalise_code(code)}", status_code=303)
    return render(request, "training/verify.html", {"result": None})


@router.get("/training/verify/{code}", include_in_schema=False)
def verify_page(request: Request, code: str, principal: Public, db: DbSession) -> Response:
    result = engine.verify(db, code[:40])
    page = render(
        request,
        "training/verify.html",
        {"result": result, "text": text_for, "lang": _lang()},
        200 if result.state != "unknown" else 404,
    )
    page.headers.update(NO_STORE)
    return page


# --- learners ------------------------------------------------------------------------------------


@router.get("/training/courses/{course_id}", include_in_schema=False)
def course_page(request: Request, course_id: str, principal: CanLearn, db: DbSession) -> Response:
    user = _user(db, principal)
    state = engine.status(db, user, course_id)
    return render(request, "training/course.html", {"s": state, "text": text_for, "lang": _lang()})


@router.post("/training/courses/{course_id}/start", include_in_schema=False)
def start_course(
    course_id: str,
    principal: CanLearn,
    db: DbSession,
    background: BackgroundTasks,
) -> Response:
    engine.start(db, _user(db, principal), course_id, _lang())
    _forward_later(background)
    return RedirectResponse(f"/training/courses/{course_id}/test/pre", status_code=303)


@router.get("/training/courses/{course_id}/test/{kind}", include_in_schema=False)
def test_page(
    request: Request,
    course_id: str,
    kind: str,
    principal: CanLearn,
    db: DbSession,
) -> Response:
    state = engine.status(db, _user(db, principal), course_id)
    course = state.course
    questions = course.test(kind)
    expected = "pre" if kind == "pre" else "post"
    if state.next_step != expected:
        return RedirectResponse(f"/training/courses/{course_id}", status_code=303)
    title = _("Pre-test") if kind == "pre" else _("Post-test")
    return render(
        request,
        "training/test.html",
        {
            "course": course,
            "questions": questions,
            "title": title,
            "action": f"/training/courses/{course_id}/test/{kind}",
            "text": text_for,
            "lang": _lang(),
            "kind": kind,
        },
    )


@router.post("/training/courses/{course_id}/test/{kind}", include_in_schema=False)
async def submit_test(
    request: Request,
    course_id: str,
    kind: str,
    principal: CanLearn,
    db: DbSession,
    background: BackgroundTasks,
) -> Response:
    answers = _answers_from_form(await request.form())
    lang = _lang()

    def work() -> tuple[engine.TestOutcome, Course]:
        outcome = engine.submit_test(db, _user(db, principal), course_id, kind, answers, lang)
        return outcome, get_content().course(course_id)

    outcome, course = await run_in_threadpool(work)
    _forward_later(background)
    return render(
        request,
        "training/feedback.html",
        {"o": outcome, "course": course, "text": text_for, "lang": lang, "sources": get_content().sources},
    )


@router.get("/training/courses/{course_id}/modules/{module_id}", include_in_schema=False)
def module_page(
    request: Request,
    course_id: str,
    module_id: str,
    principal: CanLearn,
    db: DbSession,
) -> Response:
    state = engine.status(db, _user(db, principal), course_id)
    if state.next_step in ("start", "pre"):
        return RedirectResponse(f"/training/courses/{course_id}", status_code=303)
    module = state.course.module(module_id)
    quiz = [state.course.questions[q] for q in module.quiz]
    return render(
        request,
        "training/module.html",
        {**_section_context(state.course, _lang()), "module": module, "questions": quiz, "s": state},
    )


@router.post("/training/courses/{course_id}/modules/{module_id}/quiz", include_in_schema=False)
async def submit_quiz(
    request: Request,
    course_id: str,
    module_id: str,
    principal: CanLearn,
    db: DbSession,
    background: BackgroundTasks,
) -> Response:
    answers = _answers_from_form(await request.form())
    lang = _lang()

    def work() -> tuple[engine.TestOutcome, engine.Status]:
        user = _user(db, principal)
        outcome = engine.submit_quiz(db, user, course_id, module_id, answers, lang)
        return outcome, engine.status(db, user, course_id)

    outcome, state = await run_in_threadpool(work)
    _forward_later(background)
    return render(
        request,
        "training/feedback.html",
        {
            "o": outcome,
            "course": state.course,
            "s": state,
            "text": text_for,
            "lang": lang,
            "sources": get_content().sources,
        },
    )


@router.get("/training/certificates/{code}.pdf", include_in_schema=False)
def certificate_pdf(request: Request, code: str, principal: CanLearn, db: DbSession) -> Response:
    certificate = engine.certificate_for(db, _user(db, principal), code)
    course = get_content().course(certificate.course_id)
    base = training_settings().public_url
    if base == DEFAULT_PUBLIC_URL:
        base = str(request.base_url)  # without a configured address, the QR points at the address in use
    from .certificate import render_pdf  # fpdf loads on the first certificate

    pdf = render_pdf(certificate, course, _lang(), base)
    headers = {"Content-Disposition": f'attachment; filename="certificate-{certificate.code}.pdf"', **NO_STORE}
    return Response(pdf, media_type="application/pdf", headers=headers)


# --- trainers ------------------------------------------------------------------------------------


@router.get("/training/admin", include_in_schema=False)
def admin_page(request: Request, principal: CanManage, db: DbSession, course: str = "") -> Response:
    user = _user(db, principal)
    content = get_content()
    courses = [c for c in content.courses.values() if not c.is_guide]
    selected = course if course in {c.id for c in courses} else courses[0].id
    organisation_id, everyone = engine.scope_of(db, user)
    lang = _lang()
    rows = engine.learners(db, user, selected)
    return render(
        request,
        "training/admin.html",
        {
            "courses": courses,
            "selected": selected,
            "rows": rows,
            "gains": engine.question_gains(db, user, selected, lang),
            "reminders": engine.reminders(db, organisation_id, everyone),
            "organisation": engine.organisation_name(db, organisation_id),
            "everyone": everyone,
            "completed": sum(1 for r in rows if r.completed_at),
            "summaries": engine.course_summaries(db, user),
            "text": text_for,
            "lang": lang,
        },
    )


@router.get("/training/admin/learners.csv", include_in_schema=False)
def learners_csv(principal: CanManage, db: DbSession, course: str = "") -> Response:
    user = _user(db, principal)
    rows = engine.learners(db, user, course or None)
    audit.record(db, user.username, "training.records_export", f"course:{course or 'all'}", {"format": "csv"})
    headers = {"Content-Disposition": 'attachment; filename="training-learners.csv"', **NO_STORE}
    return Response(engine.learners_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)


# --- JSON API ------------------------------------------------------------------------------------


@router.get("/api/training/courses", tags=["training"])
def api_courses(principal: Public) -> list[dict[str, Any]]:
    """Every course and guide: id, kind, title and summary in the request's language, modules and sections."""
    lang = _lang()
    return [
        {
            "id": c.id,
            "kind": c.kind,
            "title": text_for(c.title, lang),
            "summary": text_for(c.summary, lang),
            "pass_mark": c.pass_mark or None,
            "validity_months": c.validity_months or None,
            "modules": [{"id": m.id, "sections": [s.id for s in m.sections]} for m in c.modules],
        }
        for c in get_content().courses.values()
    ]


@router.get("/api/training/progress", tags=["training"])
def api_progress(principal: CanLearn, db: DbSession) -> list[dict[str, Any]]:
    """The caller's progress in every course."""
    user = _user(db, principal)
    result = []
    for course in get_content().courses.values():
        if course.is_guide:
            continue
        s = engine.status(db, user, course.id)
        result.append(
            {
                "course": course.id,
                "next_step": s.next_step,
                "percent": s.percent,
                "pre_score": s.progress.pre_score if s.progress else None,
                "post_score": s.progress.post_score if s.progress else None,
                "certificate": s.certificate.code if s.certificate else None,
                "renew_due": s.renew_due,
            }
        )
    return result


@router.get("/api/training/learners", tags=["training"])
def api_learners(principal: CanManage, db: DbSession, course: str = "") -> list[dict[str, Any]]:
    """The learners of the caller's organisation (an admin outside any organisation: everyone)."""
    rows = engine.learners(db, _user(db, principal), course or None)
    return [
        {
            "username": r.username,
            "course": r.course_id,
            "modules_done": r.modules_done,
            "modules_total": r.modules_total,
            "pre_score": r.pre_score,
            "post_score": r.post_score,
            "completed_at": r.completed_at.isoformat() if r.completed_at else None,
            "certificate": r.certificate_code,
        }
        for r in rows
    ]


@router.get("/api/training/reminders", tags=["training"])
def api_reminders(principal: CanManage, db: DbSession) -> list[dict[str, Any]]:
    """Certificates of the caller's organisation due for renewal (inside the course's reminder window) or expired."""
    organisation_id, everyone = engine.scope_of(db, _user(db, principal))
    return [
        {
            "username": r.username,
            "course": r.course_id,
            "certificate": r.code,
            "expires_at": r.expires_at.isoformat(),
            "expired": r.expired,
        }
        for r in engine.reminders(db, organisation_id, everyone)
    ]


# --- xAPI ----------------------------------------------------------------------------------------

VERSION_HEADER = "X-Experience-API-Version"
STATEMENT_PARAMS = {
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "cursor",
}


class XapiRequire(Require):
    """Require for LRS clients: Basic (account name + API token) as well as Bearer; 401 instead of a redirect.

    Refusals carry the version header too, as the spec asks of every LRS response.
    """

    async def __call__(self, request: Request) -> Principal:
        version = {VERSION_HEADER: SUPPORTED_VERSIONS[0]}
        basic = {"WWW-Authenticate": 'Basic realm="xapi"', **version}
        header = request.headers.get("authorization", "")
        try:
            if header.lower().startswith("basic "):
                request.state.principal = await run_in_threadpool(_basic_principal, header[6:].strip())
            return await super().__call__(request)
        except LoginRequired:
            raise HTTPException(401, "Authenticate with Basic or Bearer.", basic) from None
        except HTTPException as exc:
            raise HTTPException(exc.status_code, exc.detail, {**(exc.headers or {}), **version}) from None


def _basic_principal(encoded: str) -> Principal:
    try:
        username, _sep, token = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise HTTPException(401, "Malformed Basic credentials.", {"WWW-Authenticate": 'Basic realm="xapi"'}) from None
    with session_scope() as session:
        user = _user_for_token(session, token)
        if user is None or user.username != username:
            raise HTTPException(401, "Wrong account name or API token.", {"WWW-Authenticate": 'Basic realm="xapi"'})
        return Principal(user.role, user.username, user.id, "token")


def _version(request: Request) -> str:
    given = request.headers.get(VERSION_HEADER, "")
    if not given:
        raise HeroesError(f"Every xAPI request needs the {VERSION_HEADER} header (1.0.3 or 2.0.0).")
    found = major(given)
    if not found:
        raise HeroesError(f"Unsupported xAPI version {given!r}; this LRS speaks {', '.join(SUPPORTED_VERSIONS)}.")
    return "2.0.0" if found == "2.0" else "1.0.3"


def _xapi_response(content: Any, version: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    merged = {
        VERSION_HEADER: version,
        "X-Experience-API-Consistent-Through": lrs.iso(datetime.now(UTC)),
        **(headers or {}),
    }
    if status == 204:
        return Response(status_code=204, headers=merged)
    return JSONResponse(content, status_code=status, headers=merged)


def _xapi_error(exc: HeroesError, version: str) -> Response:
    return _xapi_response({"error": exc.message}, version, exc.status_code)


def _authority(user: User) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": engine.base_url(), "name": user.username}}


@router.api_route("/xapi/about", methods=["GET", "HEAD"], include_in_schema=False)
def xapi_about(principal: Public) -> Response:
    return _xapi_response({"version": list(SUPPORTED_VERSIONS), "extensions": {}}, SUPPORTED_VERSIONS[-1])


async def _json_body(request: Request) -> Any:
    if "application/json" not in request.headers.get("content-type", ""):
        raise HeroesError("Send statements as application/json (multipart attachments are not supported).")
    try:
        return json_loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise HeroesError("The body is not valid JSON.") from None


@router.post("/xapi/statements", include_in_schema=False)
async def xapi_post(
    request: Request, principal: Annotated[Principal, Depends(XapiRequire(XAPI))], db: DbSession
) -> Response:
    version = SUPPORTED_VERSIONS[0]
    try:
        version = _version(request)
        body = await _json_body(request)
        statements = body if isinstance(body, list) else [body]
        if not statements:
            raise HeroesError("The body holds no statement.")

        def work() -> list[str]:
            user = _user(db, principal)
            return lrs.store(
                db, statements, version=version, authority=_authority(user), organisation_id=user.organisation_id
            )

        ids = await run_in_threadpool(work)
    except HeroesError as exc:
        db.rollback()  # a refused request changes nothing
        return _xapi_error(exc, version)
    return _xapi_response(ids, version)


@router.put("/xapi/statements", include_in_schema=False)
async def xapi_put(
    request: Request, principal: Annotated[Principal, Depends(XapiRequire(XAPI))], db: DbSession
) -> Response:
    version = SUPPORTED_VERSIONS[0]
    try:
        version = _version(request)
        statement_id = request.query_params.get("statementId", "")
        if not statement_id:
            raise HeroesError("PUT needs the statementId parameter.")
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise HeroesError("PUT takes a single statement.")
        if "id" in body and str(body["id"]).lower() != statement_id.lower():
            raise HeroesError("The statement's id differs from the statementId parameter.")
        body = {**body, "id": statement_id}

        def work() -> None:
            user = _user(db, principal)
            lrs.store(db, [body], version=version, authority=_authority(user), organisation_id=user.organisation_id)

        await run_in_threadpool(work)
    except HeroesError as exc:
        db.rollback()  # a refused request changes nothing
        return _xapi_error(exc, version)
    return _xapi_response(None, version, 204)


def _flag(value: str | None, name: str) -> bool:
    if value is None:
        return False
    if value not in ("true", "false"):
        raise HeroesError(f"{name} must be true or false.")
    return value == "true"


def _moment(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        raise HeroesError(f"{name} must be an ISO 8601 timestamp.") from None


def _query_from(params: Any) -> lrs.Query:
    unknown = set(params) - STATEMENT_PARAMS
    if unknown:
        raise HeroesError(f"Unknown parameter(s): {', '.join(sorted(unknown))}.")
    single = params.get("statementId") or params.get("voidedStatementId")
    if single and set(params) - {"statementId", "voidedStatementId", "format", "attachments"}:
        raise HeroesError("statementId and voidedStatementId cannot be combined with filters.")
    if params.get("statementId") and params.get("voidedStatementId"):
        raise HeroesError("Use statementId or voidedStatementId, not both.")
    agent = None
    if params.get("agent"):
        try:
            agent = json_loads(params["agent"])
        except ValueError:
            raise HeroesError("agent must be a JSON Agent or Group.") from None
        if not isinstance(agent, dict):
            raise HeroesError("agent must be a JSON Agent or Group.")
    fmt = params.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise HeroesError("format must be exact, ids or canonical.")
    try:
        limit = int(params.get("limit", "0"))
        offset = int(params.get("cursor", "0"))
    except ValueError:
        raise HeroesError("limit and cursor must be whole numbers.") from None
    if limit < 0 or offset < 0:
        raise HeroesError("limit and cursor cannot be negative.")
    return lrs.Query(
        statement_id=params.get("statementId"),
        voided_statement_id=params.get("voidedStatementId"),
        agent=agent,
        verb=params.get("verb"),
        activity=params.get("activity"),
        registration=params.get("registration"),
        related_activities=_flag(params.get("related_activities"), "related_activities"),
        related_agents=_flag(params.get("related_agents"), "related_agents"),
        since=_moment(params.get("since"), "since"),
        until=_moment(params.get("until"), "until"),
        limit=limit,
        ascending=_flag(params.get("ascending"), "ascending"),
        format=fmt,
        offset=offset,
    )


@router.api_route("/xapi/statements", methods=["GET", "HEAD"], include_in_schema=False)
def xapi_get(request: Request, principal: Annotated[Principal, Depends(XapiRequire(XAPI))], db: DbSession) -> Response:
    version = SUPPORTED_VERSIONS[0]
    try:
        version = _version(request)
        q = _query_from(dict(request.query_params))
        user = _user(db, principal)
        organisation_id, everyone = engine.scope_of(db, user)
        languages = [
            part.split(";")[0].strip() for part in request.headers.get("accept-language", "").split(",") if part
        ]
        single = q.statement_id or q.voided_statement_id
        if single:
            row = lrs.get_one(db, single, bool(q.voided_statement_id), organisation_id, everyone)
            modified = {"Last-Modified": row.stored.strftime("%a, %d %b %Y %H:%M:%S GMT")}
            return _xapi_response(lrs.formatted(row.statement, q.format, languages), version, headers=modified)
        rows, more = lrs.find(db, q, organisation_id, everyone)
        more_url = ""
        if more:
            params = dict(request.query_params)
            params["cursor"] = str(q.offset + len(rows))
            from urllib.parse import urlencode

            more_url = f"/xapi/statements?{urlencode(params)}"
        statements = [lrs.formatted(r.statement, q.format, languages) for r in rows]
        return _xapi_response({"statements": statements, "more": more_url}, version)
    except HeroesError as exc:
        db.rollback()  # a refused request changes nothing
        return _xapi_error(exc, version)
