"""A person's whole record (subject access), JSON export and import of cases, and the retention run.

Retention: closed cases untouched for longer than the deployment's period (HEROES_CASES_RETENTION_DAYS,
default 1825 days) are anonymised (identity, notes, interviews and free text removed; counts kept for
statistics) or deleted outright.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from heroes.core import audit
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.models import Organisation

from .access import Viewer, relation_to
from .engine import load_case
from .models import (
    Case,
    CaseConsent,
    CaseEvent,
    CaseIdentity,
    CaseInterview,
    CaseNote,
    CasePlanItem,
    CaseReferral,
)
from .records import attachment_dir

FORMAT = "heroes-cases/1"
DEFAULT_RETENTION_DAYS = 1825


def retention_days() -> int:
    value = os.environ.get("HEROES_CASES_RETENTION_DAYS", str(DEFAULT_RETENTION_DAYS))
    try:
        days = int(value)
    except ValueError as exc:
        raise HeroesError("HEROES_CASES_RETENTION_DAYS must be a whole number of days.") from exc
    if days < 30:
        raise HeroesError("The retention period must be at least 30 days.")
    return days


def _org_name(session: Session, organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    organisation = session.get(Organisation, organisation_id)
    return organisation.name if organisation else None


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def full_record(session: Session, case: Case) -> dict[str, Any]:
    """Everything held about the person in one case (no access check: callers check)."""

    def rows(model: Any) -> list[Any]:
        return list(session.execute(select(model).where(model.case_id == case.id).order_by(model.id)).scalars())

    identity = session.get(CaseIdentity, case.id)
    return {
        "case": {
            "id": case.id,
            "organisation": _org_name(session, case.organisation_id),
            "pseudonym": case.pseudonym,
            "child": case.child,
            "country": case.country,
            "languages": case.languages,
            "exploitation": case.exploitation,
            "risk": case.risk,
            "status": case.status,
            "summary": case.summary,
            "screening": case.screening,
            "links": case.links,
            "created_by": case.created_by,
            "created_at": _iso(case.created_at),
            "updated_at": _iso(case.updated_at),
            "anonymised": case.anonymised,
        },
        "identity": identity.data if identity else None,
        "events": [
            {"at": _iso(e.at), "actor": e.actor, "kind": e.kind, "old": e.old, "new": e.new, "reason": e.reason}
            for e in rows(CaseEvent)
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "organisation": _org_name(session, c.organisation_id),
                "given_by": c.given_by,
                "given_by_detail": c.given_by_detail,
                "method": c.method,
                "given_at": _iso(c.given_at),
                "recorded_by": c.recorded_by,
                "fields": c.fields,
                "withdrawn_at": _iso(c.withdrawn_at),
                "withdrawn_by": c.withdrawn_by,
            }
            for c in rows(CaseConsent)
        ],
        "referrals": [
            {
                "from": _org_name(session, r.from_organisation_id),
                "to": _org_name(session, r.to_organisation_id),
                "fields": r.fields,
                "needs": r.needs,
                "message": r.message,
                "state": r.state,
                "response_reason": r.response_reason,
                "deadline": _iso(r.deadline),
                "created_by": r.created_by,
                "created_at": _iso(r.created_at),
            }
            for r in rows(CaseReferral)
        ],
        "interviews": [
            {
                "state": i.state,
                "at": _iso(i.at),
                "organisation": _org_name(session, i.organisation_id),
                "interviewer": i.interviewer,
                "interpreter": i.interpreter,
                "observers": i.observers,
                "summary": i.summary,
                "transcript": i.transcript,
                "recording_sha256": i.attachment_sha256,
                "created_by": i.created_by,
            }
            for i in rows(CaseInterview)
        ],
        "plan": [
            {
                "kind": p.kind,
                "need": p.need,
                "text": p.text,
                "owner": _org_name(session, p.owner_organisation_id),
                "due": _iso(p.due),
                "done": p.done,
                "created_by": p.created_by,
            }
            for p in rows(CasePlanItem)
        ],
        "notes": [
            {
                "category": n.category,
                "text": n.text,
                "author": n.author,
                "organisation": _org_name(session, n.organisation_id),
                "at": _iso(n.at),
            }
            for n in rows(CaseNote)
        ],
    }


def subject_access(session: Session, case_id: int, viewer: Viewer) -> dict[str, Any]:
    """One person's whole record, for a subject access request; only the owning organisation answers it."""
    case = load_case(session, case_id)
    if relation_to(session, case, viewer).kind != "owner":
        raise HeroesError(_("Only the organisation that holds the case answers a subject access request."), 403)
    audit.record(session, viewer.actor, "cases.subject_access", f"case:{case.id}", {"reason": "subject_access"})
    return {"format": FORMAT, "exported_at": utcnow().isoformat(), "cases": [full_record(session, case)]}


