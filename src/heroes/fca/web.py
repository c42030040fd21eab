"""Pages under /fca and the API under /api/fca: thin layers over the engine and the ingest job."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from heroes.core import jobs
from heroes.core.auth import Principal, Require
from heroes.core.db import DbSession
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.settings import get_settings
from heroes.core.web.templating import render
from heroes.fca import engine, report

INGEST = "fca:ingest"
READ = "fca:read"
ROOTS_ENV = "HEROES_FCA_ROOTS"
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter()
# Row ids are 32-bit integers on PostgreSQL: larger values are a 422, not a database error.
RowId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]


def intake_roots() -> list[Path]:
    """Server folders a web user may name sources in (HEROES_FCA_ROOTS, or <data>/fca-intake)."""
    raw = os.environ.get(ROOTS_ENV, "")
    if raw.strip():
        return [Path(p).resolve() for p in raw.split(os.pathsep) if p.strip()]
    return [(get_settings().data_dir / "fca-intake").resolve()]


def check_source(path: str) -> str:
    if "\x00" in path or not path.strip():
        raise HeroesError(_("Name a source on the server."))
    p = Path(path).expanduser().resolve()
    if not any(p == r or r in p.parents for r in intake_roots()):
        raise HeroesError(_("{path} is outside the folders this server may read.").format(path=path))
    if not p.exists():
        raise HeroesError(_("{path} does not exist on the server.").format(path=path))
    return str(p)


def _start(user: Principal, paths: list[str], case: str, region: str, ocr: bool) -> str:
    if not case.strip():
        raise HeroesError(_("Name the case."))
    checked = [check_source(p) for p in paths]
    params = {"sources": checked, "case": case.strip(), "region": region.strip().upper() or None, "ocr": ocr,
              "actor": user.actor, "workers": get_settings().job_workers}  # fmt: skip
    return jobs.submit("fca.ingest", params, owner=user)


# --- pages ---------------------------------------------------------------------------------


@router.get("/fca", include_in_schema=False)
def index(request: Request, user: Annotated[Principal, Depends(Require(READ))], db: DbSession) -> Response:
    context = {"cases": engine.case_rows(db), "roots": intake_roots(), "can_ingest": user.can(INGEST)}
    return render(request, "fca/index.html", context)


@router.post("/fca/ingest", include_in_schema=False)
def ingest_page(
    user: Annotated[Principal, Depends(Require(INGEST))],
    case: Annotated[str, Form()],
    path: Annotated[str, Form()],
    region: Annotated[str, Form()] = "",
    ocr: Annotated[bool, Form()] = False,
) -> Response:
    job_id = _start(user, [path], case, region, ocr)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.get("/fca/cases/{case_id}", include_in_schema=False)
def case_page(
    request: Request,
    user: Annotated[Principal, Depends(Require(READ))],
    db: DbSession,
    case_id: RowId,
    q: str = "",
    semantic: bool = False,
    kind: str = "",
    matched: bool = False,
    view: Annotated[str, Query(pattern="^(search|entities|timeline|files)$")] = "search",
) -> Response:
    name = engine.case_name(db, case_id)
    files = engine.files(db, name)
    context: dict[str, Any] = {
        "case_id": case_id,
        "name": name,
        "summary": engine.case_summary(db, name),
        "sources": engine.sources(db, name),
        "q": q,
        "semantic": semantic,
        "kind": kind,
        "matched": matched,
        "view": view,
        "types": sorted({f["type"] for f in files}),
        "results": [],
        "files": files if view == "files" else [],
        "entities": engine.entity_view(db, name) if view == "entities" else [],
        "timeline": engine.timeline(db, name)[:1000] if view == "timeline" else [],
        "tagged": {item["id"] for item, _tags in engine.tagged(db, name)},
    }
    if q.strip():
        if semantic:
            context["results"] = engine.semantic_search(db, name, q)
        else:
            context["results"] = engine.search(db, name, q, kind=kind or None, matched_only=matched)
    return render(request, "fca/case.html", context)


@router.post("/fca/cases/{case_id}/tags", include_in_schema=False)
def tag_page(
    user: Annotated[Principal, Depends(Require(READ))],
    db: DbSession,
    case_id: RowId,
    item_id: Annotated[int, Form(ge=1, le=2_147_483_647)],
    tag: Annotated[str, Form()] = "relevant",
) -> Response:
    engine.case_name(db, case_id)
    engine.tag(db, item_id, tag.strip()[:60] or "relevant", user.actor)
    return RedirectResponse(f"/fca/cases/{case_id}?view=files", status_code=303)


@router.get("/fca/cases/{case_id}/report", include_in_schema=False)
def report_download(
    user: Annotated[Principal, Depends(Require(READ))],
    db: DbSession,
    case_id: RowId,
    fmt: Annotated[str, Query(pattern="^(html|pdf)$")] = "pdf",
) -> Response:
    name = engine.case_name(db, case_id)
    out = get_settings().ensure_data_dir() / "fca" / "reports" / f"case-{case_id}.{fmt}"
    out.parent.mkdir(parents=True, exist_ok=True)
    report.write(db, name, out, user.actor)
    return FileResponse(out, filename=f"fca-case-{case_id}.{fmt}", headers=NO_STORE)


# --- API -----------------------------------------------------------------------------------


class IngestRequest(BaseModel):
    paths: list[str] = Field(min_length=1, description="Sources on the server, under the intake folders.")
    case: str = Field(min_length=1, max_length=200)
    region: str = Field("", max_length=2, description="Default phone region of the case, e.g. ES.")
    ocr: bool = False


class TagRequest(BaseModel):
    tag: str = Field("relevant", min_length=1, max_length=60)


@router.get("/api/fca/cases", tags=["fca"])
def api_cases(user: Annotated[Principal, Depends(Require(READ))], db: DbSession) -> list[dict[str, Any]]:
    """All cases."""
    return engine.case_rows(db)


@router.post("/api/fca/ingest", tags=["fca"])
def api_ingest(user: Annotated[Principal, Depends(Require(INGEST))], body: IngestRequest) -> dict[str, str]:
    """Ingest server-side sources into a case in the background; follow the job at /api/jobs/{id}."""
    return {"job_id": _start(user, body.paths, body.case, body.region, body.ocr)}


@router.get("/api/fca/cases/{case_id}/sources", tags=["fca"])
def api_sources(
    user: Annotated[Principal, Depends(Require(READ))], db: DbSession, case_id: RowId
) -> list[dict[str, Any]]:
    """The case's sources with their status, the reason of a failure and their hashes at intake and end."""
    return engine.sources(db, engine.case_name(db, case_id))


