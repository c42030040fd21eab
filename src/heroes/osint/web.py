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
from heroes.core.db import ReadDbSession
from heroes.core.errors import HeroesError, NotFoundError
from heroes.core.i18n import gettext as _
from heroes.core.models import Job
from heroes.core.web.templating import render
from heroes.osint.ads import BadInput
from heroes.osint.store import (
    Access,
    audited_read,
    change_access,
    check_access,
    collection_access,
    collection_path,
    list_collections,
    viewer_of,
)

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
def index(request: Request, user: Annotated[Principal, Depends(Require(USE))], db: ReadDbSession) -> Response:
    context = {"collections": _counts(user), "crawls": _crawl_jobs(db, user)}
    return render(request, "osint/index.html", context)


@router.post("/osint/crawls", include_in_schema=False)
def start_crawl(
    request: Request,
    user: Annotated[Principal, Depends(Require(USE))],
    db: ReadDbSession,
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


# --- who sees a collection: the sharing page and its API -------------------------------------


class AccessView(BaseModel):
    """Who sees a collection besides administrators."""

    name: str
    owner: str = Field(..., description="The account that created it; empty when it has no rules (admins only).")
    organisation_id: int | None = Field(None, description="The organisation whose accounts see it.")
    organisation: str | None = Field(None, description="That organisation's name.")
    members: list[str] = Field(default_factory=list, description="Accounts added by name.")
    can_change: bool = Field(False, description="Whether the caller may change this (owner or administrator).")


class MemberRequest(BaseModel):
    username: str = Field(..., min_length=1, max_length=80, description="An account that may use the OSINT tool.")


class OrganisationRequest(BaseModel):
    organisation_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="The organisation to share with; empty: the caller's own."
    )


def _view(name: str, access: Access, viewer: Any) -> AccessView:
    return AccessView(
        name=name,
        owner=access.owner,
        organisation_id=access.organisation_id,
        organisation=access.organisation_name,
        members=access.members,
        can_change=access.can_change(viewer),
    )


def _access(name: str, user: Principal) -> AccessView:
    viewer = viewer_of(user)
    try:
        return _view(name, collection_access(name, viewer), viewer)
    except BadInput as exc:
        raise NotFoundError(exc.message) from None


def _change(name: str, user: Principal, action: str, username: str = "", organisation: int | None = None) -> AccessView:
    """One change of who sees a collection (audited in its transaction); a hidden collection is a 404."""
    viewer = viewer_of(user)
    try:
        check_access(name, viewer)
    except BadInput as exc:
        raise NotFoundError(exc.message) from None
    if action == "add":
        access = change_access(name, viewer, add=[username])
    elif action == "remove":
        access = change_access(name, viewer, remove=[username])
    elif action == "organisation":
        target = organisation if organisation is not None else viewer.organisation_id
        if target is None:
            raise HeroesError(_("Your account belongs to no organisation: name one."))
        access = change_access(name, viewer, organisation=target, set_organisation=True)
    else:
        access = change_access(name, viewer, organisation=None, set_organisation=True)
    return _view(name, access, viewer)


def _sharing_page(
    request: Request,
    name: str,
    user: Principal,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
    notice_for: tuple[str, str] | None = None,
) -> Response:
    view = _access(name, user)
    viewer = viewer_of(user)
    if notice is not None and notice_for is not None:  # the notice names what the rules now say, no other text
        done, who = notice_for
        true = {
            "add": who in view.members,
            "remove": bool(who) and who not in view.members,
            "organisation": view.organisation_id is not None,
            "no-organisation": view.organisation_id is None,
        }
        notice = notice if true.get(done) else None
    context = {
        "name": name,
        "access": view,
        "notice": notice,
        "error": error,
        "own_organisation": viewer.organisation_id,
    }
    return render(request, "osint/sharing.html", context, status_code=status)


NOTICES = {
    "add": lambda u: _("%(u)s can now see this collection.", u=u),
    "remove": lambda u: _("%(u)s can no longer see this collection.", u=u),
    "organisation": lambda u: _("The organisation's accounts can now see this collection."),
    "no-organisation": lambda u: _("The organisation's accounts can no longer see this collection."),
}


@router.get("/osint/collections/{name}/sharing", include_in_schema=False)
def sharing_page(
    request: Request, user: Annotated[Principal, Depends(Require(USE))], name: str, done: str = "", who: str = ""
) -> Response:
    notice = NOTICES[done](who) if done in NOTICES else None
    return _sharing_page(request, name, user, notice=notice, notice_for=(done, who))


@router.post("/osint/collections/{name}/sharing", include_in_schema=False)
def sharing_change(
    request: Request,
    user: Annotated[Principal, Depends(Require(USE))],
    name: str,
    action: Annotated[str, Form(pattern="^(add|remove|organisation|no-organisation)$")],
    username: Annotated[str, Form(max_length=80)] = "",
    confirmed: Annotated[str, Form()] = "",
) -> Response:
    """Every change is shown for confirmation first; only the confirmed form changes anything."""
    username = username.strip()
    view = _access(name, user)  # 404 for a hidden collection, before anything else
    if not view.can_change:
        return _sharing_page(
            request, name, user, error=_("Only the owner of %(n)s or an administrator can change who sees it.", n=name),
            status=403,
        )  # fmt: skip
    if action in ("add", "remove") and not username:
        return _sharing_page(request, name, user, error=_("Give a user name."), status=400)
    if confirmed != "yes":
        context = {"name": name, "action": action, "username": username, "access": view}
        return render(request, "osint/sharing_confirm.html", context)
    try:
        _change(name, user, action, username)
    except HeroesError as exc:
        return _sharing_page(request, name, user, error=exc.message, status=exc.status_code)
    from urllib.parse import urlencode

    query = urlencode({"done": action, "who": username})
    return RedirectResponse(f"/osint/collections/{name}/sharing?{query}", status_code=303)


@api.get("/collections/{name}/access")
def api_access(user: Annotated[Principal, Depends(Require(USE))], name: str) -> AccessView:
    """Who sees the collection (an audited read). 404 for a collection the caller may not see."""
    return _access(name, user)


@api.post("/collections/{name}/members")
def api_add_member(user: Annotated[Principal, Depends(Require(USE))], name: str, body: MemberRequest) -> AccessView:
    """Let an account see the collection (owner or administrator; audited)."""
    return _change(name, user, "add", body.username.strip())


@api.delete("/collections/{name}/members/{username}")
def api_remove_member(user: Annotated[Principal, Depends(Require(USE))], name: str, username: str) -> AccessView:
    """Stop an account seeing the collection (owner or administrator; audited)."""
    return _change(name, user, "remove", username)


@api.put("/collections/{name}/organisation")
def api_share_organisation(
    user: Annotated[Principal, Depends(Require(USE))], name: str, body: OrganisationRequest
) -> AccessView:
    """Let an organisation's accounts see the collection (by default the caller's own; audited)."""
    return _change(name, user, "organisation", organisation=body.organisation_id)


@api.delete("/collections/{name}/organisation")
def api_unshare_organisation(user: Annotated[Principal, Depends(Require(USE))], name: str) -> AccessView:
    """Stop the organisation's accounts seeing the collection (owner or administrator; audited)."""
    return _change(name, user, "no-organisation")


router.include_router(api)
