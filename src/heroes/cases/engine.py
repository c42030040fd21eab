"""The case library: open and edit cases, consent, referrals and overrides, with every access checked
against the field table and consent at that moment, and every read or write audited with its reason.

Audit entries carry ids, field names, the relation and the reason of access; never names or free text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from heroes.core import audit
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError, NotFoundError
from heroes.core.i18n import gettext as _
from heroes.core.models import Organisation, User

from .access import (
    FIELDS,
    SHAREABLE,
    AccessDenied,
    Relation,
    Viewer,
    field_access,
    relation_to,
    visible_fields,
)
from .models import (
    CONSENT_GIVERS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
    EXPLOITATION_FORMS,
    LINK_KINDS,
    NEEDS,
    OVERRIDE_GROUNDS,
    RISK_LEVELS,
    STATUSES,
    AccessOverride,
    Case,
    CaseConsent,
    CaseEvent,
    CaseIdentity,
    CaseReferral,
    DuplicateDecision,
)

REASONS = ("casework", "referral", "interview", "supervision", "safeguarding", "legal_duty", "subject_access")
OVERRIDE_HOURS = 1
MAX_TEXT = 5000


class StaleEdit(HeroesError):
    def __init__(self, yours: int, current: int) -> None:
        super().__init__(
            _(
                "This case was changed by someone else after you opened it (you edited version %(yours)s, "
                "it is now at version %(current)s). Nothing was saved: reload the case and make your change again.",
                yours=yours,
                current=current,
            ),
            status_code=409,
        )


def _check_reason(reason: str) -> str:
    if reason not in REASONS:
        raise HeroesError(_("Give the reason of access, one of: %(reasons)s.", reasons=", ".join(REASONS)))
    return reason


def _text(value: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise HeroesError(_("A text may have at most %(n)s characters.", n=limit))
    return value


def _choices(values: Iterable[str], allowed: tuple[str, ...], what: str) -> list[str]:
    found = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        if value not in allowed:
            raise HeroesError(
                _(
                    "Unknown %(what)s %(value)r; choose from: %(allowed)s.",
                    what=what,
                    value=value,
                    allowed=", ".join(allowed),
                )
            )
        if value not in found:
            found.append(value)
    return found


def _languages(values: Iterable[str]) -> list[str]:
    found = []
    for value in values:
        code = value.strip().lower()
        if not code:
            continue
        if not (2 <= len(code) <= 8 and code.replace("-", "").isalpha()):
            raise HeroesError(_("A language is a code such as en, es, ro or uk: %(value)r.", value=value))
        if code not in found:
            found.append(code)
    return found


def _audit(session: Session, viewer: Viewer, action: str, case_id: int, **details: Any) -> None:
    audit.record(session, viewer.actor, f"cases.{action}", f"case:{case_id}", details)


def load_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError(_("No case with the number %(id)s.", id=case_id))
    return case


def authorise(session: Session, case: Case, viewer: Viewer, field: str, mode: str, reason: str) -> Relation:
    """Check one field for reading or writing now; a refusal is audited before it is raised."""
    relation = relation_to(session, case, viewer)
    access = field_access(viewer, relation, field)
    if access == "write" or (access == "read" and mode == "read"):
        return relation
    _audit(session, viewer, "denied", case.id, field=field, mode=mode, reason=reason, relation=relation.kind)
    if relation.kind == "none":
        raise AccessDenied(
            _(
                "Your organisation has no accepted referral, consent or override for this case. If someone is in "
                "danger or the law requires it, request an override with your reason."
            )
        )
    raise AccessDenied(_("Your role does not allow this part of the case (%(field)s).", field=field))


# --- opening, listing and reading -------------------------------------------------------------


def open_case(
    session: Session,
    viewer: Viewer,
    *,
    pseudonym: str,
    child: bool,
    country: str = "",
    languages: Iterable[str] = (),
    exploitation: Iterable[str] = (),
    risk: str = "medium",
    summary: str = "",
    identity: Mapping[str, Any] | None = None,
    screening: Mapping[str, Any] | None = None,
) -> Case:
    pseudonym = _text(pseudonym, 80)
    if not pseudonym:
        raise HeroesError(_("Give the person a pseudonym (not their real name)."))
    if risk not in RISK_LEVELS:
        raise HeroesError(_("Unknown risk level; choose from: %(allowed)s.", allowed=", ".join(RISK_LEVELS)))
    country = country.strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise HeroesError(_("The country is a two-letter ISO code, such as ES or GB."))
    case = Case(
        organisation_id=viewer.organisation_id,
        pseudonym=pseudonym,
        child=child,
        country=country,
        languages=_languages(languages),
        exploitation=_choices(exploitation, EXPLOITATION_FORMS, _("form of exploitation")),
        risk=risk,
        status="open",
        summary=_text(summary),
        screening=dict(screening) if screening else None,
        created_by=viewer.actor,
    )
    session.add(case)
    session.flush()
    session.add(CaseEvent(case_id=case.id, actor=viewer.actor, kind="risk", old="", new=risk))
    session.add(CaseEvent(case_id=case.id, actor=viewer.actor, kind="status", old="", new="open"))
    if identity:
        session.add(CaseIdentity(case_id=case.id, data=clean_identity(identity)))
    _audit(session, viewer, "create", case.id, reason="casework", identity=bool(identity), screening=bool(screening))
    return case


def clean_identity(data: Mapping[str, Any]) -> dict[str, Any]:
    dob = str(data.get("date_of_birth") or "").strip()
    if dob:
        try:
            date.fromisoformat(dob)
        except ValueError as exc:
            raise HeroesError(_("The date of birth is a date such as 2009-04-30.")) from exc
    identifiers = data.get("identifiers") or []
    if isinstance(identifiers, str):
        identifiers = identifiers.replace(",", "\n").splitlines()
    return {
        "legal_name": _text(str(data.get("legal_name") or ""), 200),
        "other_names": _text(str(data.get("other_names") or ""), 400),
        "date_of_birth": dob,
        "nationality": _text(str(data.get("nationality") or ""), 80),
        "identifiers": [_text(str(i), 100) for i in identifiers if str(i).strip()],
    }


def reachable_case_ids(session: Session, viewer: Viewer) -> list[int]:
    """Cases of the viewer's organisation and candidates reached by referral, consent or override."""
    own = select(Case.id).where(Case.organisation_id == viewer.organisation_id)
    referred = select(CaseReferral.case_id).where(
        CaseReferral.to_organisation_id == viewer.organisation_id, CaseReferral.state == "accepted"
    )
    purposes = ["share_org"] + (["share_police"] if viewer.organisation_kind == "police" else [])
    consented = select(CaseConsent.case_id).where(
        CaseConsent.withdrawn_at.is_(None),
        CaseConsent.purpose.in_(purposes),
        or_(CaseConsent.organisation_id == viewer.organisation_id, CaseConsent.purpose == "share_police"),
    )
    overridden = select(AccessOverride.case_id).where(
        AccessOverride.user_id == viewer.user_id, AccessOverride.expires_at > utcnow()
    )
    ids: set[int] = set()
    for query in (own, referred, consented, overridden):
        ids.update(session.execute(query).scalars())
    return sorted(ids, reverse=True)


