"""The referral directory in the database: seed, load, import (merge or replace), edit.

Every write lands in the audit log with the actor and the ids touched (no personal data: the
directory holds public contact details of services).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from heroes.core.audit import record
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError, NotFoundError

from .content import Content, Organization, Phone, Service, get_content
from .hsds import Directory, Location, seed_directory
from .models import DirLocation, DirOrganization, DirPhone, DirService, DirServiceAtLocation


def is_empty(session: Session) -> bool:
    return not session.execute(select(func.count()).select_from(DirService)).scalar_one()


def ensure_seeded(session: Session, content: Content | None = None, actor: str = "system") -> bool:
    """Fill an empty directory from the reviewed country files; True when it did."""
    if not is_empty(session):
        return False
    import_directory(session, seed_directory(content or get_content()), actor=actor, replace=False, action="seed")
    return True


def _service_from_row(row: DirService) -> Service:
    return Service(
        id=row.id,
        country=row.country,
        organization_id=row.organization_id,
        name=dict(row.name),
        description=dict(row.description),
        phones=tuple(Phone(p.number, dict(p.description) if p.description else None) for p in row.phones),
        hours=dict(row.hours),
        audience=tuple(row.audience),
        verified=row.verified,
        sources=tuple(row.sources or ()),
        email=row.email,
        url=row.url,
    )


def load_directory(session: Session) -> Directory:
    directory = Directory()
    for org in session.execute(select(DirOrganization).order_by(DirOrganization.country, DirOrganization.id)).scalars():
        directory.organizations.append(Organization(org.id, org.country, org.name, dict(org.description), org.url))
    for row in session.execute(select(DirService).order_by(DirService.country, DirService.id)).scalars():
        directory.services.append(_service_from_row(row))
    for loc in session.execute(select(DirLocation).order_by(DirLocation.country, DirLocation.id)).scalars():
        directory.locations.append(
            Location(
                loc.id, loc.country, loc.name, loc.location_type, dict(loc.description) if loc.description else None
            )
        )
    links = session.execute(
        select(DirServiceAtLocation.service_id, DirServiceAtLocation.location_id).order_by(
            DirServiceAtLocation.service_id, DirServiceAtLocation.location_id
        )
    )
    directory.links = [(service_id, location_id) for service_id, location_id in links]
    return directory.sorted()  # Python's order, not the database collation's


def services(session: Session) -> dict[str, Service]:
    """The services as edited by admins, for the assessment's referral steps."""
    rows = session.execute(select(DirService)).scalars()
    return {row.id: _service_from_row(row) for row in rows}


def get_service(session: Session, key: str) -> Service:
    row = session.get(DirService, key)
    if row is None:
        raise NotFoundError(f"no service {key!r} in the referral directory")
    return _service_from_row(row)


@dataclass(frozen=True)
class ImportResult:
    organizations: int
    services: int
    locations: int
    links: int


def import_directory(
    session: Session, directory: Directory, actor: str, replace: bool = False, action: str = "import"
) -> ImportResult:
    """Merge (default: insert or update by key) or replace the stored directory."""
    check_limits(directory)
    org_keys = {o.id for o in directory.organizations}
    loc_keys = {loc.id for loc in directory.locations}
    for service in directory.services:
        if service.organization_id not in org_keys and session.get(DirOrganization, service.organization_id) is None:
            raise HeroesError(
                f"service {service.id} names organization {service.organization_id}, which is not in the file"
            )
    for service_key, location_key in directory.links:
        if location_key not in loc_keys and session.get(DirLocation, location_key) is None:
            raise HeroesError(f"service {service_key} is linked to unknown location {location_key}")
    if replace:
        for model in (DirServiceAtLocation, DirPhone, DirService, DirLocation, DirOrganization):
            session.execute(delete(model))
    for org in directory.organizations:
        row = session.get(DirOrganization, org.id) or DirOrganization(id=org.id)
        row.country, row.name, row.description, row.url = org.country, org.name, dict(org.description), org.url
        session.add(row)
    for loc in directory.locations:
        loc_row = session.get(DirLocation, loc.id) or DirLocation(id=loc.id)
        loc_row.country, loc_row.name, loc_row.location_type = loc.country, loc.name, loc.location_type
        loc_row.description = dict(loc.description) if loc.description else None
        session.add(loc_row)
    session.flush()
    for service in directory.services:
        svc = session.get(DirService, service.id) or DirService(id=service.id)
        _apply(svc, service, actor)
        session.add(svc)
    session.flush()
    for service_key, location_key in directory.links:
        exists = session.execute(
            select(DirServiceAtLocation.id).where(
                DirServiceAtLocation.service_id == service_key, DirServiceAtLocation.location_id == location_key
            )
        ).first()
        if not exists:
            session.add(DirServiceAtLocation(service_id=service_key, location_id=location_key))
    result = ImportResult(
        len(directory.organizations), len(directory.services), len(directory.locations), len(directory.links)
    )
    record(
        session,
        actor,
        f"screening.directory.{action}",
        target="screening_directory",
        details={"replace": replace, **result.__dict__, "countries": directory.countries()},
    )
    session.flush()
    return result


