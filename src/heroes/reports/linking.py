"""Identifiers of a report (phones, e-mails, handles...) stored for linking, and the reports they link.

Part of the reports library (heroes.reports.service re-exports it)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from heroes.core.settings import get_settings
from heroes.reports.models import Report, ReportIdentifier
from heroes.reports.triage import Triage


def _link_key() -> bytes:
    first_key = get_settings().fernet_key.split(",")[0].strip()
    return hashlib.sha256(b"heroes.reports.identifier-link:" + first_key.encode()).digest()


def identifier_digest(kind: str, value: str) -> str:
    """Keyed hash of a normalised identifier: equal values link, the value is not in clear."""
    return hmac.new(_link_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _store_identifiers(report: Report, result: Triage) -> None:
    report.identifiers.clear()
    for ident in result.identifiers:
        report.identifiers.append(
            ReportIdentifier(
                kind=ident.kind,
                digest=identifier_digest(ident.kind, ident.value),
                value=ident.value,
                raw=ident.raw[:300],
                source=ident.source,
                detail=ident.detail[:40],
            )
        )


@dataclass
class Link:
    report_id: int
    category: str
    status: str
    urgency_score: int
    created_at: datetime
    shared: list[tuple[str, str]]  # (kind, value) the two reports have in common


def linked_reports(session: Session, report: Report) -> list[Link]:
    """Other reports that share a phone, e-mail, username, URL, address or plate with this one."""
    mine = {i.digest: (i.kind, i.value) for i in report.identifiers}
    if not mine:
        return []
    rows = session.execute(
        select(ReportIdentifier.report_id, ReportIdentifier.digest)
        .where(
            ReportIdentifier.digest.in_(list(mine)),
            ReportIdentifier.report_id != report.id,
        )
        .order_by(ReportIdentifier.report_id)
    ).all()
    shared: dict[int, list[tuple[str, str]]] = {}
    for other_id, digest in rows:
        pair = mine[digest]
        if pair not in shared.setdefault(other_id, []):
            shared[other_id].append(pair)
    others = session.execute(select(Report).where(Report.id.in_(list(shared)))).scalars()
    links = [Link(o.id, o.category, o.status, o.urgency_score, o.created_at, shared[o.id]) for o in others]
    return sorted(links, key=lambda link: (-len(link.shared), -link.urgency_score, link.report_id))


def link_counts(session: Session, report_ids: Sequence[int]) -> dict[int, int]:
    """How many other reports each of these reports shares an identifier with (one query)."""
    if not report_ids:
        return {}
    mine = aliased(ReportIdentifier)
    other = aliased(ReportIdentifier)
    rows = session.execute(
        select(mine.report_id, func.count(func.distinct(other.report_id)))
        .join(other, and_(other.digest == mine.digest, other.report_id != mine.report_id))
        .where(mine.report_id.in_(list(report_ids)))
        .group_by(mine.report_id)
    ).all()
    return {int(report_id): int(count) for report_id, count in rows}