def list_cases(session: Session, viewer: Viewer, reason: str = "casework", limit: int = 500) -> list[dict[str, Any]]:
    """One line per case the viewer may open now, with the fields the table lets them see."""
    _check_reason(reason)
    rows = []
    for case_id in reachable_case_ids(session, viewer)[:limit]:
        case = load_case(session, case_id)
        relation = relation_to(session, case, viewer)
        fields = visible_fields(viewer, relation)
        if "pseudonym" not in fields:
            continue
        rows.append(
            {
                "id": case.id,
                "relation": relation.kind,
                "pseudonym": case.pseudonym,
                "child": case.child if "child" in fields else None,
                "risk": case.risk if "risk" in fields else None,
                "status": case.status if "status" in fields else None,
                "organisation_id": case.organisation_id,
                "updated_at": case.updated_at.isoformat(),
            }
        )
    audit.record(
        session,
        viewer.actor,
        "cases.list",
        f"organisation:{viewer.organisation_id}",
        {"reason": reason, "count": len(rows)},
    )
    return rows


def case_view(session: Session, case_id: int, viewer: Viewer, reason: str = "casework") -> dict[str, Any]:
    """The case as this viewer may see it now: only the permitted fields are present at all."""
    from . import records

    _check_reason(reason)
    case = load_case(session, case_id)
    authorise(session, case, viewer, "pseudonym", "read", reason)
    relation = relation_to(session, case, viewer)
    fields = visible_fields(viewer, relation)
    organisation = session.get(Organisation, case.organisation_id)
    view: dict[str, Any] = {
        "id": case.id,
        "version": case.version,
        "organisation": {"id": case.organisation_id, "name": organisation.name if organisation else ""},
        "relation": relation.kind,
        "override": relation.override,
        "access": fields,
        "anonymised": case.anonymised,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
    }
    simple = ("pseudonym", "child", "country", "languages", "exploitation", "risk", "status", "summary", "links")
    for name in simple:
        if name in fields:
            view[name] = getattr(case, name)
    if "status" in fields:
        view["screening"] = case.screening
    if "coordinator" in fields:
        coordinator = session.get(User, case.coordinator_id) if case.coordinator_id else None
        view["coordinator"] = coordinator.username if coordinator else None
    if "identity" in fields:
        identity = session.get(CaseIdentity, case.id)
        view["identity"] = identity.data if identity else None
    if "consent" in fields:
        view["consents"] = [consent_dict(session, c) for c in consents_of(session, case.id)]
    if "referrals" in fields:
        view["referrals"] = [referral_dict(session, r) for r in referrals_of(session, case.id)]
    if "interviews" in fields:
        view["interviews"] = records.interview_list(session, case.id)
        view["interview_tally"] = records.interview_tally(session, case.id)
    if "plan" in fields:
        view["plan"] = records.plan_list(session, case.id)
    categories = [f.removeprefix("note_") for f in fields if f.startswith("note_")]
    view["notes"] = records.note_list(session, case.id, categories)
    if "history" in fields:
        view["history"] = history(session, case.id)
    if "identity" in fields:
        view["linked_cases"] = sorted(
            session.execute(
                select(DuplicateDecision.other_case_id).where(
                    DuplicateDecision.case_id == case.id, DuplicateDecision.decision == "same_person"
                )
            ).scalars()
        )
    _audit(
        session,
        viewer,
        "read",
        case.id,
        reason=reason,
        relation=relation.kind,
        basis=list(relation.basis),
        fields=sorted(fields),
        review=relation.override,
    )
    return view