def export_cases(session: Session, actor: str, case_ids: list[int] | None = None) -> dict[str, Any]:
    query = select(Case).order_by(Case.id)
    if case_ids:
        query = query.where(Case.id.in_(case_ids))
    cases = list(session.execute(query).scalars())
    audit.record(session, actor, "cases.export", None, {"count": len(cases)})
    return {"format": FORMAT, "exported_at": utcnow().isoformat(), "cases": [full_record(session, c) for c in cases]}


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def import_cases(session: Session, document: dict[str, Any], actor: str) -> list[int]:
    """Create the cases of an export (new ids); organisations are matched by name and must exist."""
    if (
        not isinstance(document, dict)
        or document.get("format") != FORMAT
        or not isinstance(document.get("cases"), list)
    ):
        raise HeroesError(f"Not a case export: expected a JSON object with format {FORMAT!r} and a list of cases.")
    names = {o.name: o.id for o in session.execute(select(Organisation)).scalars()}

    def org(name: Any) -> int | None:
        if name is None:
            return None
        if name not in names:
            raise HeroesError(f"Unknown organisation {name!r}: create it first (heroes orgs add).")
        return names[name]

    created = []
    for index, record in enumerate(document["cases"], start=1):
        try:
            data = record["case"]
            owner = org(data["organisation"])
            assert owner is not None
            case = Case(
                organisation_id=owner,
                pseudonym=str(data["pseudonym"])[:80],
                child=bool(data["child"]),
                country=str(data.get("country") or ""),
                languages=list(data.get("languages") or []),
                exploitation=list(data.get("exploitation") or []),
                risk=data["risk"],
                status=data["status"],
                summary=data.get("summary") or "",
                screening=data.get("screening"),
                links=list(data.get("links") or []),
                created_by=data.get("created_by") or actor,
                anonymised=bool(data.get("anonymised")),
            )
            session.add(case)
            session.flush()
            if record.get("identity"):
                session.add(CaseIdentity(case_id=case.id, data=record["identity"]))
            for e in record.get("events", []):
                session.add(
                    CaseEvent(
                        case_id=case.id,
                        at=_datetime(e["at"]),
                        actor=e["actor"],
                        kind=e["kind"],
                        old=e["old"],
                        new=e["new"],
                        reason=e.get("reason") or "",
                    )
                )
            for c in record.get("consents", []):
                session.add(
                    CaseConsent(
                        case_id=case.id,
                        purpose=c["purpose"],
                        organisation_id=org(c.get("organisation")),
                        given_by=c["given_by"],
                        given_by_detail=c.get("given_by_detail") or "",
                        method=c["method"],
                        given_at=_datetime(c["given_at"]),
                        recorded_by=c["recorded_by"],
                        fields=c.get("fields"),
                        withdrawn_at=_datetime(c.get("withdrawn_at")),
                        withdrawn_by=c.get("withdrawn_by"),
                    )
                )
            for p in record.get("plan", []):
                session.add(
                    CasePlanItem(
                        case_id=case.id,
                        kind=p["kind"],
                        need=p["need"],
                        text=p.get("text") or "",
                        owner_organisation_id=org(p.get("owner")),
                        due=_date(p.get("due")),
                        done=bool(p.get("done")),
                        created_by=p.get("created_by") or actor,
                    )
                )
            for n in record.get("notes", []):
                session.add(
                    CaseNote(
                        case_id=case.id,
                        category=n["category"],
                        text=n["text"],
                        author=n["author"],
                        organisation_id=org(n["organisation"]) or owner,
                        at=_datetime(n["at"]),
                    )
                )
            for i in record.get("interviews", []):
                session.add(
                    CaseInterview(
                        case_id=case.id,
                        state=i["state"],
                        at=_datetime(i["at"]),
                        organisation_id=org(i["organisation"]) or owner,
                        interviewer=i["interviewer"],
                        interpreter=i.get("interpreter") or "",
                        observers=i.get("observers") or [],
                        summary=i.get("summary") or "",
                        transcript=i.get("transcript") or "",
                        created_by=i.get("created_by") or actor,
                    )
                )
            # Referrals are not re-created: they were answers between organisations at the time; the
            # receiving side refers again under the consent that applies now.
            session.flush()
        except (KeyError, TypeError, ValueError, AssertionError) as exc:
            raise HeroesError(
                f"Case {index} of the file is incomplete or invalid ({exc}); nothing was imported."
            ) from exc
        created.append(case.id)
    audit.record(session, actor, "cases.import", None, {"count": len(created)})
    return created


