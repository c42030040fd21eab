"""Background scans. The job's work folder keeps ``results.jsonl``, which is also the scan's
checkpoint: a scan started again with ``resume_from`` takes over what an interrupted job had
finished and hashes only the rest."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from heroes.core.db import session_scope
from heroes.core.errors import HeroesError
from heroes.core.fanout import get_fanout
from heroes.core.i18n import gettext as _
from heroes.core.jobs import Progress, job_handler, workdir
from heroes.media import store
from heroes.media.export import write_vics
from heroes.media.matcher import Matcher
from heroes.media.models import MediaScan
from heroes.media.scan import read_results, scan

RESULTS = "results.jsonl"
VICS = "results.vics.json"


def _take_over(previous_job: str, target: Path) -> None:
    """Bring the checkpoint of an interrupted job into this job's folder."""
    old = workdir(previous_job) / RESULTS
    if old.exists() and not target.exists():
        shutil.copyfile(old, target)


@job_handler("media.scan")
def run_scan(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    scan_id = int(params["scan_id"])
    actor = str(params["actor"])
    out = progress.workdir / RESULTS
    if params.get("resume_from"):
        _take_over(str(params["resume_from"]), out)
    with session_scope() as session:
        record = session.get(MediaScan, scan_id)
        if record is None:
            raise HeroesError(_("Scan %(id)s no longer exists.", id=scan_id))
        record.state = "running"
        record.job_id = progress.job_id
        paths = record.source.splitlines()
        lists = store.load_lists(session, record.list_names)
        distance = record.distance
    matcher = Matcher(lists, distance=distance, dihedral=bool(params.get("dihedral")))

    def report(done: int, total: int | None, _path: str) -> None:
        # File paths stay out of the job message: they can name people.
        progress.update(done, total, f"{done} files hashed")

    try:
        # On Ray the files are spread over the cluster; on the local runners the job is already a worker.
        with get_fanout() as fanout:
            summary = scan(paths, out, matcher, resume=True, progress=report, fanout=fanout)
    except OSError as exc:
        raise HeroesError(_("The scan stopped: %(error)s.", error=str(exc.strerror or exc))) from None
    progress.update(summary.files, summary.files, "storing results", force=True)
    write_vics(read_results(out), str(progress.workdir / VICS))
    with session_scope() as session:
        record = session.get(MediaScan, scan_id)
        assert record is not None
        store.save_results(session, record, actor, read_results(out), summary.to_json())
    return {"output": RESULTS, "scan_id": scan_id, **summary.to_json()}
