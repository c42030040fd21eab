"""Ingest as a background job: progress per stored batch; a rerun resumes where it stopped."""

from __future__ import annotations

from typing import Any

from heroes.core.jobs import Progress, job_handler
from heroes.fca import engine


@job_handler("fca.ingest")
def run_ingest(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    results = []
    for path in params["sources"]:

        def report(done: int, current: str, path: str = path) -> None:
            progress.update(done, None, f"{path}: {done} items")

        results.append(
            engine.ingest(
                path,
                params["case"],
                actor=str(params["actor"]),
                region=params.get("region"),
                ocr=bool(params.get("ocr")),
                workers=int(params.get("workers", 1)),
                progress=report,
                job_id=progress.job_id,
                semantic=bool(params.get("vectors", True)),
            )
        )
    total = sum(r["items"] for r in results)
    progress.update(total, total, "done", force=True)
    return {"sources": results, "items": total}
