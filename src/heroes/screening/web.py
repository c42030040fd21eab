"""Pages under /screening and the API under /api/screening: thin layers over the engine.

The screening pages work without JavaScript. Answers travel in POST bodies, never in URLs (so
they do not end up in browser history or server logs), and nothing is stored: the note is
rebuilt from the posted answers each time it is asked for.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from heroes.core import i18n
from heroes.core.auth import Principal, Public, Require
from heroes.core.db import DbSession, ReadDbSession
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.web.middleware import body_limit
from heroes.core.web.templating import render
from heroes.text import JsonTooDeep, json_loads

from . import engine, store
from .content import Phone, Service, get_content, guide_as_dict, text
from .hsds import from_hsds, to_hsds

if TYPE_CHECKING:
    from .note import NoteExtras

EDIT = "referral:edit"
# Route guards, one per permission (heroes.core.auth.Public for public pages).
CanEdit = Annotated[Principal, Depends(Require(EDIT))]

router = APIRouter()
body_limit("/screening/directory-import", 6 * 1024 * 1024)
api = APIRouter(prefix="/api/screening", tags=["screening"])

PDF_HEADERS = {"Content-Disposition": 'attachment; filename="referral-note.pdf"', "Cache-Control": "no-store"}
NO_STORE = {"Cache-Control": "no-store"}


def _lang(requested: str | None = None) -> str:
    return get_content().check_language(requested or i18n.get_language())


def _directory_services(db: Any) -> dict[str, Service]:
    """Admins' edits of the directory win over the shipped data; an empty table means none yet."""
    return store.services(db)


def _choices(lang: str) -> dict[str, Any]:
    content = get_content()
    return {
        "countries": [(c.code, text(c.name, lang)) for c in content.countries.values()],
        "sectors": [(s.id, text(s.label, lang)) for s in content.sectors],
        "content_languages": [(code, content.language_names[code]) for code in content.languages],
    }


def _emergency(country_code: str, services: dict[str, Service], lang: str) -> dict[str, Any]:
    content = get_content()
    country = content.country(country_code)
    service = services.get(country.emergency_service_id) or content.services()[country.emergency_service_id]
    name = text(service.name, lang)
    first = service.phones[0].number if service.phones else ""
    return {"name": name, "phones": service.phones, "call": engine.emergency_sentence(content, name, first, lang)}


# --- pages ----------------------------------------------------------------------------------


@router.get("/screening", include_in_schema=False)
def start(request: Request, user: Public) -> Response:
    lang = _lang()
    return render(request, "screening/start.html", {**_choices(lang), "content_lang": lang})


@router.get("/screening/checklist", include_in_schema=False)
def checklist_page(
    request: Request,
    user: Public,
    db: ReadDbSession,
    country: str = Query(...),
    sector: str | None = Query(None),
    age: Literal["adult", "child"] = Query("adult"),
) -> Response:
    lang = _lang()
    result = engine.checklist(country, sector or None, age == "child", lang)
    services = _directory_services(db)
    overview = engine.referral_overview(result.country, result.child, lang, services=services)
    consent = get_content().countries[result.country]
    return render(
        request,
        "screening/checklist.html",
        {
            "checklist": result,
            "emergency": _emergency(result.country, services, lang),
            "overview": overview,
            "consent_rule": text(consent.consent_child if result.child else consent.consent_adult, lang),
        },
    )


async def _posted_answers(request: Request) -> engine.Answers:
    form = await request.form()
    return engine.Answers.from_dict(
        {
            "country": str(form.get("country", "")),
            "sector": str(form.get("sector") or "") or None,
            "child": form.get("age") == "child",
            "observed": [str(v) for v in form.getlist("observed")],
            "danger": [str(v) for v in form.getlist("danger")],
            "danger_now": form.get("danger_now") == "yes",
            "consent": str(form.get("consent") or "unknown") if form.get("age") != "child" else "unknown",
        }
    )


@router.post("/screening/result", include_in_schema=False)
async def result_page(request: Request, user: Public, db: ReadDbSession) -> Response:
    answers = await _posted_answers(request)
    lang = _lang()
    assessment = engine.assess(answers, lang, services=_directory_services(db))
    response = render(
        request,
        "screening/result.html",
        {"a": assessment, "answers": answers, **_choices(lang), "content_lang": lang},
    )
    response.headers.update(NO_STORE)
    return response


