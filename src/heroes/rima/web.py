"""Pages under /rima and the API under /api/rima: thin layers over the package, analysis and service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from heroes.core import jobs
from heroes.core.auth import Principal, Require
from heroes.core.db import DbSession, ReadDbSession
from heroes.core.errors import HeroesError
from heroes.core.i18n import get_language
from heroes.core.i18n import gettext as _
from heroes.core.web.templating import render
from heroes.rima import analysis, report, service
from heroes.rima.jobs import UPLOADS, check_source, intake_roots, packages_dir
from heroes.rima.models import RimaPackage
from heroes.rima.package import Package

ACQUIRE = "rima:acquire"
READ = "rima:read"
MAX_UPLOAD = 2 * 1024 * 1024 * 1024
PAGE = 200
NO_STORE = {"Cache-Control": "no-store"}

# Route guards, one per permission (heroes.core.auth.Public for public pages).
CanRead = Annotated[Principal, Depends(Require(READ))]
CanAcquire = Annotated[Principal, Depends(Require(ACQUIRE))]

router = APIRouter()


def _package(db: Any, user: Principal, package_id: str, read: str | None = None) -> RimaPackage:
    """The package if the user may open it; `read` names what is read of it, for the audit log."""
    row = service.registered(db, package_id)
    if row.owner != user.actor and not user.can("jobs:all"):
        raise HeroesError(_("No such evidence package."), status_code=404)
    if read is not None:
        service.record_read(db, user.actor, row.id, read)
    return row


def _visible(db: Any, user: Principal) -> list[RimaPackage]:
    return [p for p in service.list_packages(db) if p.owner == user.actor or user.can("jobs:all")]


def _package_json(row: RimaPackage) -> dict[str, Any]:
    return {
        "id": row.id,
        "case": row.case,
        "examiner": row.examiner,
        "created_at": row.created_at.isoformat(),
        "manifest_sha256": row.manifest_sha256,
        "messages": row.messages,
        "conversations": row.conversations,
    }


def _start(user: Principal, paths: list[str], case: str, examiner: str, tz: str, files: list[UploadFile]) -> str:
    if not case.strip() or not examiner.strip():
        raise HeroesError(_("Name the case and the examiner."))
    checked = [str(check_source(p)) for p in paths if p.strip()]
    uploads = [f for f in files if f.filename]
    if not checked and not uploads:
        raise HeroesError(_("Upload a file or name a source on the server."))
    if tz:
        from heroes.chats.timeutil import zone

        zone(tz)

    def prepare(workdir: Path) -> None:
        target = workdir / UPLOADS
        target.mkdir(parents=True, exist_ok=True)
        for f in uploads:
            name = Path(f.filename or "upload").name or "upload"
            written = 0
            with open(target / name, "wb") as handle:
                while chunk := f.file.read(1024 * 1024):
                    written += len(chunk)
                    if written > MAX_UPLOAD:
                        raise HeroesError(_("The upload is too large; register the file on the server instead."))
                    handle.write(chunk)

    params = {"paths": checked, "case": case, "examiner": examiner, "tz": tz or None, "actor": user.actor}
    return jobs.submit("rima.acquire", params, owner=user, prepare=prepare if uploads else None)


# --- pages ---------------------------------------------------------------------------------


@router.get("/rima", include_in_schema=False)
def index(request: Request, user: CanRead, db: ReadDbSession, job: str | None = None) -> Response:
    context = {"packages": _visible(db, user), "roots": intake_roots(), "job": job, "can_acquire": user.can(ACQUIRE)}
    return render(request, "rima/index.html", context)


@router.post("/rima/acquire", include_in_schema=False)
def acquire_page(
    user: CanAcquire,
    case: Annotated[str, Form()],
    examiner: Annotated[str, Form()],
    path: Annotated[str, Form()] = "",
    tz: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    job_id = _start(user, [path], case, examiner, tz.strip(), files or [])
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.get("/rima/packages/{package_id}", include_in_schema=False)
def package_page(
    request: Request,
    user: CanRead,
    db: ReadDbSession,
    package_id: str,
    q: str = "",
) -> Response:
    row = _package(db, user, package_id, "package")
    check = service.verify(Path(row.path), user.actor, db)
    with Package(Path(row.path)) as pkg:
        manifest = pkg.manifest()
        conversations = pkg.conversations()
        results = list(analysis.search(pkg, q))[:PAGE] if q.strip() else []
        contacts = analysis.contacts(pkg)
    context = {
        "package": row,
        "manifest": manifest,
        "verification": check,
        "conversations": conversations,
        "q": q,
        "results": results,
        "contacts": contacts,
        "tags": service.tags(db, package_id),
    }
    return render(request, "rima/package.html", context)


@router.get("/rima/packages/{package_id}/conversations/{conversation_id}", include_in_schema=False)
def conversation_page(
    request: Request,
    user: CanRead,
    db: ReadDbSession,
    package_id: str,
    conversation_id: str,
) -> Response:
    row = _package(db, user, package_id, "conversation")
    with Package(Path(row.path)) as pkg:
        conv = next((c for c in pkg.conversations() if c["id"] == conversation_id), None)
        if conv is None:
            raise HeroesError(_("No such conversation."), status_code=404)
        messages = analysis.conversation_messages(pkg, conversation_id)
    context = {"package": row, "conversation": conv, "messages": messages, "tags": service.tags(db, package_id)}
    return render(request, "rima/conversation.html", context)


@router.get("/rima/packages/{package_id}/grooming", include_in_schema=False)
def grooming_page(request: Request, user: CanRead, db: ReadDbSession, package_id: str) -> Response:
    row = _package(db, user, package_id, "grooming")
    with Package(Path(row.path)) as pkg:
        results = analysis.grooming(pkg, get_language())
    return render(request, "rima/grooming.html", {"package": row, "results": results})


@router.post("/rima/packages/{package_id}/tags", include_in_schema=False)
def tag_page(
    user: CanRead,
    db: DbSession,
    package_id: str,
    message_id: Annotated[str, Form()],
    tag: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    _package(db, user, package_id)
    service.tag(db, package_id, message_id, tag, note.strip() or None, user.actor)
    target = back if back.startswith(f"/rima/packages/{package_id}") else f"/rima/packages/{package_id}"
    return RedirectResponse(f"{target}#{message_id}", status_code=303)


@router.get("/rima/packages/{package_id}/report", include_in_schema=False)
def report_download(
    user: CanRead,
    db: ReadDbSession,
    package_id: str,
    fmt: Annotated[str, Query(pattern="^(html|pdf|csv|jsonl)$")] = "html",
    grooming: bool = False,
) -> Response:
    row = _package(db, user, package_id, "report")
    out = packages_dir().parent / "reports" / f"{row.id}.{fmt}"
    out.parent.mkdir(parents=True, exist_ok=True)
    findings = None
    if grooming and fmt in ("html", "pdf"):
        with Package(Path(row.path)) as pkg:
            findings = analysis.grooming(pkg, get_language())
    report.write(Path(row.path), out, findings)
    return FileResponse(out, filename=f"rima-{row.id[:8]}.{fmt}", headers=NO_STORE)


# --- API -----------------------------------------------------------------------------------


class AcquireRequest(BaseModel):
    paths: list[str] = Field(min_length=1, description="Sources on the server, under the intake folders.")
    case: str = Field(min_length=1, max_length=200)
    examiner: str = Field(min_length=1, max_length=120)
    tz: str | None = Field(None, description="IANA time zone for exports that carry local times only.")


class TagRequest(BaseModel):
    message_id: str = Field(pattern=r"^M\d{7,}$")
    tag: str = Field(min_length=1, max_length=60)
    note: str | None = Field(None, max_length=2000)


@router.get("/api/rima/packages", tags=["rima"])
def api_packages(user: CanRead, db: ReadDbSession) -> list[dict[str, Any]]:
    """The evidence packages you acquired (all of them for an admin)."""
    return [_package_json(p) for p in _visible(db, user)]


@router.post("/api/rima/acquire", tags=["rima"])
def api_acquire(user: CanAcquire, body: AcquireRequest) -> dict[str, str]:
    """Acquire server-side sources into a new package in the background; follow the job at /api/jobs/{id}."""
    job_id = _start(user, body.paths, body.case, body.examiner, (body.tz or "").strip(), [])
    return {"job_id": job_id}


@router.get("/api/rima/packages/{package_id}", tags=["rima"])
def api_package(user: CanRead, db: ReadDbSession, package_id: str) -> dict[str, Any]:
    """A package: its manifest summary, the verification of every hash, its conversations."""
    row = _package(db, user, package_id, "package")
    check = service.verify(Path(row.path), user.actor, db)
    with Package(Path(row.path)) as pkg:
        conversations = pkg.conversations()
    return {**_package_json(row), "verification": check.as_dict(), "conversations": conversations}


@router.get("/api/rima/packages/{package_id}/messages", tags=["rima"])
def api_messages(
    user: CanRead,
    db: ReadDbSession,
    package_id: str,
    q: str = "",
    conversation: str | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = PAGE,
) -> dict[str, Any]:
    """Messages in source order, optionally searched (any case, any accents) or of one conversation."""
    row = _package(db, user, package_id, "messages")
    tags = service.tags(db, package_id)
    with Package(Path(row.path)) as pkg:
        source = (
            analysis.search(pkg, q, conversation)
            if q.strip()
            else (m for m in pkg.messages() if not conversation or m["conversation"] == conversation)
        )
        page: list[dict[str, Any]] = []
        for i, m in enumerate(source):
            if i < offset:
                continue
            if len(page) >= limit:
                break
            page.append({**m, "tags": tags.get(m["id"], [])})
    return {"offset": offset, "limit": limit, "messages": page}


@router.get("/api/rima/packages/{package_id}/timeline", tags=["rima"])
def api_timeline(
    user: CanRead,
    db: ReadDbSession,
    package_id: str,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = PAGE,
) -> dict[str, Any]:
    """Messages of every app in this package in time order (UTC; local-only times where no zone was known)."""
    row = _package(db, user, package_id, "timeline")
    with Package(Path(row.path)) as pkg:
        line = analysis.timeline(pkg)
    return {"offset": offset, "limit": limit, "total": len(line), "messages": line[offset : offset + limit]}


@router.post("/api/rima/packages/{package_id}/tags", tags=["rima"])
def api_tag(user: CanRead, db: DbSession, package_id: str, body: TagRequest) -> dict[str, Any]:
    """Tag a message (for example "threat", "contact request") with an optional note."""
    _package(db, user, package_id)
    row = service.tag(db, package_id, body.message_id, body.tag, body.note, user.actor)
    return {"id": row.id, "message_id": row.message_id, "tag": row.tag}


@router.get("/api/rima/packages/{package_id}/contacts", tags=["rima"])
def api_contacts(user: CanRead, db: ReadDbSession, package_id: str) -> list[dict[str, Any]]:
    """Phone numbers, e-mail addresses and handles of everyone in the package, with where they appear."""
    row = _package(db, user, package_id, "contacts")
    with Package(Path(row.path)) as pkg:
        return analysis.contacts(pkg)


@router.get("/api/rima/packages/{package_id}/grooming", tags=["rima"])
def api_grooming(user: CanRead, db: ReadDbSession, package_id: str) -> list[dict[str, Any]]:
    """The anti-grooming analysis of each conversation: score, level, stages and the message ids behind them."""
    row = _package(db, user, package_id, "grooming")
    with Package(Path(row.path)) as pkg:
        return analysis.grooming(pkg, get_language())
