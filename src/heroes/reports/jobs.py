"""Background work of the reports tool: re-triage of the stored reports after a model or rule update."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from heroes.core import audit
from heroes.core.db import session_scope
from heroes.core.jobs import Progress, job_handler
from heroes.reports.models import Report

BATCH = 64


def current_version() -> str:
    """What triaged a report: the model's version (or "phrases" without one)."""
    from heroes.reports import model

    saved = model.shipped()
    return saved.version if saved else "phrases"


def retriage_all(actor: str, include_closed: bool = False, progress: Progress | None = None) -> dict[str, Any]:
    """Triage every stored report again with the current model and rules; one audit entry per
    changed report (ids and levels only) and one for the whole run."""
    from heroes.reports import service
    from heroes.reports.triage import triage_many

    version = current_version()
    with session_scope() as session:
        query = select(Report.id).order_by(Report.id)
        if not include_closed:
            query = query.where(Report.status != "closed")
        ids = [int(i) for i in session.execute(query).scalars()]
    changes: Counter[str] = Counter()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with session_scope() as session:
            reports = list(session.execute(select(Report).where(Report.id.in_(chunk)).order_by(Report.id)).scalars())
            results = triage_many([service.report_input_of(r) for r in reports])
            for report, result in zip(reports, results, strict=True):
                before = (report.suggested_category, report.urgency_level)
                service.apply_retriage(report, result)
                after = (report.suggested_category, report.urgency_level)
                if before != after:
                    changes["category" if before[0] != after[0] else "level"] += 1
                    audit.record(
                        session,
                        actor,
                        "reports.retriage",
                        f"report:{report.id}",
                        {"model": version, "from": list(before), "to": list(after)},
                    )
        if progress:
            progress.update(done=min(len(ids), start + BATCH), total=len(ids), message="re-triage")
    summary = {"reports": len(ids), "changed": sum(changes.values()), "model": version, **dict(changes)}
    with session_scope() as session:
        audit.record(session, actor, "reports.retriage_run", None, summary)
    return summary


@job_handler("reports.retriage")
def retriage_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    return retriage_all(str(params["actor"]), bool(params.get("include_closed")), progress)