def _extras(person: str, notes: str) -> NoteExtras:
    from .note import NoteExtras

    return NoteExtras(person=person, notes=notes)


@router.post("/screening/note", include_in_schema=False)
async def note_page(
    request: Request,
    user: Public,
    db: DbSession,
    note_lang: Annotated[str, Form()] = "",
    person: Annotated[str, Form(max_length=200)] = "",
    notes: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    answers = await _posted_answers(request)
    assessment = engine.assess(answers, _lang(note_lang), services=_directory_services(db))
    from .note import build_note  # fpdf loads on the first note, not at start-up

    note = build_note(assessment, _extras(person, notes))
    response = render(
        request, "screening/note.html", {"note": note, "answers": answers, "person": person, "notes": notes}
    )
    response.headers.update(NO_STORE)
    return response


@router.post("/screening/note.pdf", include_in_schema=False)
async def note_pdf(
    request: Request,
    user: Public,
    db: DbSession,
    note_lang: Annotated[str, Form()] = "",
    person: Annotated[str, Form(max_length=200)] = "",
    notes: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    answers = await _posted_answers(request)
    assessment = engine.assess(answers, _lang(note_lang), services=_directory_services(db))
    from .note import build_note, render_pdf  # fpdf loads on the first note, not at start-up

    pdf = render_pdf(build_note(assessment, _extras(person, notes)))
    return Response(pdf, media_type="application/pdf", headers=PDF_HEADERS)


@router.get("/screening/guide", include_in_schema=False)
def guide_page(request: Request, user: Public) -> Response:
    lang = _lang()
    return render(
        request,
        "screening/guide.html",
        {"guide": get_content().guide, "content_lang": lang, "sources": get_content().sources},
    )


# --- directory administration ---------------------------------------------------------------


@router.get("/screening/directory", include_in_schema=False)
def directory_page(request: Request, user: CanEdit, db: DbSession) -> Response:
    store.ensure_seeded(db, actor=user.actor)
    directory = store.load_directory(db)
    lang = _lang()
    return render(
        request,
        "screening/directory.html",
        {"directory": directory, "content_lang": lang, "message": request.query_params.get("message")},
    )


@router.get("/screening/directory/{service_id}", include_in_schema=False)
def service_edit_page(request: Request, service_id: str, user: CanEdit, db: ReadDbSession) -> Response:
    service = store.get_service(db, service_id)
    return render(request, "screening/service_edit.html", {"service": service, "languages": get_content().languages})


@router.post("/screening/directory/{service_id}", include_in_schema=False)
async def service_save(request: Request, service_id: str, user: CanEdit, db: DbSession) -> Response:
    form = await request.form()
    current = store.get_service(db, service_id)
    languages = get_content().languages

    def texts(prefix: str) -> dict[str, str]:
        values = {lang: str(form.get(f"{prefix}_{lang}", "")).strip() for lang in languages}
        if not values.get("en") or not values.get("es"):
            raise HeroesError(_("English and Spanish are both required."))
        return {lang: value for lang, value in values.items() if value}

    numbers = [line.strip() for line in str(form.get("phones", "")).splitlines() if line.strip()]
    for number in numbers:
        if not all(ch.isdigit() or ch in "+ " for ch in number) or len(number) > 24:
            raise HeroesError(_("A phone number may only contain digits, spaces and a leading +: %(n)s", n=number))
    audience = tuple(a for a in ("adult", "child") if form.get(f"audience_{a}"))
    if not audience:
        raise HeroesError(_("Choose at least one audience (adult or child)."))
    updated = Service(
        id=current.id,
        country=current.country,
        organization_id=current.organization_id,
        name=texts("name"),
        description=texts("description"),
        phones=tuple(Phone(n) for n in numbers),
        hours=texts("hours"),
        audience=audience,
        verified=form.get("verified") == "yes",
        sources=current.sources,
        email=str(form.get("email", "")).strip() or None,
        url=str(form.get("url", "")).strip() or None,
    )
    store.update_service(db, updated, actor=user.actor)
    return RedirectResponse(f"/screening/directory?message=saved-{service_id}", status_code=303)


@router.post("/screening/directory-import", include_in_schema=False)
def directory_import(
    request: Request,
    user: CanEdit,
    db: DbSession,
    file: Annotated[UploadFile, File()],
    replace: Annotated[str, Form()] = "",
) -> Response:
    raw = file.file.read(5_000_001)  # sync route: the import writes to the database off the event loop
    if len(raw) > 5_000_000:
        raise HeroesError(_("The file is too large (5 MB at most)."))
    try:
        document = json_loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, JsonTooDeep) as exc:
        raise HeroesError(_("The file is not valid JSON: %(error)s", error=str(exc))) from exc
    result = store.import_directory(db, from_hsds(document), actor=user.actor, replace=replace == "yes")
    return RedirectResponse(f"/screening/directory?message=imported-{result.services}", status_code=303)


# --- API --------------------------------------------------------------------------------------


class AnswersIn(BaseModel):
    """What the professional observed. Indicator ids come from GET /api/screening/checklist."""

    country: str = Field(examples=["UK"])
    sector: str | None = Field(None, examples=["health"])
    child: bool = False
    observed: list[str] = Field(default_factory=list, examples=[["gen-documents-held", "lab-excessive-hours"]])
    danger: list[str] = Field(default_factory=list, description="Danger-now sign ids that apply.")
    danger_now: bool = Field(False, description="Someone is in danger now (even if no listed sign fits).")
    consent: Literal["given", "declined", "unknown"] = "unknown"


class NoteIn(AnswersIn):
    person: str = Field("", max_length=200, description="Optional name or reference; empty keeps the note anonymous.")
    notes: str = Field("", max_length=2000)


def _answers(body: AnswersIn) -> engine.Answers:
    return engine.Answers.from_dict(body.model_dump(exclude={"person", "notes"}))


@api.get("/countries")
def api_countries(user: Public, lang: str | None = None) -> list[dict[str, Any]]:
    """The countries with screening content (discovered from the data files)."""
    language = _lang(lang)
    return [
        {
            "code": c.code,
            "aliases": list(c.aliases),
            "name": text(c.name, language),
            "emergency_service": c.emergency_service_id,
        }
        for c in get_content().countries.values()
    ]


@api.get("/checklist", response_model=engine.Checklist)
def api_checklist(
    user: Public,
    country: str = Query(..., examples=["UK"]),
    sector: str | None = Query(None, examples=["health"]),
    child: bool = False,
    lang: str | None = None,
) -> dict[str, Any]:
    """The guided checklist: danger questions first, then signs grouped by form of exploitation."""
    return engine.checklist(country, sector, child, _lang(lang)).to_dict()


@api.post("/assess", response_model=engine.Assessment)
def api_assess(
    body: AnswersIn,
    response: Response,
    user: Public,
    db: DbSession,
    lang: str | None = None,
) -> dict[str, Any]:
    """Level of concern with the indicators behind it, safety steps (emergency first when there is
    danger now), the country's referral steps in order and the consent rule. Nothing is stored."""
    result = engine.assess(_answers(body), _lang(lang), services=_directory_services(db))
    response.headers.update(NO_STORE)
    return result.to_dict()


@api.post("/note.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def api_note_pdf(body: NoteIn, user: Public, db: DbSession, lang: str | None = None) -> Response:
    """The referral note as a PDF, in the chosen language. Nothing is stored."""
    assessment = engine.assess(_answers(body), _lang(lang), services=_directory_services(db))
    from .note import build_note, render_pdf  # fpdf loads on the first note, not at start-up

    return Response(
        render_pdf(build_note(assessment, _extras(body.person, body.notes))),
        media_type="application/pdf",
        headers=PDF_HEADERS,
    )


@api.get("/guide")
def api_guide(user: Public, lang: str | None = None) -> dict[str, Any]:
    """The trauma-bonding observation guide. It gives no score."""
    return guide_as_dict(get_content(), _lang(lang))


@api.get("/directory")
def api_directory(user: Public, db: ReadDbSession) -> JSONResponse:
    """The referral directory as Open Referral HSDS 3.0 JSON (public contact details of services)."""
    if store.is_empty(db):
        from .hsds import seed_directory

        return JSONResponse(to_hsds(seed_directory(get_content())))
    return JSONResponse(to_hsds(store.load_directory(db)))


@api.put("/directory")
def api_directory_import(
    document: Annotated[dict[str, Any], Body(description="An HSDS 3.0 directory: organization, service, ... arrays.")],
    user: CanEdit,
    db: DbSession,
    replace: bool = False,
    country: str | None = None,
) -> dict[str, Any]:
    """Import HSDS 3.0 JSON (merge by default, or replace). Admins only."""
    result = store.import_directory(db, from_hsds(document, country), actor=user.actor, replace=replace)
    return result.__dict__


router.include_router(api)