@dataclass(frozen=True)
class RetentionResult:
    due: list[int]
    mode: str
    applied: bool


def retention_run(
    session: Session, actor: str, days: int | None = None, mode: str = "anonymise", dry_run: bool = False
) -> RetentionResult:
    if mode not in ("anonymise", "delete"):
        raise HeroesError("The retention mode is anonymise or delete.")
    days = retention_days() if days is None else days
    if days < 30:
        raise HeroesError("The retention period must be at least 30 days.")
    cutoff = utcnow() - timedelta(days=days)
    due = list(
        session.execute(
            select(Case.id)
            .where(Case.status == "closed", Case.updated_at < cutoff, Case.anonymised.is_(False))
            .order_by(Case.id)
        ).scalars()
    )
    if not dry_run:
        for case_id in due:
            _remove_files(session, case_id)
            if mode == "delete":
                session.execute(delete(Case).where(Case.id == case_id))
            else:
                anonymise(session, case_id)
    audit.record(
        session, actor, "cases.retention", None, {"mode": mode, "days": days, "count": len(due), "dry_run": dry_run}
    )
    return RetentionResult(due, mode, not dry_run)


def _remove_files(session: Session, case_id: int) -> None:
    names = session.execute(select(CaseInterview.attachment).where(CaseInterview.case_id == case_id)).scalars()
    for name in names:
        if name:
            (attachment_dir() / name).unlink(missing_ok=True)


def anonymise(session: Session, case_id: int) -> None:
    """Keep what statistics need (age group, country, forms, risk, status); drop everything personal."""
    case = load_case(session, case_id)
    for model in (CaseIdentity, CaseNote, CaseInterview):
        session.execute(delete(model).where(model.case_id == case_id))
    for event in session.execute(select(CaseEvent).where(CaseEvent.case_id == case_id)).scalars():
        event.reason = ""
    for consent in session.execute(select(CaseConsent).where(CaseConsent.case_id == case_id)).scalars():
        consent.given_by_detail = ""
    for referral in session.execute(select(CaseReferral).where(CaseReferral.case_id == case_id)).scalars():
        referral.message = ""
        referral.response_reason = ""
    for item in session.execute(select(CasePlanItem).where(CasePlanItem.case_id == case_id)).scalars():
        item.text = ""
    case.pseudonym = f"anonymised-{case.id}"
    case.summary = ""
    case.languages = []
    case.screening = None
    case.links = []
    case.anonymised = True
