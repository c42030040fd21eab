"""Pages under /osint and the API under /api/osint: thin layers over collections, crawls and linking.

Collections hold ad text an investigator collected; the pages are for staff with ``osint:use`` only,
and each collection only for its owner, its organisation and its members (404 for anyone else).
Clusters come from results stored by a background job; a page never clusters while it is served.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from heroes.core import jobs
from heroes.core.auth import Principal, Require
from heroes.core.db import DbSession
from heroes.core.errors import HeroesError, NotFoundError
from heroes.core.i18n import gettext as _
from heroes.core.models import Job
from heroes.core.web.templating import render
from heroes.osint.ads import BadInput
from heroes.osint.store import audited_read, check_access, collection_path, list_collections, viewer_of

USE = "osint:use"
router = APIRouter()
api = APIRouter(prefix="/api/osint", tags=["osint"])
Region = Annotated[str, Query(pattern=r"^[A-Za-z]{2}$", description="Country for numbers without a country code.")]


class CrawlRequest(BaseModel):
    seeds: list[str] = Field(..., min_length=1, description="Start URLs.")
    domains: list[str] = Field(..., min_length=1, description="Domains the crawler may fetch.")
    collection: str = Field(..., description="Collection the pages' ads are imported into.")
    max_pages: int = Field(100, ge=1, le=100000)
    depth: int = Field(3, ge=0, le=20)
    delay: float = Field(1.0, ge=0.0, le=60.0, description="Seconds between two requests to one domain.")
    legal_basis: str = Field("", max_length=500, description="Recorded legal basis to override robots.txt.")


def _submit_crawl(request: CrawlRequest, user: Principal) -> str:
    collection_path(request.collection)  # refuse a bad name before the job starts
    for url in request.seeds:
        if not url.startswith(("http://", "https://")):
            raise HeroesError(_("A start URL begins with http:// or https://: %(u)s", u=url))
    viewer = viewer_of(user)
    if collection_path(request.collection).is_file():
        check_access(request.collection, viewer)
    extra = {"actor": user.actor, "organisation_id": viewer.organisation_id, "admin": viewer.admin}
    return jobs.submit("osint.crawl", request.model_dump() | extra, user)


def _crawl_jobs(db: Any, user: Principal) -> list[tuple[jobs.JobView, str]]:
    query = select(Job).where(Job.kind == "osint.crawl").order_by(Job.created_at.desc()).limit(20)
    if not user.can("jobs:all"):
        query = query.where(Job.owner == user.actor)
    return [(jobs.view(j), str(j.params.get("collection", ""))) for j in db.execute(query).scalars()]


def _counts(user: Principal) -> list[tuple[str, int]]:
    out = []
    for name in list_collections(viewer_of(user)):
        with collection_path(name).open(encoding="utf-8") as handle:
            out.append((name, sum(1 for line in handle if line.strip())))
    return out


class Computing(Exception):
    """The collection's results are being computed by a background job."""

    def __init__(self, job: str) -> None:
        self.job = job


def _analysis(name: str, region: str, user: Principal, purpose: str) -> Any:
    """The stored results of a collection the user may see (an audited read), or ``Computing``."""
    from heroes.osint.service import request_analysis, stored_analysis  # pulls in scipy: on first use

    try:
        audited_read(name, viewer_of(user), purpose)
        found = stored_analysis(name, region)
        if found is None:
            job = request_analysis(name, region, user)
            found = stored_analysis(name, region)  # an inline runner has finished already
            if found is None:
                raise Computing(job)
        return found
    except BadInput as exc:
        raise NotFoundError(exc.message) from None


def _computing(request: Request, name: str, job: str) -> Response:
    return render(request, "osint/computing.html", {"name": name, "job": job}, status_code=202)


@router.get("/osint", include_in_schema=False)
def index(request: Request, user: Annotated[Principal, Depends(Require(USE))], db: DbSession) -> Response:
    context = {"collections": _counts(user), "crawls": _crawl_jobs(db, user)}
    return render(request, "osint/index.html", context)


@router.post("/osint/crawls", include_in_schema=False)
def start_crawl(
    request: Request,
    user: Annotated[Principal, Depends(Require(USE))],
    db: DbSession,
    seeds: Annotated[str, Form()],
    domains: Annotated[str, Form()],
    collection: Annotated[str, Form()],
    max_pages: Annotated[int, Form()] = 100,
    legal_basis: Annotated[str, Form()] = "",
) -> Response:
    try:
        crawl = CrawlRequest(
            seeds=seeds.split(),
            domains=domains.split(),
            collection=collection,
            max_pages=max_pages,
            legal_basis=legal_basis,
        )
        _submit_crawl(crawl, user)
    except (HeroesError, ValueError) as exc:
        message = exc.message if isinstance(exc, HeroesError) else _("Check the form: %(e)s", e=str(exc))
        context = {"collections": _counts(user), "crawls": _crawl_jobs(db, user), "error": message}
        return render(request, "osint/index.html", context, status_code=400)
    return RedirectResponse("/osint", status_code=303)


