"""Export of reports for staff (CSV and JSON), each export audited.

Part of the reports library (heroes.reports.service re-exports it)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heroes.core import audit
from heroes.core.auth import Principal
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.reports.casework import ReportDetail, _load, _usernames
from heroes.reports.intake import CONTENT_FIELDS, LIST_FIELDS, READ, REPLAY, _require
from heroes.reports.linking import linked_reports
from heroes.reports.models import Report

CSV_COLUMNS = (
    "id",
    "created_at",
    "status",
    "outcome",
    "category",
    "suggested_category",
    "urgency_score",
    "urgency_level",
    "danger_now",
    "country",
    "language",
    "occurred_at",
    "assigned_to",
    "description",
    "location",
    "when_text",
    "people",
    "ages",
    "how_known",
    "phones",
    "emails",
    "usernames",
    "urls",
    "vehicles",
    "contact",
    "reasons",
    "identifiers",
    "linked_reports",
    "attachments",
)


def report_dict(detail: ReportDetail, include_notes: bool = True) -> dict[str, Any]:
    """A report as plain data (the staff API and the JSON export)."""
    report = detail.report
    data: dict[str, Any] = {
        "id": report.id,
        "created_at": report.created_at.isoformat(),
        "updated_at": report.updated_at.isoformat(),
        "status": report.status,
        "outcome": report.outcome,
        "category": report.category,
        "reporter_category": report.reporter_category,
        "suggested_category": report.suggested_category,
        "urgency_score": report.urgency_score,
        "urgency_level": report.urgency_level,
        "danger_now": report.danger_now,
        "country": report.country,
        "language": report.language,
        "occurred_at": report.occurred_at.isoformat() if report.occurred_at else None,
        "assigned_to": detail.assignee,
        "content": {k: v for k, v in report.content.items() if k != REPLAY},
        "triage": report.triage,
        "identifiers": [
            {
                "kind": i.kind,
                "value": i.value,
                "raw": i.raw,
                "source": i.source,
                "detail": i.detail,
            }
            for i in report.identifiers
        ],
        "linked_reports": [
            {
                "report_id": link.report_id,
                "shared": [{"kind": k, "value": v} for k, v in link.shared],
            }
            for link in detail.links
        ],
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "kind": a.kind,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "added_by": a.added_by,
                "created_at": a.created_at.isoformat(),
            }
            for a in report.attachments
        ],
        "messages": [
            {
                "id": m.id,
                "kind": m.kind,
                "author": m.author,
                "reply_to": m.reply_to,
                "at": m.created_at.isoformat(),
                "body": m.body,
            }
            for m in report.messages
        ],
        "history": [
            {
                "at": h.at.isoformat(),
                "actor": h.actor,
                "from": h.from_status,
                "to": h.to_status,
                "outcome": h.outcome,
            }
            for h in report.history
        ],
    }
    if include_notes:
        data["notes"] = [{"at": n.created_at.isoformat(), "author": n.author, "body": n.body} for n in report.notes]
    return data


def export_reports(session: Session, principal: Principal, report_ids: Sequence[int] | None, fmt: str) -> str:
    """Selected reports (all when None) as JSON or CSV text; each exported report is audited."""
    _require(principal, READ)
    if fmt not in ("json", "csv"):
        raise HeroesError(_("Export format must be json or csv."))
    if report_ids is None:
        report_ids = list(session.execute(select(Report.id).order_by(Report.id)).scalars())
    if not report_ids:
        raise HeroesError(_("Choose at least one report to export."))
    details = []
    for report_id in report_ids:
        report = _load(session, report_id)
        assignee = _usernames(session, {report.assigned_to}).get(report.assigned_to) if report.assigned_to else None
        details.append(ReportDetail(report, linked_reports(session, report), assignee))
        audit.record(
            session,
            principal.actor,
            "reports.export",
            f"report:{report.id}",
            {"format": fmt},
        )
    rows = [report_dict(d) for d in details]
    if fmt == "json":
        return json.dumps(
            {"format": "heroes.reports/1", "reports": rows},
            ensure_ascii=False,
            indent=2,
        )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(_csv_row(row))
    return out.getvalue()


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    content = row["content"]
    flat = {k: row[k] for k in CSV_COLUMNS if k in row and not isinstance(row[k], (list, dict))}
    for name in (*CONTENT_FIELDS, "contact"):
        flat[name] = _csv_safe(content.get(name) or "")
    for name in LIST_FIELDS:
        flat[name] = _csv_safe("; ".join(content.get(name) or []))
    flat["reasons"] = "; ".join(f"{r['code']} (+{r['points']})" for r in row["triage"]["urgency"]["reasons"])
    flat["identifiers"] = _csv_safe("; ".join(f"{i['kind']}:{i['value']}" for i in row["identifiers"]))
    flat["linked_reports"] = " ".join(str(link["report_id"]) for link in row["linked_reports"])
    flat["attachments"] = " ".join(f"{a['id']}:{a['sha256'][:12]}" for a in row["attachments"])
    return flat


def _csv_safe(value: str) -> str:
    """A reporter's text must not run as a formula when the CSV is opened in a spreadsheet."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
