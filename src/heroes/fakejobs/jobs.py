"""Background job: score an uploaded batch of ads (staff batch page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from heroes.core.errors import HeroesError
from heroes.core.jobs import Progress, job_handler
from heroes.fakejobs.batch import BatchError, score_file

KIND = "fakejobs.score"
OUTPUT = "scores.jsonl"


@job_handler(KIND)
def score_batch(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """params: {"input": file name in the job's folder}. Writes scores.jsonl beside it."""
    source = progress.workdir / Path(str(params["input"])).name
    progress.update(0, None, "scoring", force=True)
    try:
        summary = score_file(
            source,
            progress.workdir / OUTPUT,
            progress=lambda done, total: progress.update(done, total, f"{done} rows scored"),
        )
    except BatchError as exc:
        raise HeroesError(str(exc)) from exc
    finally:
        source.unlink(missing_ok=True)  # keep the results, not the uploaded ads
    return {
        "output": OUTPUT,
        "rows": summary.rows,
        "scored": summary.scored,
        "levels": summary.levels,
        "errors": [{"line": line, "error": message} for line, message in summary.errors[:100]],
        "error_count": len(summary.errors),
    }