@router.get("/osint/collections/{name}", include_in_schema=False)
def collection_page(
    request: Request, user: Annotated[Principal, Depends(Require(USE))], name: str, q: str = "", region: Region = "US"
) -> Response:
    try:
        analysis = _analysis(name, region, user, "page")
    except Computing as busy:
        return _computing(request, name, busy.job)
    context = {"name": name, "analysis": analysis, "clusters": analysis.clusters(), "q": q, "region": region}
    context["hits"] = analysis.search(q) if q else []
    return render(request, "osint/collection.html", context)


@router.get("/osint/collections/{name}/graph", include_in_schema=False)
def graph_page(
    request: Request, user: Annotated[Principal, Depends(Require(USE))], name: str, region: Region = "US"
) -> Response:
    try:
        analysis = _analysis(name, region, user, "graph")
    except Computing as busy:
        return _computing(request, name, busy.job)
    graph = analysis.graph
    shared = []
    for node, data in sorted(graph.nodes(data=True)):
        if data.get("kind") not in ("ad", "cluster") and graph.degree(node) > 1:
            ads = sorted(n.removeprefix("ad:") for n in graph.neighbors(node))
            shared.append({"kind": data["kind"], "value": data.get("label", ""), "ads": ads})
    context = {
        "name": name,
        "region": region,
        "shared": shared,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
    }
    return render(request, "osint/graph.html", context)


@router.get("/osint/collections/{name}/export", include_in_schema=False)
def export(
    request: Request,
    user: Annotated[Principal, Depends(Require(USE))],
    name: str,
    fmt: Annotated[str, Query(alias="format", pattern="^(graphml|csv|jsonl)$")] = "graphml",
    region: Region = "US",
) -> Response:
    import json
    import tempfile
    from pathlib import Path

    try:
        analysis = _analysis(name, region, user, f"export {fmt}")
    except Computing as busy:
        return _computing(request, name, busy.job)
    if fmt == "jsonl":
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in analysis.clustering.rows())
        media = "application/x-ndjson"
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"graph.{fmt}"
            from heroes.osint.graph import write_graph

            write_graph(analysis.graph, path)
            body = path.read_text(encoding="utf-8")
        media = "text/csv" if fmt == "csv" else "application/xml"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "Cache-Control": "no-store"}
    return Response(body, media_type=media, headers=headers)


@api.get("/collections")
def api_collections(user: Annotated[Principal, Depends(Require(USE))]) -> list[dict[str, Any]]:
    """The collections and how many ads each holds."""
    return [{"name": n, "ads": c} for n, c in _counts(user)]


def _busy(busy: Computing) -> JSONResponse:
    return JSONResponse({"state": "computing", "job": busy.job}, status_code=202)


@api.get("/collections/{name}/clusters", responses={202: {"description": "Being computed: follow the job."}})
def api_clusters(user: Annotated[Principal, Depends(Require(USE))], name: str, region: Region = "US") -> Any:
    """Clusters of more than one ad: members, what they share, cities, indicators, template with slots.
    While the background job computes them: 202 with the job's id (follow it at /api/jobs/{id})."""
    try:
        return _analysis(name, region, user, "api clusters").clusters()
    except Computing as busy:
        return _busy(busy)


@api.get("/collections/{name}/ads", responses={202: {"description": "Being computed: follow the job."}})
def api_ads(user: Annotated[Principal, Depends(Require(USE))], name: str, q: str = "", region: Region = "US") -> Any:
    """Ads whose id, title, location or text hold every word of ``q``, with cluster and indicators."""
    try:
        analysis = _analysis(name, region, user, "api search")
    except Computing as busy:
        return _busy(busy)
    return [
        {"id": ad.id, "title": ad.title, "location": ad.location, "cluster": cluster, "indicators": kinds}
        for ad, cluster, kinds in analysis.search(q)
    ]


@api.post("/crawls", status_code=202)
def api_crawl(user: Annotated[Principal, Depends(Require(USE))], body: CrawlRequest) -> JSONResponse:
    """Start a crawl as a background job; follow it at /api/jobs/{id}."""
    job_id = _submit_crawl(body, user)
    return JSONResponse({"job": job_id}, status_code=202)


router.include_router(api)
