"""Who may see which FCA case, checked here once for the CLI, the web pages and the API alike.

A case belongs to the organisation of the account that created it. Its members are that creator
(the case's lead) and the people a lead or an admin added. An investigator sees, searches and
links only the cases they are a member of; an admin sees every case. A case someone may not see
answers exactly as a case that does not exist (404), so its existence is not disclosed. Every read
of a case and every refusal lands in the audit log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from heroes.core import audit
from heroes.core.auth import Principal
from heroes.core.errors import HeroesError, NotFoundError, PermissionDenied
from heroes.core.i18n import gettext as _
from heroes.core.models import Organisation, User
from heroes.core.permissions import allowed
from heroes.fca.models import FcaCase, FcaCaseMember, FcaItem

READ = "fca:read"
INGEST = "fca:ingest"
LEAD, MEMBER = "lead", "member"
ROLES = (LEAD, MEMBER)

CaseRef = str | int | FcaCase


def principal_for(session: Session, username: str) -> Principal:
    """The account a job or a library call acts as, by its username (the audit trail's actor)."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise HeroesError(_("No active account named %(name)r.", name=username))
    return Principal(user.role, user.username, user.id, "cli")


def is_admin(viewer: Principal) -> bool:
    return viewer.role == "admin"


def require(viewer: Principal, permission: str = READ) -> None:
    if not allowed(viewer.role, permission):
        raise PermissionDenied(_("Your role does not allow this."))


def organisation_id(session: Session, viewer: Principal) -> int | None:
    if viewer.user_id is None:
        return None
    user = session.get(User, viewer.user_id)
    return user.organisation_id if user is not None else None


def visible_ids(viewer: Principal) -> Select[Any] | None:
    """The ids of the cases the viewer may see, as a subquery; None means every case (admin)."""
    if is_admin(viewer):
        return None
    return select(FcaCaseMember.case_id).where(FcaCaseMember.user_id == (viewer.user_id or -1))


def can_see(session: Session, viewer: Principal, case: FcaCase) -> bool:
    if not allowed(viewer.role, READ):
        return False
    if is_admin(viewer):
        return True
    return _membership(session, case.id, viewer.user_id) is not None


def _membership(session: Session, case_id: int, user_id: int | None) -> FcaCaseMember | None:
    if user_id is None:
        return None
    return session.execute(
        select(FcaCaseMember).where(FcaCaseMember.case_id == case_id, FcaCaseMember.user_id == user_id)
    ).scalar_one_or_none()


def _not_found(session: Session, viewer: Principal, ref: CaseRef, action: str) -> NotFoundError:
    audit.record(session, viewer.actor, "fca.denied", f"fca_case:{_ref_text(ref)}", {"action": action})
    if isinstance(ref, int) or (isinstance(ref, str) and ref.startswith("#")):
        return NotFoundError(_("No case %(ref)s.", ref=_ref_text(ref)))
    return NotFoundError(_("No case named %(name)r.", name=ref))


def _ref_text(ref: CaseRef) -> str:
    if isinstance(ref, FcaCase):
        return str(ref.id)
    return str(ref)


def open_case(session: Session, viewer: Principal, ref: CaseRef, action: str = "read") -> FcaCase:
    """The case named (or numbered: an int or "#12") for a viewer who may see it, the read audited.

    A case the viewer may not see is a NotFoundError, the same as one that does not exist. A case
    object already opened is checked again but not audited twice.
    """
    require(viewer, READ)
    if isinstance(ref, FcaCase):
        if not can_see(session, viewer, ref):
            raise _not_found(session, viewer, ref, action)
        return ref
    case: FcaCase | None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.startswith("#") and ref[1:].isdigit()):
        case = session.get(FcaCase, int(ref if isinstance(ref, int) else ref[1:]))
    else:
        case = session.execute(select(FcaCase).where(FcaCase.name == ref)).scalar_one_or_none()
    if case is None or not can_see(session, viewer, case):
        raise _not_found(session, viewer, ref, action)
    audit.record(session, viewer.actor, f"fca.{action}", f"fca_case:{case.id}")
    return case


