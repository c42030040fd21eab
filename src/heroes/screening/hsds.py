"""The referral directory in Open Referral HSDS 3.0 terms, and its HSDS JSON import/export.

HSDS objects used: organization, service, location, phone, service_at_location and schedule
(opening hours as a free-text description). HSDS has no multilingual fields, so the plain HSDS
fields carry English and an `x_heroes` extension object carries the translations and what the
screening tool needs on top (country, audience, verified flag, sources, our readable key).
Ids are UUIDs derived from the readable keys, so an export is stable from run to run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from heroes.core.errors import HeroesError
from heroes.text import JsonTooDeep, json_loads

from .content import SCHEMA_DIR, Content, Organization, Phone, Service, Text

HSDS_VERSION = "3.0"
_NAMESPACE = uuid.UUID("6f1c1f3e-4a53-5be0-9d0e-5c2c9e6b7a10")  # fixed: ids must not change between runs


def stable_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))


@dataclass(frozen=True)
class Location:
    id: str  # readable key, e.g. "gb-nationwide"
    country: str
    name: str
    location_type: str = "virtual"  # HSDS: physical, postal or virtual
    description: Text | None = None


@dataclass
class Directory:
    organizations: list[Organization] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (service key, location key)

    def service_map(self) -> dict[str, Service]:
        return {s.id: s for s in self.services}

    def sorted(self) -> Directory:
        """Canonical order (country, then key), the order the database returns too."""
        return Directory(
            organizations=sorted(self.organizations, key=lambda o: (o.country, o.id)),
            services=sorted(self.services, key=lambda s: (s.country, s.id)),
            locations=sorted(self.locations, key=lambda loc: (loc.country, loc.id)),
            links=sorted(self.links),
        )

    def countries(self) -> list[str]:
        return sorted({s.country for s in self.services})


def seed_directory(content: Content) -> Directory:
    """The directory as shipped in the reviewed country files: one nationwide virtual location
    per country (helplines are reached by phone or online), every service available there."""
    directory = Directory()
    for country in content.countries.values():
        location = Location(
            id=f"{country.code.lower()}-nationwide",
            country=country.code,
            name=f"{country.name['en']} (nationwide, by phone or online)",
            description={
                "en": f"Services reachable from anywhere in {country.name['en']}.",
                "es": f"Servicios accesibles desde cualquier lugar de {country.name['es']}.",
            },
        )
        directory.locations.append(location)
        directory.organizations += country.organizations
        directory.services += country.services
        directory.links += [(s.id, location.id) for s in country.services]
    return directory.sorted()


# --- export ---------------------------------------------------------------------------------


def _i18n(value: Text | None) -> dict[str, str] | None:
    return dict(value) if value else None


def to_hsds(directory: Directory) -> dict[str, Any]:
    orgs = {o.id: o for o in directory.organizations}
    document: dict[str, Any] = {
        "hsds_version": HSDS_VERSION,
        "generator": "heroes.screening",
        "organization": [],
        "service": [],
        "location": [],
        "phone": [],
        "schedule": [],
        "service_at_location": [],
    }
    for org in directory.organizations:
        record = {
            "id": stable_id("organization", org.id),
            "name": org.name,
            "description": org.description["en"],
            "x_heroes": {"key": org.id, "country": org.country, "description": _i18n(org.description)},
        }
        if org.url:
            record["website"] = org.url
        document["organization"].append(record)
    for service in directory.services:
        if service.organization_id not in orgs:
            raise HeroesError(f"service {service.id} names unknown organization {service.organization_id}")
        service_uuid = stable_id("service", service.id)
        record = {
            "id": service_uuid,
            "organization_id": stable_id("organization", service.organization_id),
            "name": service.name["en"],
            "description": service.description["en"],
            "status": "active",
            "x_heroes": {
                "key": service.id,
                "country": service.country,
                "name": _i18n(service.name),
                "description": _i18n(service.description),
                "audience": list(service.audience),
                "verified": service.verified,
                "sources": list(service.sources),
            },
        }
        if service.email:
            record["email"] = service.email
        if service.url:
            record["url"] = service.url
        document["service"].append(record)
        for index, phone in enumerate(service.phones):
            phone_record: dict[str, Any] = {
                "id": stable_id("phone", f"{service.id}#{index}"),
                "service_id": service_uuid,
                "number": phone.number,
                "type": "voice",
            }
            if phone.description:
                phone_record["description"] = phone.description["en"]
                phone_record["x_heroes"] = {"description": _i18n(phone.description)}
            document["phone"].append(phone_record)
        document["schedule"].append(
            {
                "id": stable_id("schedule", service.id),
                "service_id": service_uuid,
                "description": service.hours["en"],
                "x_heroes": {"description": _i18n(service.hours)},
            }
        )
    for location in directory.locations:
        record = {
            "id": stable_id("location", location.id),
            "location_type": location.location_type,
            "name": location.name,
            "x_heroes": {"key": location.id, "country": location.country, "description": _i18n(location.description)},
        }
        if location.description:
            record["description"] = location.description["en"]
        document["location"].append(record)
    for service_key, location_key in directory.links:
        document["service_at_location"].append(
            {
                "id": stable_id("service_at_location", f"{service_key}@{location_key}"),
                "service_id": stable_id("service", service_key),
                "location_id": stable_id("location", location_key),
            }
        )
    return document


def dumps(directory: Directory) -> str:
    return json.dumps(to_hsds(directory), ensure_ascii=False, indent=2) + "\n"


# --- import ---------------------------------------------------------------------------------


@cache
def _hsds_validator() -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / "hsds_directory.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _extra(record: Mapping[str, Any]) -> dict[str, Any]:
    """Our extension object; anything else under that name (another publisher's) is ignored."""
    extra = record.get("x_heroes")
    return extra if isinstance(extra, dict) else {}


def _text(record: Mapping[str, Any], field_name: str) -> dict[str, str]:
    """The translations from x_heroes when present, else the plain HSDS field for every language."""
    translated = _extra(record).get(field_name)
    if isinstance(translated, dict) and translated.get("en"):
        return {k: str(v) for k, v in translated.items()}
    plain = str(record.get(field_name) or "")
    return {"en": plain, "es": plain}


def from_hsds(document: Any, default_country: str | None = None) -> Directory:
    """Parse an HSDS JSON document. Records from other HSDS publishers (no x_heroes extension)
    are accepted: they are marked unverified and need `default_country`."""
    if not isinstance(document, dict):
        raise HeroesError("an HSDS directory must be a JSON object with organization, service, ... arrays")
    errors = sorted(_hsds_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}" for e in errors[:10]]
        raise HeroesError("not a valid HSDS directory:\n  " + "\n  ".join(lines))

    def key(record: Mapping[str, Any]) -> str:
        return str(_extra(record).get("key") or record["id"])

    def country(record: Mapping[str, Any], what: str) -> str:
        found = _extra(record).get("country") or default_country
        if not found:
            raise HeroesError(f"{what} {record['id']} has no country: pass --country for records from other publishers")
        return str(found).upper()

    org_keys = {o["id"]: key(o) for o in document.get("organization", [])}
    service_keys = {s["id"]: key(s) for s in document.get("service", [])}
    location_keys = {loc["id"]: key(loc) for loc in document.get("location", [])}
    phones: dict[str, list[Phone]] = {}
    for phone in document.get("phone", []):
        if phone.get("service_id") not in service_keys:
            continue  # phones of organizations or locations are not used for referral
        description = _text(phone, "description") if phone.get("description") else None
        phones.setdefault(phone["service_id"], []).append(Phone(str(phone["number"]), description))
    hours: dict[str, dict[str, str]] = {}
    for schedule in document.get("schedule", []):
        if schedule.get("service_id") in service_keys and schedule.get("description"):
            hours[schedule["service_id"]] = _text(schedule, "description")

    directory = Directory()
    for org in document.get("organization", []):
        directory.organizations.append(
            Organization(
                id=key(org),
                country=country(org, "organization"),
                name=str(org["name"]),
                description=_text(org, "description"),
                url=org.get("website"),
            )
        )
    for service in document.get("service", []):
        if service.get("organization_id") not in org_keys:
            raise HeroesError(f"service {service['id']} points at an organization that is not in the file")
        extra = _extra(service)
        directory.services.append(
            Service(
                id=key(service),
                country=country(service, "service"),
                organization_id=org_keys[service["organization_id"]],
                name=_text(service, "name"),
                description=_text(service, "description"),
                phones=tuple(phones.get(service["id"], [])),
                hours=hours.get(service["id"], {"en": "Not known", "es": "Desconocido"}),
                audience=tuple(extra.get("audience") or ("adult", "child")),
                verified=bool(extra.get("verified", False)),
                sources=tuple(extra.get("sources") or ()),
                email=service.get("email"),
                url=service.get("url"),
            )
        )
    for location in document.get("location", []):
        directory.locations.append(
            Location(
                id=key(location),
                country=country(location, "location"),
                name=str(location.get("name") or key(location)),
                location_type=str(location["location_type"]),
                description=_text(location, "description") if location.get("description") else None,
            )
        )
    for link in document.get("service_at_location", []):
        if link["service_id"] not in service_keys or link["location_id"] not in location_keys:
            raise HeroesError(f"service_at_location {link['id']} points at a service or location not in the file")
        directory.links.append((service_keys[link["service_id"]], location_keys[link["location_id"]]))
    return directory


def loads(raw: str, default_country: str | None = None) -> Directory:
    try:
        document = json_loads(raw)
    except (json.JSONDecodeError, JsonTooDeep) as exc:
        raise HeroesError(f"not valid JSON: {exc}") from exc
    return from_hsds(document, default_country)
