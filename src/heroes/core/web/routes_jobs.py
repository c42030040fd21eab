"""Background jobs: list, follow (a page that updates itself), download results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from heroes.core import jobs
from heroes.core.auth import Principal, Require
from heroes.core.web.templating import render

router = APIRouter()
JobReader = Annotated[Principal, Depends(Require("jobs:read"))]


@router.get("/jobs", response_class=HTMLResponse, include_in_schema=False)
def jobs_page(request: Request, user: JobReader) -> Response:
    return render(request, "jobs/list.html", {"jobs": jobs.list_jobs(user)})


@router.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(request: Request, job_id: str, user: JobReader) -> Response:
    return render(request, "jobs/detail.html", {"job": jobs.get(job_id, user)})


@router.get("/jobs/{job_id}/progress", response_class=HTMLResponse, include_in_schema=False)
def job_progress_fragment(request: Request, job_id: str, user: JobReader) -> Response:
    return render(request, "jobs/_progress.html", {"job": jobs.get(job_id, user)})


@router.get("/jobs/{job_id}/download", include_in_schema=False)
def job_download(job_id: str, user: JobReader) -> Response:
    path = jobs.output_path(job_id, user)
    return FileResponse(path, filename=f"{job_id}-{path.name}")


@router.get("/api/jobs", tags=["jobs"])
def api_jobs(user: JobReader) -> list[dict[str, Any]]:
    """Your jobs (all jobs for administrators), newest first."""
    return [job.as_dict() for job in jobs.list_jobs(user)]


@router.get("/api/jobs/{job_id}", tags=["jobs"])
def api_job(job_id: str, user: JobReader) -> dict[str, Any]:
    """One job's state, progress, result and error."""
    return jobs.get(job_id, user).as_dict()
