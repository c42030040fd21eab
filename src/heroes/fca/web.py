"""Pages under /fca and the API under /api/fca: thin layers over the engine and the ingest job."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from heroes.core import jobs
from heroes.core.auth import Principal, Require
from heroes.core.db import DbSession, ReadDbSession
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.settings import get_settings
from heroes.core.web.templating import render
from heroes.fca import access, engine, report

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


def _start(user: Principal, paths: list[str], case: str, region: str, ocr: bool, vectors: bool = True) -> str:
    if not case.strip():
        raise HeroesError(_("Name the case."))
    checked = [check_source(p) for p in paths]
    params = {"sources": checked, "case": case.strip(), "region": region.strip().upper() or None, "ocr": ocr,
              "actor": user.actor, "workers": get_settings().job_workers, "vectors": vectors}  # fmt: skip
    return jobs.submit("fca.ingest", params, owner=user)


# --- pages ---------------------------------------------------------------------------------


@router.get("/fca", include_in_schema=False)
def index(request: Request, user: Annotated[Principal, Depends(Require(READ))], db: ReadDbSession) -> Response:
    context = {"cases": engine.case_rows(db, viewer=user), "roots": intake_roots(), "can_ingest": user.can(INGEST)}
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
    db: ReadDbSession,
    case_id: RowId,
    q: str = "",
    semantic: bool = False,
    kind: str = "",
    matched: bool = False,
    since: Annotated[str, Query(max_length=40, description="From this date (YYYY-MM-DD) or time.")] = "",
    until: Annotated[str, Query(max_length=40, description="Up to this date (the whole day) or time.")] = "",
    times: Annotated[str, Query(pattern="^(any|mtime|atime|ctime|crtime|exif)$")] = "any",
    view: Annotated[str, Query(pattern="^(search|entities|timeline|files)$")] = "search",
) -> Response:
    case = engine.get_case(db, case_id, viewer=user, action="view")
    files = engine.files(db, case, viewer=user)
    error = ""
    try:
        lo, hi = parse_day(since, end=False), parse_day(until, end=True)
    except HeroesError as exc:
        lo = hi = None
        error = exc.message
    context: dict[str, Any] = {
        "case_id": case_id,
        "name": case.name,
        "summary": engine.case_summary(db, case, viewer=user),
        "sources": engine.sources(db, case, viewer=user),
        "q": q,
        "semantic": semantic,
        "kind": kind,
        "matched": matched,
        "since": since,
        "until": until,
        "times": times,
        "time_fields": engine.TIME_FIELDS,
        "time_names": time_names(),
        "error": error,
        "view": view,
        "types": sorted({f["type"] for f in files}),
        "facets": [],
        "results": [],
        "files": files if view == "files" else [],
        "entities": engine.entity_view(db, case, viewer=user) if view == "entities" else [],
        "timeline": engine.timeline(db, case, lo, hi, times, viewer=user)[:1000] if view == "timeline" else [],
        "tagged": {item["id"] for item, _tags in engine.tagged(db, case, viewer=user)},
    }
    if q.strip() and view == "search":
        if semantic:
            hits = engine.semantic_search(db, case, q, 200, viewer=user)
            by_id = {f["id"]: f for f in files}
            if lo or hi:
                keep = set(engine.items_in_range(db, case, lo, hi, times, viewer=user))
                hits = [h for h in hits if h["id"] in keep]
            if matched:
                hits = [h for h in hits if by_id.get(h["id"], {}).get("matches")]
            for h in hits:
                h["type"] = by_id.get(h["id"], {}).get("type", "")
        else:
            hits = engine.search(db, case, q, 500, matched_only=matched, since=lo, until=hi, times=times, viewer=user)
        # Facets: the types among the hits before the type filter, so a chosen type can be changed.
        context["facets"] = sorted(Counter(h["type"] for h in hits).items())
        context["results"] = [h for h in hits if not kind or h["type"] == kind][:50]
    return render(request, "fca/case.html", context)


def time_names() -> dict[str, str]:
    return {"any": _("any time"), "mtime": _("modified"), "atime": _("accessed"), "ctime": _("changed"),
            "crtime": _("created"), "exif": _("taken (EXIF)")}  # fmt: skip


def parse_day(value: str, end: bool) -> datetime | None:
    """A date (the start of the day, or its end for an upper bound) or a date and time; UTC when naive."""
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        return _utc(datetime.fromisoformat(value))
    except ValueError:
        raise HeroesError(_("{value} is not a date (YYYY-MM-DD).").format(value=value)) from None


@router.post("/fca/cases/{case_id}/tags", include_in_schema=False)
def tag_page(
    user: Annotated[Principal, Depends(Require(READ))],
    db: DbSession,
    case_id: RowId,
    item_id: Annotated[int, Form(ge=1, le=2_147_483_647)],
    tag: Annotated[str, Form()] = "relevant",
) -> Response:
    engine.tag(db, item_id, tag.strip()[:60] or "relevant", viewer=user, case=case_id)
    return RedirectResponse(f"/fca/cases/{case_id}?view=files", status_code=303)


@router.get("/fca/cases/{case_id}/report", include_in_schema=False)
def report_download(
    user: Annotated[Principal, Depends(Require(READ))],
    db: ReadDbSession,
    case_id: RowId,
    fmt: Annotated[str, Query(pattern="^(html|pdf)$")] = "pdf",
) -> Response:
    case = engine.get_case(db, case_id, viewer=user, action="report")
    out = get_settings().ensure_data_dir() / "fca" / "reports" / f"case-{case_id}.{fmt}"
    out.parent.mkdir(parents=True, exist_ok=True)
    report.write(db, case, out, viewer=user)
    return FileResponse(out, filename=f"fca-case-{case_id}.{fmt}", headers=NO_STORE)


# --- API -----------------------------------------------------------------------------------


class IngestRequest(BaseModel):
    paths: list[str] = Field(min_length=1, description="Sources on the server, under the intake folders.")
    case: str = Field(min_length=1, max_length=200)
    region: str = Field("", max_length=2, description="Default phone region of the case, e.g. ES.")
    ocr: bool = False
    vectors: bool = Field(True, description="Store sentence vectors for semantic search (else made at first use).")


class TagRequest(BaseModel):
    tag: str = Field("relevant", min_length=1, max_length=60)


@router.get("/api/fca/cases", tags=["fca"])
def api_cases(user: Annotated[Principal, Depends(Require(READ))], db: ReadDbSession) -> list[dict[str, Any]]:
    """The cases you are a member of (an admin: all cases)."""
    return engine.case_rows(db, viewer=user)


@router.post("/api/fca/ingest", tags=["fca"])
def api_ingest(user: Annotated[Principal, Depends(Require(INGEST))], body: IngestRequest) -> dict[str, str]:
    """Ingest server-side sources into a case in the background; follow the job at /api/jobs/{id}."""
    return {"job_id": _start(user, body.paths, body.case, body.region, body.ocr, body.vectors)}


@router.get("/api/fca/cases/{case_id}/sources", tags=["fca"])
def api_sources(
    user: Annotated[Principal, Depends(Require(READ))], db: ReadDbSession, case_id: RowId
) -> list[dict[str, Any]]:
    """The case's sources with their status, the reason of a failure and their hashes at intake and end."""
    return engine.sources(db, case_id, viewer=user)


