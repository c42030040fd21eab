"""Organisations and membership: which agency a staff account works for.

Tools that share records between agencies (case coordination, training) decide by the organisation; the
core only keeps the list and who belongs where.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from heroes.core import audit
from heroes.core.errors import HeroesError
from heroes.core.models import Organisation, User

KINDS: tuple[str, ...] = ("police", "ngo", "health", "social", "prosecutor", "shelter", "education", "other")


def create_organisation(
    session: Session, name: str, kind: str, country: str = "", actor: str = "system"
) -> Organisation:
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise HeroesError("An organisation needs a name of 1 to 200 characters.")
    if kind not in KINDS:
        raise HeroesError(f"Unknown kind {kind!r}; choose one of: {', '.join(KINDS)}.")
    country = country.strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise HeroesError("The country is a two-letter ISO code, such as ES or GB.")
    if find_organisation(session, name) is not None:
        raise HeroesError(f"An organisation named {name!r} already exists.")
    organisation = Organisation(name=name, kind=kind, country=country)
    session.add(organisation)
    session.flush()
    audit.record(session, actor, "organisation.create", f"organisation:{organisation.id}")
    return organisation


def find_organisation(session: Session, name: str) -> Organisation | None:
    return session.execute(select(Organisation).where(Organisation.name == name)).scalar_one_or_none()


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.execute(select(Organisation).order_by(Organisation.name)).scalars())


def assign(session: Session, user: User, organisation: Organisation | None, actor: str = "system") -> None:
    user.organisation_id = organisation.id if organisation else None
    target = f"organisation:{organisation.id}" if organisation else "none"
    audit.record(session, actor, "user.organisation", f"user:{user.id}", {"organisation": target})


def organisation_of(session: Session, user_id: int | None) -> Organisation | None:
    """The organisation of an account, or None (anonymous, or an account outside any organisation)."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or user.organisation_id is None:
        return None
    return session.get(Organisation, user.organisation_id)