def open_or_create(session: Session, viewer: Principal, name: str, region: str | None = None) -> FcaCase:
    """The case to ingest into: one the viewer may see, or a new one in the viewer's organisation."""
    require(viewer, INGEST)
    name = name.strip()
    if not name or len(name) > 200:
        raise HeroesError(_("A case name has 1 to 200 characters."))
    case = session.execute(select(FcaCase).where(FcaCase.name == name)).scalar_one_or_none()
    if case is not None:
        if not can_see(session, viewer, case):
            # Names are unique across the platform; the refusal says no more than that the name is taken.
            audit.record(session, viewer.actor, "fca.denied", f"fca_case:{case.id}", {"action": "ingest"})
            raise HeroesError(
                _(
                    "The case name %(name)r cannot be used: choose another, or ask the case's lead to add you.",
                    name=name,
                )
            )
        audit.record(session, viewer.actor, "fca.ingest", f"fca_case:{case.id}")
        if region and case.region != region.upper():
            case.region = region.upper()
        return case
    # An account outside any organisation (a single-unit install) may still open cases: membership,
    # not the organisation, is what lets anyone see a case, so such a case is its creator's alone.
    org = organisation_id(session, viewer)
    case = FcaCase(name=name, owner=viewer.actor, region=(region or "").upper() or None, organisation_id=org)
    session.add(case)
    session.flush()
    session.add(FcaCaseMember(case_id=case.id, user_id=viewer.user_id, role=LEAD, added_by=viewer.actor))
    audit.record(session, viewer.actor, "fca.case_create", f"fca_case:{case.id}", {"organisation": org})
    return case


def _may_manage(session: Session, viewer: Principal, case: FcaCase) -> bool:
    if is_admin(viewer):
        return True
    member = _membership(session, case.id, viewer.user_id)
    return member is not None and member.role == LEAD


def add_member(session: Session, viewer: Principal, ref: CaseRef, username: str, role: str = MEMBER) -> None:
    """A lead adds people of the case's organisation; an admin adds anyone whose role may read cases."""
    case = open_case(session, viewer, ref, "members")
    if not _may_manage(session, viewer, case):
        audit.record(session, viewer.actor, "fca.denied", f"fca_case:{case.id}", {"action": "member_add"})
        raise PermissionDenied(_("Only the case's lead or an admin may change its members."))
    if role not in ROLES:
        raise HeroesError(_("A member's role is lead or member."))
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active or not allowed(user.role, READ):
        raise HeroesError(_("No active account named %(name)r that may read cases.", name=username))
    if not is_admin(viewer) and user.organisation_id != case.organisation_id:
        raise HeroesError(_("%(name)s works for another organisation; only an admin may add them.", name=username))
    member = _membership(session, case.id, user.id)
    if member is None:
        session.add(FcaCaseMember(case_id=case.id, user_id=user.id, role=role, added_by=viewer.actor))
    else:
        member.role = role
    audit.record(session, viewer.actor, "fca.member_add", f"fca_case:{case.id}", {"user": user.id, "role": role})


def remove_member(session: Session, viewer: Principal, ref: CaseRef, username: str) -> None:
    case = open_case(session, viewer, ref, "members")
    if not _may_manage(session, viewer, case):
        audit.record(session, viewer.actor, "fca.denied", f"fca_case:{case.id}", {"action": "member_remove"})
        raise PermissionDenied(_("Only the case's lead or an admin may change its members."))
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    member = _membership(session, case.id, user.id) if user is not None else None
    if user is None or member is None:
        raise NotFoundError(_("%(name)s is not a member of this case.", name=username))
    leads = session.execute(
        select(FcaCaseMember.id).where(FcaCaseMember.case_id == case.id, FcaCaseMember.role == LEAD)
    ).all()
    if member.role == LEAD and len(leads) == 1:
        raise HeroesError(_("A case keeps at least one lead: add another lead first."))
    session.delete(member)
    audit.record(session, viewer.actor, "fca.member_remove", f"fca_case:{case.id}", {"user": user.id})


def members(session: Session, viewer: Principal, ref: CaseRef) -> list[dict[str, Any]]:
    case = open_case(session, viewer, ref, "members")
    rows = session.execute(
        select(User.username, User.organisation_id, FcaCaseMember.role, FcaCaseMember.added_by)
        .join(FcaCaseMember, FcaCaseMember.user_id == User.id)
        .where(FcaCaseMember.case_id == case.id)
        .order_by(User.username)
    ).all()
    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    return [{"username": u, "organisation": names.get(o or -1), "role": r, "added_by": a} for u, o, r, a in rows]


def visible_cases(session: Session, viewer: Principal) -> list[FcaCase]:
    require(viewer, READ)
    query = select(FcaCase).order_by(FcaCase.name)
    ids = visible_ids(viewer)
    if ids is not None:
        query = query.where(FcaCase.id.in_(ids))
    audit.record(session, viewer.actor, "fca.list", "fca_case:*")
    return list(session.execute(query).scalars())


def open_item(session: Session, viewer: Principal, item_id: int, action: str) -> FcaItem:
    """An item of a case the viewer may see; any other is 'no such item' (404)."""
    item = session.get(FcaItem, item_id)
    case = session.get(FcaCase, item.case_id) if item is not None else None
    if item is None or case is None or not can_see(session, viewer, case):
        audit.record(session, viewer.actor, "fca.denied", f"fca_item:{item_id}", {"action": action})
        raise NotFoundError(_("No item %(id)s.", id=item_id))
    return item