@router.get("/api/fca/cases/{case_id}/files", tags=["fca"])
def api_files(
    user: Annotated[Principal, Depends(Require(READ))], db: ReadDbSession, case_id: RowId
) -> list[dict[str, Any]]:
    """Every item: path, size, type, flags (deleted, extension mismatch), hashes, times, matches."""
    return engine.files(db, case_id, viewer=user)


@router.get("/api/fca/cases/{case_id}/entities", tags=["fca"])
def api_entities(
    user: Annotated[Principal, Depends(Require(READ))], db: ReadDbSession, case_id: RowId, kind: str | None = None
) -> list[dict[str, Any]]:
    """Entities with their counts, files and the other cases (that you may see) that hold them."""
    return engine.entity_view(db, case_id, kind, viewer=user)


@router.get("/api/fca/cases/{case_id}/search", tags=["fca"])
def api_search(
    user: Annotated[Principal, Depends(Require(READ))],
    db: ReadDbSession,
    case_id: RowId,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    semantic: bool = False,
    kind: str | None = None,
    matched: bool = False,
    path: str | None = None,
    entity: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    times: Annotated[str, Query(pattern="^(any|mtime|atime|ctime|crtime|exif)$")] = "mtime",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """Full-text ("phrases", prefix*) or semantic search; snippets mark hits with [ ].

    Filters (full text): type, part of the path, an entity value, hash-matched only, and a time range
    on the file time named by `times` (mtime by default, or atime, ctime, crtime, exif, any).
    """
    if semantic:
        return engine.semantic_search(db, case_id, q, limit, viewer=user)
    return engine.search(db, case_id, q, limit, kind=kind, path_contains=path, matched_only=matched,
                         since=_utc(since), until=_utc(until), entity=entity, times=times, viewer=user)  # fmt: skip


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@router.get("/api/fca/cases/{case_id}/timeline", tags=["fca"])
def api_timeline(
    user: Annotated[Principal, Depends(Require(READ))],
    db: ReadDbSession,
    case_id: RowId,
    since: datetime | None = None,
    until: datetime | None = None,
    times: Annotated[str, Query(pattern="^(any|mtime|atime|ctime|crtime|exif)$")] = "any",
) -> list[dict[str, Any]]:
    """File system (MACB) and EXIF times of every item in time order, optionally only between two times
    and only of one kind (mtime, atime, ctime, crtime, exif)."""
    return engine.timeline(db, case_id, _utc(since), _utc(until), times, viewer=user)


@router.post("/api/fca/items/{item_id}/tags", tags=["fca"])
def api_tag(
    user: Annotated[Principal, Depends(Require(READ))], db: DbSession, item_id: RowId, body: TagRequest
) -> dict[str, str]:
    """Tag an item for the case report."""
    engine.tag(db, item_id, body.tag, viewer=user)
    return {"status": "ok"}


class MemberRequest(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    role: str = Field("member", pattern="^(lead|member)$")


@router.get("/api/fca/cases/{case_id}/members", tags=["fca"])
def api_members(
    user: Annotated[Principal, Depends(Require(READ))], db: ReadDbSession, case_id: RowId
) -> list[dict[str, Any]]:
    """Who may see the case: its leads and members."""
    return access.members(db, user, case_id)


@router.post("/api/fca/cases/{case_id}/members", tags=["fca"])
def api_add_member(
    user: Annotated[Principal, Depends(Require(READ))], db: DbSession, case_id: RowId, body: MemberRequest
) -> list[dict[str, Any]]:
    """Add a member (the case's lead: people of its organisation; an admin: anyone who may read cases)."""
    access.add_member(db, user, case_id, body.username, body.role)
    db.flush()
    return access.members(db, user, case_id)


@router.delete("/api/fca/cases/{case_id}/members/{username}", tags=["fca"])
def api_remove_member(
    user: Annotated[Principal, Depends(Require(READ))], db: DbSession, case_id: RowId, username: str
) -> list[dict[str, Any]]:
    """Remove a member (leads and admins); a case keeps at least one lead."""
    access.remove_member(db, user, case_id, username)
    db.flush()
    return access.members(db, user, case_id)
