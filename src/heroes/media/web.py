"""Pages under /media and the API under /api/media: thin layers over the engine and the store.

The pages show hashes, sizes, types and paths only: no picture of a scanned file is ever
displayed, copied or thumbnailed.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from heroes.core import audit, jobs
from heroes.core.auth import Principal, Require
from heroes.core.db import DbId, DbSession, ReadDbSession
from heroes.core.errors import HeroesError, NotFoundError
from heroes.core.i18n import gettext as _
from heroes.core.models import Job
from heroes.core.web.middleware import body_limit
from heroes.core.web.templating import render
from heroes.media import store
from heroes.media.export import to_vics
from heroes.media.hashlists import IMPORTERS, HashList, ListFormatError
from heroes.media.matcher import DEFAULT_DISTANCE
from heroes.media.models import MediaHashList, MediaScan

USE = "media:use"
MAX_UPLOAD = 200 * 1024 * 1024
body_limit("/media/lists", MAX_UPLOAD + 1024 * 1024)
body_limit("/api/media/lists", MAX_UPLOAD + 1024 * 1024)
NO_STORE = {"Cache-Control": "no-store"}
MAX_ROW_ERRORS_SHOWN = 100

# Route guards, one per permission (heroes.core.auth.Public for public pages).
CanUse = Annotated[Principal, Depends(Require(USE))]

router = APIRouter()
api = APIRouter(prefix="/api/media", tags=["media"])


def _see_all(user: Principal) -> bool:
    return user.can("jobs:all")


def _read_upload(file: UploadFile) -> bytes:
    # Sync on purpose: routes that import a list run in the thread pool, off the event loop; the
    # list is decoded and parsed in a budgeted worker process (store.import_list(bounded=True)).
    raw = file.file.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        raise HeroesError(_("The file is too large (200 MB at most); import it with `heroes media lists import`."), 413)
    return raw


def _list_json(row: MediaHashList) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "format": row.format,
        "ignore": row.ignore,
        "entries": row.entry_count,
        "malformed_rows": row.error_count,
        "counts": row.counts,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
    }


def _start_scan(
    db: Any,
    user: Principal,
    path: str,
    list_refs: list[str],
    distance: int,
    rotations: bool,
    resume_from: str | None = None,
) -> MediaScan:
    root = store.check_server_path(path)
    names = [store.get_list(db, ref).name for ref in list_refs] if list_refs else [r.name for r in store.lists(db)]
    if not names:
        raise HeroesError(_("Import a hash list first."))
    if not 0 <= distance <= 128:
        raise HeroesError(_("The PDQ distance is between 0 and 128 bits."))
    scan = store.create_scan(db, user.actor, [str(root)], names, distance)
    db.commit()  # the job runs in another session and must see the scan
    params: dict[str, Any] = {"scan_id": scan.id, "actor": user.actor, "dihedral": rotations}
    if resume_from:
        params["resume_from"] = resume_from
    scan.job_id = jobs.submit("media.scan", params, owner=user)
    return scan


def _job_view(db: Any, job_id: str | None) -> jobs.JobView | None:
    """The scan's job, read in the route's own session (SQLite allows one writer at a time);
    the scan itself was already checked to belong to the caller."""
    job = db.get(Job, job_id) if job_id else None
    if job is None:
        return None
    return jobs.view(job)


def _scan_json(db: Any, scan: MediaScan, user: Principal) -> dict[str, Any]:
    view = _job_view(db, scan.job_id)
    job = view.as_dict() if view else None
    return {
        "id": scan.id,
        "state": job["state"] if job else scan.state,
        "lists": scan.list_names,
        "distance": scan.distance,
        "summary": scan.summary,
        "job": {k: job[k] for k in ("id", "state", "done", "total", "percent", "error")} if job else None,
        "created_at": scan.created_at.isoformat(),
    }


# --- pages ---------------------------------------------------------------------------------


def _index_page(
    request: Request,
    user: Principal,
    db: Any,
    message: str | None = None,
    error: str | None = None,
    form: dict[str, Any] | None = None,
    imported: dict[str, Any] | None = None,
) -> Response:
    """The media page; after a refused form it shows why and keeps what was typed (``form``)."""
    lists, scans = store.lists(db), store.recent_scans(db, user.actor, _see_all(user))
    context = {
        "lists": lists,
        "scans": scans,
        "formats": IMPORTERS,
        "roots": store.scan_roots(),
        "distance": DEFAULT_DISTANCE,
        "message": message,
        "error": error,
        "form": form or {},
        "imported": imported,
    }
    audit.record(db, user.actor, "media.index.read", None, {"lists": len(lists), "scans": len(scans)})
    return render(request, "media/index.html", context, status_code=400 if error else 200)


def _imported(row: MediaHashList, parsed: HashList) -> dict[str, Any]:
    """What an import page shows: the list, and each malformed row by its line."""
    return {
        "name": row.name,
        "entries": row.entry_count,
        "errors": parsed.errors[:MAX_ROW_ERRORS_SHOWN],
        "error_count": len(parsed.errors),
    }


@router.get("/media", include_in_schema=False)
def index(request: Request, user: CanUse, db: ReadDbSession, message: str | None = None) -> Response:
    return _index_page(request, user, db, message)


@router.post("/media/lists", include_in_schema=False)
def upload_list(
    request: Request,
    user: CanUse,
    db: DbSession,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form()] = "",
    list_format: Annotated[str, Form(alias="format")] = "",
    ignore: Annotated[str, Form()] = "",
) -> Response:
    form = {"form": "upload", "name": name, "format": list_format, "ignore": ignore == "yes"}
    try:
        text = _read_upload(file)
        row, parsed = store.import_list(
            db,
            user.actor,
            text,
            name or (file.filename or "list").rsplit(".", 1)[0],
            list_format or None,
            ignore == "yes",
            source=file.filename or "",
            bounded=True,
        )
    except HeroesError as exc:
        return _index_page(request, user, db, None, exc.message, form)
    return _index_page(request, user, db, "imported", None, None, _imported(row, parsed))


@router.post("/media/lists/register", include_in_schema=False)
def register_list(
    request: Request,
    user: CanUse,
    db: DbSession,
    path: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
    list_format: Annotated[str, Form(alias="format")] = "",
    ignore: Annotated[str, Form()] = "",
) -> Response:
    form = {"form": "register", "path": path, "name": name, "format": list_format, "ignore": ignore == "yes"}
    try:
        source = store.check_server_path(path)
        row, parsed = store.import_list_file(
            db, user.actor, source, name or None, list_format or None, ignore == "yes", bounded=True
        )
    except HeroesError as exc:
        return _index_page(request, user, db, error=exc.message, form=form)
    return _index_page(request, user, db, "imported", imported=_imported(row, parsed))


@router.post("/media/lists/{list_id}/delete", include_in_schema=False)
def delete_list(user: CanUse, db: DbSession, list_id: DbId) -> Response:
    store.remove_list(db, user.actor, list_id)
    return RedirectResponse("/media?message=removed", status_code=303)


@router.post("/media/scans", include_in_schema=False)
def start_scan(
    request: Request,
    user: CanUse,
    db: DbSession,
    path: Annotated[str, Form()],
    lists: Annotated[list[str] | None, Form()] = None,
    distance: Annotated[int, Form()] = DEFAULT_DISTANCE,
    rotations: Annotated[str, Form()] = "",
) -> Response:
    try:
        scan = _start_scan(db, user, path, lists or [], distance, rotations == "yes")
    except HeroesError as exc:
        form = {
            "form": "scan",
            "path": path,
            "lists": lists or [],
            "distance": distance,
            "rotations": rotations == "yes",
        }
        return _index_page(request, user, db, error=exc.message, form=form)
    return RedirectResponse(f"/media/scans/{scan.id}", status_code=303)


@router.post("/media/scans/{scan_id}/resume", include_in_schema=False)
def resume_scan(user: CanUse, db: DbSession, scan_id: DbId) -> Response:
    old = store.get_scan(db, scan_id, user.actor, _see_all(user))
    new = _start_scan(db, user, old.source.splitlines()[0], old.list_names, old.distance, False, old.job_id)
    return RedirectResponse(f"/media/scans/{new.id}", status_code=303)


@router.get("/media/scans/{scan_id}", include_in_schema=False)
def scan_page(
    request: Request,
    user: CanUse,
    db: ReadDbSession,
    scan_id: DbId,
    category: str | None = None,
) -> Response:
    scan = store.get_scan(db, scan_id, user.actor, _see_all(user))
    job = _job_view(db, scan.job_id)
    done = scan.state == "done"
    rows = store.results(db, scan, category=category) if done else []
    failed = store.errors(db, scan) if done and not category else []
    context = {"scan": scan, "job": job, "rows": rows, "category": category, "failed": failed}
    audit.record(db, user.actor, "media.scan.read", f"media_scan:{scan.id}", {"results": len(rows)})
    return render(request, "media/scan.html", context)


@router.get("/media/scans/{scan_id}/export", include_in_schema=False)
def export_page(user: CanUse, db: ReadDbSession, scan_id: DbId) -> Response:
    return _vics_response(db, user, scan_id)


def _vics_response(db: Any, user: Principal, scan_id: int) -> Response:
    scan = store.get_scan(db, scan_id, user.actor, _see_all(user))
    if scan.state != "done":
        raise NotFoundError(_("This scan has not finished yet."))
    doc = to_vics(store.result_json(r) for r in store.results(db, scan, limit=10**9))
    audit.record(db, user.actor, "media.scan.export", f"media_scan:{scan.id}", {"media": len(doc["value"])})
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="scan-{scan.id}.vics.json"'}
    return Response(json.dumps(doc, indent=1), media_type="application/json", headers=headers)


# --- API -----------------------------------------------------------------------------------


class ScanRequest(BaseModel):
    path: str = Field(..., description="A file or folder on the server, inside HEROES_MEDIA_ROOTS.")
    lists: list[str] = Field(default_factory=list, description="Hash list names or ids; all lists when empty.")
    distance: int = Field(DEFAULT_DISTANCE, ge=0, le=128, description="PDQ match threshold in bits.")
    rotations: bool = Field(False, description="Also match rotated and mirrored pictures.")


@api.get("/lists")
def api_lists(user: CanUse, db: ReadDbSession) -> list[dict[str, Any]]:
    """The hash lists in the database."""
    rows = store.lists(db)
    audit.record(db, user.actor, "media.list.read", None, {"lists": len(rows)})
    return [_list_json(r) for r in rows]


@api.post("/lists", status_code=201)
def api_upload_list(
    user: CanUse,
    db: DbSession,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form()] = "",
    list_format: Annotated[str, Form(alias="format")] = "",
    ignore: Annotated[bool, Form()] = False,
) -> JSONResponse:
    """Import a hash list; malformed rows are reported by line and skipped.

    The list is read in a worker process within the server's CPU budget and may hold at most
    HEROES_MEDIA_LIST_WEB_MAX_ENTRIES hashes: past either, 413 and nothing is stored (import such
    lists with `heroes media lists import`). A file that cannot be read as the format gives 400
    naming the line."""
    text = _read_upload(file)
    try:
        row, parsed = store.import_list(
            db,
            user.actor,
            text,
            name or (file.filename or "list").rsplit(".", 1)[0],
            list_format or None,
            ignore,
            source=file.filename or "",
            bounded=True,
        )
    except ListFormatError as exc:
        raise HeroesError(str(exc)) from None
    body = {**_list_json(row), "errors": [{"line": e.line, "message": e.message} for e in parsed.errors[:1000]]}
    return JSONResponse(body, status_code=201)


@api.delete("/lists/{list_id}")
def api_delete_list(user: CanUse, db: DbSession, list_id: DbId) -> dict[str, str]:
    """Remove a hash list."""
    return {"removed": store.remove_list(db, user.actor, list_id)}


@api.post("/scans", status_code=202)
def api_start_scan(user: CanUse, db: DbSession, body: ScanRequest) -> dict[str, Any]:
    """Start a background scan of a server-side path; follow it at /api/media/scans/{id}."""
    scan = _start_scan(db, user, body.path, body.lists, body.distance, body.rotations)
    return _scan_json(db, scan, user)


@api.get("/scans/{scan_id}")
def api_scan(user: CanUse, db: ReadDbSession, scan_id: DbId) -> dict[str, Any]:
    """A scan's state, progress and summary (files, matches per list and category, errors)."""
    scan = store.get_scan(db, scan_id, user.actor, _see_all(user))
    audit.record(db, user.actor, "media.scan.read", f"media_scan:{scan.id}")
    return _scan_json(db, scan, user)


@api.get("/scans/{scan_id}/results")
def api_results(
    user: CanUse,
    db: ReadDbSession,
    scan_id: DbId,
    category: str | None = Query(None, description='"list / category" as in the summary'),
    all_files: bool = Query(False, alias="all", description="Every file, not only matched ones"),
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    """Per-file results: hashes, size, type, path and matches. Never the files."""
    scan = store.get_scan(db, scan_id, user.actor, _see_all(user))
    rows = store.results(db, scan, category, matched_only=not all_files, limit=limit, offset=offset)
    audit.record(db, user.actor, "media.scan.results", f"media_scan:{scan.id}", {"results": len(rows)})
    return [store.result_json(r) for r in rows]


@api.get("/scans/{scan_id}/export")
def api_export(user: CanUse, db: ReadDbSession, scan_id: DbId) -> Response:
    """Matched files as Project VIC VICS 2.0 JSON."""
    return _vics_response(db, user, scan_id)


router.include_router(api)