# --- editing with the optimistic lock -------------------------------------------------------------

EDITABLE = (
    "pseudonym",
    "child",
    "country",
    "languages",
    "exploitation",
    "risk",
    "status",
    "summary",
    "coordinator",
    "links",
)


def update_case(
    session: Session,
    case_id: int,
    viewer: Viewer,
    version: int,
    changes: Mapping[str, Any],
    change_reason: str = "",
    reason: str = "casework",
) -> Case:
    """Apply changes made to `version`; refused with StaleEdit when the case has moved on since."""
    _check_reason(reason)
    case = load_case(session, case_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise HeroesError(_("These fields cannot be edited here: %(f)s.", f=", ".join(sorted(unknown))))
    for name in changes:
        authorise(session, case, viewer, name, "write", reason)
    if case.version != version:
        _audit(session, viewer, "stale_edit", case.id, reason=reason, yours=version, current=case.version)
        raise StaleEdit(version, case.version)
    change_reason = _text(change_reason, 1000)
    changed = []
    for name, value in changes.items():
        old = getattr(case, "coordinator_id" if name == "coordinator" else name)
        new = _clean_value(session, case, name, value)
        if new == old:
            continue
        if name in ("risk", "status", "coordinator"):
            if name == "status" and new == "closed" and not change_reason:
                raise HeroesError(_("Give the reason for closing the case."))
            session.add(
                CaseEvent(
                    case_id=case.id,
                    actor=viewer.actor,
                    kind=name,
                    old=str(old or ""),
                    new=str(new or ""),
                    reason=change_reason,
                )
            )
        setattr(case, "coordinator_id" if name == "coordinator" else name, new)
        changed.append(name)
    if changed:
        case.updated_at = utcnow()
        try:
            session.flush()
        except StaleDataError as exc:
            session.rollback()
            current = session.get(Case, case_id)
            raise StaleEdit(version, current.version if current else version) from exc
    _audit(session, viewer, "update", case.id, reason=reason, fields=changed, version=case.version)
    return case


def _clean_value(session: Session, case: Case, name: str, value: Any) -> Any:
    if name == "pseudonym":
        value = _text(str(value), 80)
        if not value:
            raise HeroesError(_("Give the person a pseudonym (not their real name)."))
        return value
    if name == "child":
        return bool(value)
    if name == "country":
        return str(value).strip().upper()[:2]
    if name == "languages":
        return _languages(value if isinstance(value, list) else str(value).split(","))
    if name == "exploitation":
        return _choices(
            value if isinstance(value, list) else str(value).split(","), EXPLOITATION_FORMS, _("form of exploitation")
        )
    if name == "risk":
        if value not in RISK_LEVELS:
            raise HeroesError(_("Unknown risk level; choose from: %(allowed)s.", allowed=", ".join(RISK_LEVELS)))
        return value
    if name == "status":
        if value not in STATUSES:
            raise HeroesError(_("Unknown status; choose from: %(allowed)s.", allowed=", ".join(STATUSES)))
        return value
    if name == "summary":
        return _text(str(value))
    if name == "links":
        return _links(value)
    if name == "coordinator":
        if value in (None, ""):
            return None
        user = session.execute(select(User).where(User.username == str(value))).scalar_one_or_none()
        if user is None or user.role != "coordinator" or user.organisation_id != case.organisation_id:
            raise HeroesError(
                _("The coordinator must be an account with the coordinator role in the case's organisation.")
            )
        return user.id
    raise HeroesError(f"unknown field {name}")


def _links(value: Any) -> list[dict[str, str]]:
    """[{kind, ref}] or lines such as "report: 4821 1190 3345 7720" and "investigation: OP-2026-114"."""
    items = value if isinstance(value, list) else [line for line in str(value).splitlines() if line.strip()]
    found = []
    for item in items:
        if isinstance(item, dict):
            kind, ref = str(item.get("kind", "")), str(item.get("ref", ""))
        else:
            kind, _sep, ref = str(item).partition(":")
        kind, ref = kind.strip().lower(), ref.strip()
        if kind not in LINK_KINDS or not ref or len(ref) > 100:
            raise HeroesError(
                _(
                    "A link is a kind (%(kinds)s), a colon and a reference of at most 100 characters.",
                    kinds=", ".join(LINK_KINDS),
                )
            )
        found.append({"kind": kind, "ref": ref})
    return found


def set_identity(
    session: Session, case_id: int, viewer: Viewer, data: Mapping[str, Any], reason: str = "casework"
) -> None:
    _check_reason(reason)
    case = load_case(session, case_id)
    authorise(session, case, viewer, "identity", "write", reason)
    identity = session.get(CaseIdentity, case.id)
    cleaned = clean_identity(data)
    if identity is None:
        session.add(CaseIdentity(case_id=case.id, data=cleaned))
    else:
        identity.data = cleaned
        identity.updated_at = utcnow()
    _audit(session, viewer, "identity.write", case.id, reason=reason)


def history(session: Session, case_id: int) -> list[dict[str, Any]]:
    events = session.execute(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)).scalars()
    return [
        {"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "old": e.old, "new": e.new, "reason": e.reason}
        for e in events
    ]


# --- consent ----------------------------------------------------------------------------------------


def consents_of(session: Session, case_id: int) -> list[CaseConsent]:
    return list(
        session.execute(select(CaseConsent).where(CaseConsent.case_id == case_id).order_by(CaseConsent.id)).scalars()
    )


def consent_dict(session: Session, consent: CaseConsent) -> dict[str, Any]:
    organisation = session.get(Organisation, consent.organisation_id) if consent.organisation_id else None
    return {
        "id": consent.id,
        "purpose": consent.purpose,
        "organisation": organisation.name if organisation else None,
        "organisation_id": consent.organisation_id,
        "given_by": consent.given_by,
        "given_by_detail": consent.given_by_detail,
        "method": consent.method,
        "given_at": consent.given_at.isoformat(),
        "recorded_by": consent.recorded_by,
        "fields": consent.fields,
        "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
        "withdrawn_by": consent.withdrawn_by,
        "active": consent.withdrawn_at is None,
    }


def record_consent(
    session: Session,
    case_id: int,
    viewer: Viewer,
    *,
    purpose: str,
    given_by: str,
    method: str,
    organisation_id: int | None = None,
    given_by_detail: str = "",
    fields: Iterable[str] | None = None,
    reason: str = "casework",
) -> CaseConsent:
    """Record consent for one purpose (and one organisation when sharing with a named one).

    A child's consent is given by a guardian or by a best-interest determination, recorded as such.
    """
    _check_reason(reason)
    case = load_case(session, case_id)
    authorise(session, case, viewer, "consent", "write", reason)
    if purpose not in CONSENT_PURPOSES:
        raise HeroesError(_("Unknown purpose; choose from: %(allowed)s.", allowed=", ".join(CONSENT_PURPOSES)))
    if given_by not in CONSENT_GIVERS:
        raise HeroesError(_("Who gave consent? Choose from: %(allowed)s.", allowed=", ".join(CONSENT_GIVERS)))
    if method not in CONSENT_METHODS:
        raise HeroesError(_("How was consent given? Choose from: %(allowed)s.", allowed=", ".join(CONSENT_METHODS)))
    if case.child and given_by == "person":
        raise HeroesError(
            _("For a child, consent is given by a guardian or by a best-interest determination: record which.")
        )
    detail = _text(given_by_detail, 300)
    if given_by != "person" and not detail:
        raise HeroesError(_("Say who gave consent for the person (for example: mother, legal guardian, court order)."))
    if purpose == "share_org":
        if organisation_id is None or session.get(Organisation, organisation_id) is None:
            raise HeroesError(_("Sharing consent names the organisation it allows."))
        if organisation_id == case.organisation_id:
            raise HeroesError(_("The case already belongs to this organisation."))
    elif organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise HeroesError(_("Unknown organisation."))
    scope = None if fields is None else _choices(fields, SHAREABLE, _("field"))
    consent = CaseConsent(
        case_id=case.id,
        purpose=purpose,
        organisation_id=organisation_id,
        given_by=given_by,
        given_by_detail=detail,
        method=method,
        recorded_by=viewer.actor,
        fields=scope,
    )
    session.add(consent)
    session.flush()
    _audit(
        session,
        viewer,
        "consent.record",
        case.id,
        reason=reason,
        consent=consent.id,
        purpose=purpose,
        given_by=given_by,
    )
    return consent


def withdraw_consent(
    session: Session, case_id: int, consent_id: int, viewer: Viewer, reason: str = "casework"
) -> CaseConsent:
    """Withdrawal stops new access at once: the next request finds no active consent."""
    _check_reason(reason)
    case = load_case(session, case_id)
    authorise(session, case, viewer, "consent", "write", reason)
    consent = session.get(CaseConsent, consent_id)
    if consent is None or consent.case_id != case.id:
        raise NotFoundError(_("No such consent on this case."))
    if consent.withdrawn_at is not None:
        raise HeroesError(_("This consent was already withdrawn."))
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by = viewer.actor
    _audit(session, viewer, "consent.withdraw", case.id, reason=reason, consent=consent.id)
    return consent


# --- referrals ---------------------------------------------------------------------------------------


def referrals_of(session: Session, case_id: int) -> list[CaseReferral]:
    return list(
        session.execute(select(CaseReferral).where(CaseReferral.case_id == case_id).order_by(CaseReferral.id)).scalars()
    )


def referral_dict(session: Session, referral: CaseReferral) -> dict[str, Any]:
    source = session.get(Organisation, referral.from_organisation_id)
    target = session.get(Organisation, referral.to_organisation_id)
    overdue = referral.state == "pending" and referral.deadline is not None and referral.deadline < date.today()
    return {
        "id": referral.id,
        "case_id": referral.case_id,
        "from": source.name if source else "",
        "to": target.name if target else "",
        "to_organisation_id": referral.to_organisation_id,
        "fields": referral.fields,
        "needs": referral.needs,
        "message": referral.message,
        "state": referral.state,
        "response_reason": referral.response_reason,
        "deadline": referral.deadline.isoformat() if referral.deadline else None,
        "overdue": overdue,
        "consent_id": referral.consent_id,
        "created_at": referral.created_at.isoformat(),
        "created_by": referral.created_by,
    }


def refer(
    session: Session,
    case_id: int,
    viewer: Viewer,
    *,
    to_organisation_id: int,
    fields: Iterable[str],
    needs: Iterable[str] = (),
    message: str = "",
    deadline: date | None = None,
    reason: str = "referral",
) -> CaseReferral:
    """Refer the case to another organisation under an active consent to share with it."""
    _check_reason(reason)
    case = load_case(session, case_id)
    authorise(session, case, viewer, "referrals", "write", reason)
    target = session.get(Organisation, to_organisation_id)
    if target is None:
        raise HeroesError(_("Unknown organisation."))
    if target.id == case.organisation_id:
        raise HeroesError(_("The case already belongs to this organisation."))
    chosen = _choices(fields, SHAREABLE, _("field"))
    if not chosen:
        raise HeroesError(_("Choose the fields the referral shares."))
    consent = session.execute(
        select(CaseConsent)
        .where(
            CaseConsent.case_id == case.id,
            CaseConsent.purpose == "share_org",
            CaseConsent.organisation_id == target.id,
            CaseConsent.withdrawn_at.is_(None),
        )
        .order_by(CaseConsent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if consent is None:
        raise HeroesError(
            _(
                "There is no consent to share this case with %(org)s. Record the person's consent first.",
                org=target.name,
            )
        )
    if consent.fields is not None:
        outside = [f for f in chosen if f not in consent.fields]
        if outside:
            raise HeroesError(_("The consent does not cover: %(f)s.", f=", ".join(outside)))
    if deadline is not None and deadline < date.today():
        raise HeroesError(_("The deadline is in the past."))
    referral = CaseReferral(
        case_id=case.id,
        from_organisation_id=case.organisation_id,
        to_organisation_id=target.id,
        consent_id=consent.id,
        fields=chosen,
        needs=_choices(needs, NEEDS, _("need")),
        message=_text(message, 2000),
        deadline=deadline,
        created_by=viewer.actor,
    )
    session.add(referral)
    session.flush()
    _audit(
        session, viewer, "referral.create", case.id, reason=reason, referral=referral.id, to=target.id, fields=chosen
    )
    return referral


def incoming_referrals(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    """Referrals waiting for the viewer's organisation: what is asked, not yet the case itself."""
    rows = session.execute(
        select(CaseReferral)
        .where(CaseReferral.to_organisation_id == viewer.organisation_id, CaseReferral.state == "pending")
        .order_by(CaseReferral.deadline.is_(None), CaseReferral.deadline, CaseReferral.id)
    ).scalars()
    found = [referral_dict(session, r) for r in rows]
    audit.record(
        session,
        viewer.actor,
        "cases.referrals.incoming",
        f"organisation:{viewer.organisation_id}",
        {"count": len(found)},
    )
    return found


def respond_to_referral(
    session: Session, referral_id: int, viewer: Viewer, accept: bool, response_reason: str = ""
) -> CaseReferral:
    referral = session.get(CaseReferral, referral_id)
    if referral is None or referral.to_organisation_id != viewer.organisation_id:
        raise NotFoundError(_("No referral %(id)s for your organisation.", id=referral_id))
    if referral.state != "pending":
        raise HeroesError(_("This referral was already answered (%(state)s).", state=referral.state))
    response_reason = _text(response_reason, 1000)
    if not accept and not response_reason:
        raise HeroesError(_("Give the reason for declining, so the referring organisation can look elsewhere."))
    referral.state = "accepted" if accept else "declined"
    referral.response_reason = response_reason
    referral.responded_by = viewer.actor
    referral.responded_at = utcnow()
    _audit(
        session,
        viewer,
        "referral.accept" if accept else "referral.decline",
        referral.case_id,
        reason="referral",
        referral=referral.id,
    )
    return referral


def withdraw_referral(session: Session, referral_id: int, viewer: Viewer, reason_text: str = "") -> CaseReferral:
    """The referring organisation takes a referral back: the receiving side loses access at once."""
    referral = session.get(CaseReferral, referral_id)
    if referral is None:
        raise NotFoundError(_("No referral %(id)s.", id=referral_id))
    case = load_case(session, referral.case_id)
    authorise(session, case, viewer, "referrals", "write", "referral")
    if referral.state not in ("pending", "accepted"):
        raise HeroesError(_("This referral was already answered (%(state)s).", state=referral.state))
    referral.state = "withdrawn"
    referral.response_reason = _text(reason_text, 1000)
    referral.responded_by = viewer.actor
    referral.responded_at = utcnow()
    _audit(session, viewer, "referral.withdraw", case.id, reason="referral", referral=referral.id)
    return referral


# --- override -----------------------------------------------------------------------------------------


def request_override(session: Session, case_id: int, viewer: Viewer, grounds: str, reason_text: str) -> AccessOverride:
    """Access without consent for imminent danger or a legal duty: one hour, flagged for review."""
    case = load_case(session, case_id)
    if grounds not in OVERRIDE_GROUNDS:
        raise HeroesError(_("Grounds for an override: %(allowed)s.", allowed=", ".join(OVERRIDE_GROUNDS)))
    reason_text = _text(reason_text, 1000)
    if len(reason_text) < 10:
        raise HeroesError(_("Explain the reason for the override (at least a sentence)."))
    if case.organisation_id == viewer.organisation_id:
        raise HeroesError(_("Your organisation owns this case; no override is needed."))
    override = AccessOverride(
        case_id=case.id,
        user_id=viewer.user_id,
        organisation_id=viewer.organisation_id,
        grounds=grounds,
        reason=reason_text,
        expires_at=utcnow() + timedelta(hours=OVERRIDE_HOURS),
    )
    session.add(override)
    session.flush()
    _audit(
        session,
        viewer,
        "override",
        case.id,
        reason="safeguarding" if grounds == "imminent_danger" else "legal_duty",
        override=override.id,
        grounds=grounds,
        review=True,
    )
    return override


def overrides_to_review(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    """Overrides on the viewer's organisation's cases that no coordinator has reviewed yet."""
    rows = session.execute(
        select(AccessOverride, Case)
        .join(Case, Case.id == AccessOverride.case_id)
        .where(Case.organisation_id == viewer.organisation_id, AccessOverride.reviewed_at.is_(None))
        .order_by(AccessOverride.id)
    ).all()
    found = []
    for override, case in rows:
        user = session.get(User, override.user_id)
        organisation = session.get(Organisation, override.organisation_id)
        found.append(
            {
                "id": override.id,
                "case_id": case.id,
                "user": user.username if user else "",
                "organisation": organisation.name if organisation else "",
                "grounds": override.grounds,
                "reason": override.reason,
                "at": override.at.isoformat(),
            }
        )
    audit.record(
        session, viewer.actor, "cases.overrides.list", f"organisation:{viewer.organisation_id}", {"count": len(found)}
    )
    return found


def review_override(session: Session, override_id: int, viewer: Viewer) -> None:
    override = session.get(AccessOverride, override_id)
    case = session.get(Case, override.case_id) if override else None
    if override is None or case is None or case.organisation_id != viewer.organisation_id:
        raise NotFoundError(_("No override %(id)s on your organisation's cases.", id=override_id))
    override.reviewed_at = utcnow()
    override.reviewed_by = viewer.actor
    _audit(session, viewer, "override.review", case.id, reason="supervision", override=override.id)


def all_fields() -> tuple[str, ...]:
    return FIELDS