_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,59}$")


def check_limits(directory: Directory) -> None:
    """Refuse what the tables cannot hold, with the record named, before touching the database."""
    problems: list[str] = []

    def key(kind: str, value: str) -> None:
        if not _KEY.match(value):
            problems.append(f"{kind} id {value[:80]!r}: 1-60 letters, digits or . _ : -")

    def country(kind: str, ident: str, value: str) -> None:
        if not re.fullmatch(r"[A-Z]{2}", value):
            problems.append(f"{kind} {ident}: country must be a two-letter code, not {value[:10]!r}")

    def length(kind: str, ident: str, name: str, value: str | None, limit: int) -> None:
        if value and len(value) > limit:
            problems.append(f"{kind} {ident}: {name} longer than {limit} characters")

    for org in directory.organizations:
        key("organization", org.id)
        country("organization", org.id, org.country)
        length("organization", org.id, "name", org.name, 200)
        length("organization", org.id, "url", org.url, 500)
    for loc in directory.locations:
        key("location", loc.id)
        country("location", loc.id, loc.country)
        length("location", loc.id, "name", loc.name, 200)
    for service in directory.services:
        key("service", service.id)
        country("service", service.id, service.country)
        length("service", service.id, "email", service.email, 200)
        length("service", service.id, "url", service.url, 500)
        for phone in service.phones:
            length("service", service.id, "phone number", phone.number, 40)
    if problems:
        raise HeroesError("cannot import the directory:\n  " + "\n  ".join(problems[:20]))


def _apply(row: DirService, service: Service, actor: str) -> None:
    row.organization_id = service.organization_id
    row.country = service.country
    row.name = dict(service.name)
    row.description = dict(service.description)
    row.hours = dict(service.hours)
    row.audience = list(service.audience)
    row.verified = service.verified
    row.sources = list(service.sources)
    row.email = service.email or None
    row.url = service.url or None
    row.updated_at = utcnow()
    row.updated_by = actor
    row.phones = [
        DirPhone(position=i, number=p.number, description=dict(p.description) if p.description else None)
        for i, p in enumerate(service.phones)
    ]


def update_service(session: Session, service: Service, actor: str) -> Service:
    """Save an admin's edit of one service (it must exist already)."""
    row = session.get(DirService, service.id)
    if row is None:
        raise NotFoundError(f"no service {service.id!r} in the referral directory")
    if session.get(DirOrganization, service.organization_id) is None:
        raise HeroesError(f"unknown organization {service.organization_id!r}")
    before = _service_from_row(row)
    _apply(row, service, actor)
    changed = sorted(
        name
        for name in ("name", "description", "phones", "hours", "audience", "verified", "email", "url")
        if getattr(before, name) != getattr(service, name)
    )
    record(
        session,
        actor,
        "screening.directory.edit",
        target=f"screening_service:{service.id}",
        details={"changed": changed},
    )
    session.flush()
    return _service_from_row(row)
