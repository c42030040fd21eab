"""Background crawls: fetch into a WARC in the job's folder, record its hash and custody, then import
the pages' ads into the collection named."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from heroes.core.db import session_scope
from heroes.core.evidence import hash_file, record_custody
from heroes.core.jobs import Progress, job_handler
from heroes.osint.crawl import CrawlConfig, Crawler
from heroes.osint.store import Viewer, import_files

CAPTURE = "capture.warc.gz"
# Where a job run inline by a command also shows its progress (the CLI's import): a context variable,
# so only the thread that set it echoes.
_ECHO: ContextVar[Callable[[str, int, int], None] | None] = ContextVar("osint_echo", default=None)


@contextlib.contextmanager
def echo_progress(show: Callable[[str, int, int], None]) -> Iterator[None]:
    token = _ECHO.set(show)
    try:
        yield
    finally:
        _ECHO.reset(token)


@job_handler("osint.crawl")
def run_crawl(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    config = CrawlConfig(
        seeds=list(params["seeds"]),
        domains=list(params["domains"]),
        max_pages=int(params.get("max_pages", 100)),
        depth=int(params.get("depth", 3)),
        delay=float(params.get("delay", 1.0)),
        legal_basis=str(params.get("legal_basis", "")),
    )
    out = progress.workdir / CAPTURE

    def report(done: int, total: int) -> None:
        progress.update(done, total, f"{done} pages fetched")

    result = Crawler(config).run(out, report)
    hashes = hash_file(out)
    with session_scope() as session:
        record_custody(
            session,
            str(params["actor"]),
            "osint.capture",
            f"{progress.job_id}/{CAPTURE}",
            after=hashes,
            details={"seeds": config.seeds, "domains": config.domains, "legal_basis": config.legal_basis},
        )
    viewer = Viewer(str(params["actor"]), params.get("organisation_id"), bool(params.get("admin", False)))
    summary = import_files([out], str(params["collection"]), viewer)
    if summary.added:  # the collection changed: its stored clusters are recomputed in the background
        from heroes.osint.service import request_analysis

        request_analysis(summary.collection, "US", str(params["actor"]))
    progress.update(len(result.fetched), len(result.fetched), f"{len(result.fetched)} pages fetched", force=True)
    return {
        "pages": len(result.fetched),
        "failed": result.failed,
        "refused_by_robots": result.refused_by_robots,
        "sha256": hashes.sha256,
        "collection": summary.collection,
        "ads_added": summary.added,
    }


@job_handler("osint.analyse")
def run_analyse(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Cluster a collection and store the results the pages read."""
    from heroes.osint.service import store_analysis

    echo = _ECHO.get()

    def report(stage: str, done: int, total: int) -> None:
        progress.update(done, total, f"{stage}: {done}/{total}")
        if echo is not None:
            echo(stage, done, total)

    analysis = store_analysis(str(params["collection"]), str(params.get("region", "US")), progress=report)
    clusters = sum(1 for members in analysis.clustering.members.values() if len(members) > 1)
    return {"collection": analysis.name, "ads": len(analysis.ads), "clusters": clusters}
