"""Who may see which part of a case: the field table (data/field_access.csv) and the consent check.

Two questions decide every access, asked again at every request (never cached between requests, so a
withdrawn consent stops access at once):
1. the viewer's relation to the case: `owner` (the case belongs to the viewer's organisation) or
   `partner` (an accepted referral, a consent to share with the viewer's organisation or with the
   police, or an audited override), with the set of fields that route covers;
2. what the one table grants that role, in that relation, for that field, in that kind of organisation.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from heroes.core.auth import Principal
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.models import Organisation, User

from .models import AccessOverride, Case, CaseConsent, CaseReferral

TABLE_FILE = Path(__file__).parent / "data" / "field_access.csv"
RELATIONS = ("owner", "partner")
ACCESS = ("read", "write")
FIELDS: tuple[str, ...] = (
    "pseudonym",
    "child",
    "country",
    "languages",
    "exploitation",
    "risk",
    "status",
    "coordinator",
    "summary",
    "links",
    "identity",
    "consent",
    "referrals",
    "interviews",
    "interview_content",
    "plan",
    "note_general",
    "note_health",
    "note_legal",
    "note_police",
    "history",
)
# Fields a referral may carry to another organisation (the partner's view is narrowed to these).
SHAREABLE: tuple[str, ...] = tuple(f for f in FIELDS if f not in ("consent", "referrals", "history", "coordinator"))
CASE_ROLES = ("caseworker", "investigator", "coordinator")


class AccessDenied(HeroesError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=403)


@dataclass(frozen=True)
class Rule:
    role: str
    relation: str
    field: str
    access: str
    org_kinds: frozenset[str]


@cache
def field_table() -> tuple[Rule, ...]:
    """The table, validated: unknown roles, relations, fields or access values stop the load."""
    rules = []
    with TABLE_FILE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    for row in csv.DictReader(lines):
        rule = Rule(
            role=row["role"],
            relation=row["relation"],
            field=row["field"],
            access=row["access"],
            org_kinds=frozenset(k for k in (row["org_kinds"] or "").split("|") if k),
        )
        if rule.role not in CASE_ROLES or rule.relation not in RELATIONS:
            raise ValueError(f"field_access.csv: unknown role or relation in {row}")
        if rule.field not in FIELDS or rule.access not in ACCESS:
            raise ValueError(f"field_access.csv: unknown field or access in {row}")
        rules.append(rule)
    return tuple(rules)


def table_access(role: str, relation: str, field: str, org_kind: str) -> str | None:
    """'write', 'read' or None, from the table alone."""
    best: str | None = None
    for rule in field_table():
        if rule.role == role and rule.relation == relation and rule.field == field:
            if rule.org_kinds and org_kind not in rule.org_kinds:
                continue
            if rule.access == "write":
                return "write"
            best = "read"
    return best


@dataclass(frozen=True)
class Viewer:
    username: str
    user_id: int
    role: str
    organisation_id: int
    organisation_kind: str
    organisation_name: str

    @property
    def actor(self) -> str:
        return self.username


def viewer_for(session: Session, principal: Principal) -> Viewer:
    if principal.user_id is None:
        raise AccessDenied(_("Sign in with a staff account to work on cases."))
    user = session.get(User, principal.user_id)
    organisation = session.get(Organisation, user.organisation_id) if user and user.organisation_id else None
    if organisation is None:
        raise AccessDenied(
            _("Your account belongs to no organisation. Ask an administrator to assign one (heroes orgs assign).")
        )
    return Viewer(
        principal.actor, principal.user_id, principal.role, organisation.id, organisation.kind, organisation.name
    )


@dataclass(frozen=True)
class Relation:
    kind: str  # owner | partner | none
    fields: frozenset[str]  # for a partner: what the referral/consent/override covers
    basis: tuple[str, ...]  # e.g. ("referral:3", "consent:7"): what the access rests on, for the audit
    override: bool = False


def active_consents(session: Session, case_id: int, organisation_id: int, police: bool) -> list[CaseConsent]:
    # The (case, organisation) index answers the common question directly, however many shares a case has.
    named = and_(CaseConsent.organisation_id == organisation_id, CaseConsent.purpose == "share_org")
    wanted = or_(named, CaseConsent.purpose == "share_police") if police else named
    query = select(CaseConsent).where(CaseConsent.case_id == case_id, CaseConsent.withdrawn_at.is_(None), wanted)
    return list(session.execute(query).scalars())


def relation_to(session: Session, case: Case, viewer: Viewer, now: datetime | None = None) -> Relation:
    """The viewer's relation to the case, checking consent as it stands at this moment."""
    if case.organisation_id == viewer.organisation_id:
        return Relation("owner", frozenset(FIELDS), ("organisation",))
    now = now or utcnow()
    fields: set[str] = set()
    basis: list[str] = []
    consents = active_consents(session, case.id, viewer.organisation_id, viewer.organisation_kind == "police")
    consent_ids = {c.id for c in consents}
    for consent in consents:
        if consent.purpose == "share_org" or consent.purpose == "share_police":
            covered = consent.fields if consent.fields is not None else SHAREABLE
            # A consent that comes with a referral covers what the referral carries, nothing on its own.
            if not _tied_to_referral(session, consent.id):
                fields.update(covered)
                basis.append(f"consent:{consent.id}")
    referrals = session.execute(
        select(CaseReferral).where(
            CaseReferral.case_id == case.id,
            CaseReferral.to_organisation_id == viewer.organisation_id,
            CaseReferral.state == "accepted",
        )
    ).scalars()
    for referral in referrals:
        if referral.consent_id in consent_ids:  # withdrawn consent: the referral no longer opens the case
            fields.update(referral.fields)
            basis.append(f"referral:{referral.id}")
    override = session.execute(
        select(AccessOverride).where(
            AccessOverride.case_id == case.id,
            AccessOverride.user_id == viewer.user_id,
            AccessOverride.expires_at > now,
        )
    ).scalar_one_or_none()
    if override is not None:
        fields.update(SHAREABLE)
        basis.append(f"override:{override.id}")
    if not fields:
        return Relation("none", frozenset(), ())
    return Relation("partner", frozenset(fields), tuple(basis), override=override is not None)


def _tied_to_referral(session: Session, consent_id: int) -> bool:
    found = session.execute(select(CaseReferral.id).where(CaseReferral.consent_id == consent_id).limit(1)).first()
    return found is not None


def field_access(viewer: Viewer, relation: Relation, field: str) -> str | None:
    if relation.kind == "none" or field not in relation.fields:
        return None
    return table_access(viewer.role, relation.kind, field, viewer.organisation_kind)


def visible_fields(viewer: Viewer, relation: Relation) -> dict[str, str]:
    found = {}
    for field in FIELDS:
        access = field_access(viewer, relation, field)
        if access:
            found[field] = access
    return found
