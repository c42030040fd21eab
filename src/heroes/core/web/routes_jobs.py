"""Background jobs: list, follow (a page that updates itself), download results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from heroes.core import jobs
from heroes.core.auth import Principal, Require
from heroes.core.web.templating import render

router = APIRouter()
JobReader = Annotated[Principal, Depends(Require("jobs:read"))]


@router.get("/jobs", response_class=HTMLResponse, include_in_schema=False)
def jobs_page(request: Request, user: JobReader) -> Response:
    jobs.audit_list(user)
    return render(request, "jobs/list.html", {"jobs": jobs.list_jobs(user)})


@router.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(request: Request, job_id: str, user: JobReader) -> Response:
    return render(request, "jobs/detail.html", {"job": jobs.get(job_id, user, audited=True)})


@router.post("/jobs/{job_id}/cancel", include_in_schema=False)
def job_cancel(job_id: str, user: JobReader) -> Response:
    jobs.cancel(job_id, user)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.post("/jobs/{job_id}/resume", include_in_schema=False)
def job_resume(job_id: str, user: JobReader) -> Response:
    return RedirectResponse(f"/jobs/{jobs.resume(job_id, user)}", status_code=303)


@router.get("/jobs/{job_id}/progress", response_class=HTMLResponse, include_in_schema=False)
def job_progress_fragment(request: Request, job_id: str, user: JobReader) -> Response:
    return render(request, "jobs/_progress.html", {"job": jobs.get(job_id, user)})


@router.get("/jobs/{job_id}/download", include_in_schema=False)
def job_download(job_id: str, user: JobReader) -> Response:
    jobs.get(job_id, user, audited=True)
    path = jobs.output_path(job_id, user)
    return FileResponse(path, filename=f"{job_id}-{path.name}")


@router.get("/api/jobs", tags=["jobs"])
def api_jobs(user: JobReader) -> list[dict[str, Any]]:
    """Your jobs (all jobs for administrators), newest first."""
    jobs.audit_list(user)
    return [job.as_dict() for job in jobs.list_jobs(user)]


@router.get("/api/jobs/{job_id}", tags=["jobs"])
def api_job(job_id: str, user: JobReader) -> dict[str, Any]:
    """One job's state, progress, result and error (with the reason and time when it failed)."""
    return jobs.get(job_id, user, audited=True).as_dict()


@router.post("/api/jobs/{job_id}/cancel", tags=["jobs"])
def api_job_cancel(job_id: str, user: JobReader) -> dict[str, Any]:
    """Cancel a job: a queued one at once, a running one at its next progress report."""
    return jobs.cancel(job_id, user).as_dict()


@router.post("/api/jobs/{job_id}/resume", status_code=202, tags=["jobs"])
def api_job_resume(job_id: str, user: JobReader) -> dict[str, Any]:
    """Start a failed, cancelled or interrupted job again (it takes over a checkpoint if it keeps one)."""
    return jobs.get(jobs.resume(job_id, user), user).as_dict()