@router.get("/api/fca/cases/{case_id}/files", tags=["fca"])
def api_files(
    user: Annotated[Principal, Depends(Require(READ))], db: DbSession, case_id: RowId
) -> list[dict[str, Any]]:
    """Every item: path, size, type, flags (deleted, extension mismatch), hashes, times, matches."""
    return engine.files(db, engine.case_name(db, case_id))


@router.get("/api/fca/cases/{case_id}/entities", tags=["fca"])
def api_entities(
    user: Annotated[Principal, Depends(Require(READ))], db: DbSession, case_id: RowId, kind: str | None = None
) -> list[dict[str, Any]]:
    """Entities with their counts, files and the other cases that hold them."""
    return engine.entity_view(db, engine.case_name(db, case_id), kind)


@router.get("/api/fca/cases/{case_id}/search", tags=["fca"])
def api_search(
    user: Annotated[Principal, Depends(Require(READ))],
    db: DbSession,
    case_id: RowId,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    semantic: bool = False,
    kind: str | None = None,
    matched: bool = False,
    path: str | None = None,
    entity: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """Full-text ("phrases", prefix*) or semantic search; snippets mark hits with [ ].

    Filters: type, part of the path, an entity value, hash-matched only, modification time range.
    """
    name = engine.case_name(db, case_id)
    if semantic:
        return engine.semantic_search(db, name, q, limit)
    return engine.search(db, name, q, limit, kind=kind, path_contains=path, matched_only=matched,
                         since=_utc(since), until=_utc(until), entity=entity)  # fmt: skip


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@router.get("/api/fca/cases/{case_id}/timeline", tags=["fca"])
def api_timeline(
    user: Annotated[Principal, Depends(Require(READ))], db: DbSession, case_id: RowId
) -> list[dict[str, Any]]:
    """File system (MACB) and EXIF times of every item, in time order."""
    return engine.timeline(db, engine.case_name(db, case_id))


@router.post("/api/fca/items/{item_id}/tags", tags=["fca"])
def api_tag(
    user: Annotated[Principal, Depends(Require(READ))], db: DbSession, item_id: RowId, body: TagRequest
) -> dict[str, str]:
    """Tag an item for the case report."""
    engine.tag(db, item_id, body.tag, user.actor)
    return {"status": "ok"}
