"""The reviewed screening content: load the YAML data files, check them, expose typed objects.

Every file is validated against its JSON Schema (schemas/), then cross-checked: ids unique,
every reference (source, service, organisation, level, sector, form, country) resolves. Countries
are discovered from data/countries/*.yaml, so adding a country is adding one file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from heroes.core.errors import HeroesError
from heroes.core.i18n import localized

PACKAGE_DIR = Path(__file__).parent
DATA_DIR = PACKAGE_DIR / "data"
SCHEMA_DIR = PACKAGE_DIR / "schemas"
ALL = "all"
AGES = ("adult", "child")

Text = Mapping[str, str]


class ContentError(HeroesError):
    """The data files are inconsistent; `problems` lists every problem found, not just the first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("screening content is invalid:\n  " + "\n  ".join(problems), status_code=500)
        self.problems = problems


def text(value: Text | None, lang: str) -> str:
    return localized(dict(value) if value else None, lang)


@dataclass(frozen=True)
class Term:
    id: str
    label: Text
    focus_forms: tuple[str, ...] = ()  # sectors only: forms whose strong signs are key signs


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    year: int | None = None
    url: str | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    form: str
    strength: str  # "strong" or "supporting"
    ages: tuple[str, ...]
    sectors: tuple[str, ...]
    countries: tuple[str, ...]
    observe: Text
    sources: tuple[str, ...]
    always_shown: bool = False  # never folded away among "more signs"

    def applies(self, country: str, sector: str | None, age: str) -> bool:
        return (
            age in self.ages
            and (ALL in self.countries or country in self.countries)
            and (sector is None or ALL in self.sectors or sector in self.sectors)
        )


@dataclass(frozen=True)
class DangerSign:
    id: str
    ask: Text
    ages: tuple[str, ...] = AGES


@dataclass(frozen=True)
class Level:
    id: str
    rank: int
    label: Text
    advice: Text
    danger: bool = False
    thresholds: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Phone:
    number: str
    description: Text | None = None

    @property
    def dial(self) -> str:
        """The number as a tel: link wants it (digits and a leading +)."""
        return "".join(ch for ch in self.number if ch.isdigit() or ch == "+")


@dataclass(frozen=True)
class Organization:
    id: str
    country: str
    name: str
    description: Text
    url: str | None = None


@dataclass(frozen=True)
class Service:
    id: str
    country: str
    organization_id: str
    name: Text
    description: Text
    phones: tuple[Phone, ...]
    hours: Text
    audience: tuple[str, ...]
    verified: bool
    sources: tuple[str, ...]
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ReferralStep:
    id: str
    ages: tuple[str, ...]
    min_level: str
    service_id: str
    action: Text
    say: Text
    consent: str | None = None  # "given" / "declined": only in that branch (adults)


@dataclass(frozen=True)
class Country:
    code: str
    aliases: tuple[str, ...]
    name: Text
    emergency_service_id: str
    legal_frame: Text
    who_to_tell: Text
    consent_adult: Text
    consent_child: Text
    organizations: tuple[Organization, ...]
    services: tuple[Service, ...]
    referral: tuple[ReferralStep, ...]


@dataclass(frozen=True)
class GuideDimension:
    id: str
    name: Text
    observe: Text
    respond: Text


@dataclass(frozen=True)
class Guide:
    id: str
    title: Text
    purpose: Text
    no_score: Text
    sources: tuple[str, ...]
    dimensions: tuple[GuideDimension, ...]
    general_responses: tuple[Text, ...]


@dataclass(frozen=True)
class Content:
    languages: tuple[str, ...]
    language_names: Mapping[str, str]
    sectors: tuple[Term, ...]
    forms: tuple[Term, ...]
    strengths: tuple[Term, ...]
    ages: tuple[Term, ...]
    levels: tuple[Level, ...]  # most serious first
    labels: Mapping[str, Text]
    sources: Mapping[str, Source]
    indicators: Mapping[str, Indicator]  # in file order
    danger_signs: tuple[DangerSign, ...]
    emergency_step: Mapping[str, Text]
    safety_steps: tuple[tuple[str, Text], ...]
    countries: Mapping[str, Country]
    guide: Guide

    def label(self, key: str, lang: str) -> str:
        return text(self.labels[key], lang)

    def term(self, terms: Iterable[Term], term_id: str, lang: str) -> str:
        for term in terms:
            if term.id == term_id:
                return text(term.label, lang)
        return term_id

    def level(self, level_id: str) -> Level:
        return next(level for level in self.levels if level.id == level_id)

    def country(self, code: str) -> Country:
        wanted = code.strip().upper()
        for country in self.countries.values():
            if wanted == country.code or wanted in country.aliases:
                return country
        known = ", ".join(sorted(self.countries))
        raise HeroesError(f"unknown country {code!r}: choose one of {known}")

    def services(self) -> dict[str, Service]:
        return {s.id: s for c in self.countries.values() for s in c.services}

    def organizations(self) -> dict[str, Organization]:
        return {o.id: o for c in self.countries.values() for o in c.organizations}

    def sector(self, sector_id: str) -> Term:
        return next(s for s in self.sectors if s.id == sector_id)

    def check_sector(self, sector: str | None) -> str | None:
        if sector is None or sector == ALL:
            return None
        ids = [s.id for s in self.sectors]
        if sector not in ids:
            raise HeroesError(f"unknown sector {sector!r}: choose one of {', '.join(ids)}")
        return sector

    def check_language(self, lang: str | None) -> str:
        tag = (lang or "en").replace("_", "-").split("-")[0].lower()
        return tag if tag in self.languages else "en"


# --- loading and checking -----------------------------------------------------------------


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when libyaml is there


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_SAFE_LOADER)  # noqa: S506 - CSafeLoader/SafeLoader only


@cache
def _registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(schema)))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def validator(schema_name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{schema_name}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=_registry())


def data_files(data_dir: Path = DATA_DIR) -> list[tuple[Path, str]]:
    """Every data file with the name of the schema it must satisfy."""
    files = [
        (data_dir / "vocabulary.yaml", "vocabulary"),
        (data_dir / "sources.yaml", "sources"),
        (data_dir / "safety.yaml", "safety"),
    ]
    files += [(p, "indicators") for p in sorted((data_dir / "indicators").glob("*.yaml"))]
    files += [(p, "country") for p in sorted((data_dir / "countries").glob("*.yaml"))]
    files += [(p, "guide") for p in sorted((data_dir / "guide").glob("*.yaml"))]
    return files


def _schema_problems(path: Path, document: Any, schema_name: str, root: Path) -> list[str]:
    problems = []
    for error in sorted(validator(schema_name).iter_errors(document), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        problems.append(f"{path.relative_to(root)}: {where}: {error.message}")
    return problems


def _texts(node: Any) -> Iterable[dict[str, Any]]:
    """Every {"en": ..., "es": ...} value inside a document."""
    if isinstance(node, dict):
        if "en" in node and "es" in node:
            yield node
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def _duplicates(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    dupes = []
    for item in ids:
        if item in seen:
            dupes.append(item)
        seen.add(item)
    return dupes


def load_content(data_dir: Path = DATA_DIR) -> Content:
    """Read, validate and cross-check every data file; raise ContentError listing all problems."""
    problems: list[str] = []
    documents: dict[Path, Any] = {}
    for path, schema_name in data_files(data_dir):
        if not path.exists():
            problems.append(f"{path.relative_to(data_dir)}: missing")
            continue
        try:
            document = _read_yaml(path)
        except yaml.YAMLError as exc:
            problems.append(f"{path.relative_to(data_dir)}: not valid YAML: {exc}")
            continue
        problems += _schema_problems(path, document, schema_name, data_dir)
        documents[path] = document
    if problems:
        raise ContentError(problems)
    content = _build(data_dir, documents)
    problems += cross_check(content, documents, data_dir)
    if problems:
        raise ContentError(problems)
    return content


@cache
def get_content() -> Content:
    """The shipped content, loaded once per process."""
    return load_content(DATA_DIR)


def guide_as_dict(content: Content, lang: str) -> dict[str, Any]:
    """The trauma-bonding observation guide in one language, as the CLI and the API give it."""
    g = content.guide
    return {
        "id": g.id,
        "title": text(g.title, lang),
        "purpose": text(g.purpose, lang),
        "no_score": text(g.no_score, lang),
        "dimensions": [
            {
                "id": d.id,
                "name": text(d.name, lang),
                "observe": text(d.observe, lang),
                "respond": text(d.respond, lang),
            }
            for d in g.dimensions
        ],
        "general_responses": [text(r, lang) for r in g.general_responses],
        "sources": [content.sources[s].title for s in g.sources],
    }


def _build(data_dir: Path, documents: dict[Path, Any]) -> Content:
    vocab = documents[data_dir / "vocabulary.yaml"]
    sources_doc = documents[data_dir / "sources.yaml"]
    safety = documents[data_dir / "safety.yaml"]

    def terms(key: str) -> tuple[Term, ...]:
        return tuple(Term(t["id"], t["label"], tuple(t.get("focus_forms", ()))) for t in vocab[key])

    indicators: dict[str, Indicator] = {}
    for path in sorted((data_dir / "indicators").glob("*.yaml")):
        doc = documents[path]
        for item in doc["indicators"]:
            indicators.setdefault(
                item["id"],
                Indicator(
                    id=item["id"],
                    form=doc["form"],
                    strength=item["strength"],
                    ages=tuple(item["ages"]),
                    sectors=tuple(item["sectors"]),
                    countries=tuple(item["countries"]),
                    observe=item["observe"],
                    sources=tuple(item["sources"]),
                    always_shown=bool(item.get("always_shown", False)),
                ),
            )
    countries: dict[str, Country] = {}
    for path in sorted((data_dir / "countries").glob("*.yaml")):
        doc = documents[path]
        code = doc["code"]
        countries[code] = Country(
            code=code,
            aliases=tuple(doc.get("aliases", ())),
            name=doc["name"],
            emergency_service_id=doc["emergency_service"],
            legal_frame=doc["legal_frame"],
            who_to_tell=doc["who_to_tell"],
            consent_adult=doc["consent"]["adult"],
            consent_child=doc["consent"]["child"],
            organizations=tuple(
                Organization(o["id"], code, o["name"], o["description"], o.get("url")) for o in doc["organizations"]
            ),
            services=tuple(
                Service(
                    id=s["id"],
                    country=code,
                    organization_id=s["organization"],
                    name=s["name"],
                    description=s["description"],
                    phones=tuple(Phone(p["number"], p.get("description")) for p in s["phones"]),
                    hours=s["hours"],
                    audience=tuple(s["audience"]),
                    verified=s["verified"],
                    sources=tuple(s["sources"]),
                    email=s.get("email"),
                    url=s.get("url"),
                )
                for s in doc["services"]
            ),
            referral=tuple(
                ReferralStep(
                    id=r["id"],
                    ages=tuple(r["ages"]),
                    min_level=r["min_level"],
                    service_id=r["service"],
                    action=r["action"],
                    say=r["say"],
                    consent=r.get("consent"),
                )
                for r in doc["referral"]
            ),
        )
    guide_paths = sorted((data_dir / "guide").glob("*.yaml"))
    guide_doc = documents[guide_paths[0]]
    guide = Guide(
        id=guide_doc["id"],
        title=guide_doc["title"],
        purpose=guide_doc["purpose"],
        no_score=guide_doc["no_score"],
        sources=tuple(guide_doc["sources"]),
        dimensions=tuple(
            GuideDimension(d["id"], d["name"], d["observe"], d["respond"]) for d in guide_doc["dimensions"]
        ),
        general_responses=tuple(guide_doc["general_responses"]),
    )
    levels = tuple(
        Level(
            id=lv["id"],
            rank=lv["rank"],
            label=lv["label"],
            advice=lv["advice"],
            danger=lv.get("danger", False),
            thresholds=lv.get("thresholds", {}),
        )
        for lv in sorted(vocab["levels"], key=lambda lv: -lv["rank"])
    )
    return Content(
        languages=tuple(lang["code"] for lang in vocab["languages"]),
        language_names={lang["code"]: lang["name"] for lang in vocab["languages"]},
        sectors=terms("sectors"),
        forms=terms("forms"),
        strengths=terms("strengths"),
        ages=terms("ages"),
        levels=levels,
        labels=vocab["labels"],
        sources={
            s["id"]: Source(s["id"], s["title"], s["publisher"], s.get("year"), s.get("url"))
            for s in sources_doc["sources"]
        },
        indicators=indicators,
        danger_signs=tuple(DangerSign(d["id"], d["ask"], tuple(d.get("ages", AGES))) for d in safety["danger_signs"]),
        emergency_step=safety["emergency_step"],
        safety_steps=tuple((s["id"], s["text"]) for s in safety["steps"]),
        countries=countries,
        guide=guide,
    )


def cross_check(content: Content, documents: dict[Path, Any], data_dir: Path) -> list[str]:
    """Problems a schema cannot see: duplicate ids and references that do not resolve."""
    problems: list[str] = []
    all_indicator_ids = [
        item["id"]
        for path in sorted((data_dir / "indicators").glob("*.yaml"))
        for item in documents[path]["indicators"]
    ]
    sources_doc = documents[data_dir / "sources.yaml"]
    checks = {
        "indicator or danger-sign id": all_indicator_ids + [d.id for d in content.danger_signs],
        "source id": [s["id"] for s in sources_doc["sources"]],
        "service id": [s.id for c in content.countries.values() for s in c.services],
        "organization id": [o.id for c in content.countries.values() for o in c.organizations],
        "referral step id": [r.id for c in content.countries.values() for r in c.referral],
        "country code or alias": [code for c in content.countries.values() for code in (c.code, *c.aliases)],
        "level id": [lv.id for lv in content.levels],
        "level rank": [str(lv.rank) for lv in content.levels],
        "guide dimension id": [d.id for d in content.guide.dimensions],
    }
    for what, ids in checks.items():
        problems += [f"duplicate {what}: {dupe}" for dupe in _duplicates(ids)]

    sectors = {s.id for s in content.sectors}
    forms = {f.id for f in content.forms}
    levels = {lv.id for lv in content.levels}
    codes = set(content.countries)
    for ind in content.indicators.values():
        where = f"indicator {ind.id}"
        if ind.form not in forms:
            problems.append(f"{where}: unknown form {ind.form!r}")
        problems += [f"{where}: unknown sector {s!r}" for s in ind.sectors if s != ALL and s not in sectors]
        problems += [f"{where}: unknown country {c!r}" for c in ind.countries if c != ALL and c not in codes]
        problems += [f"{where}: unknown source {s!r}" for s in ind.sources if s not in content.sources]
        if ALL in ind.sectors and len(ind.sectors) > 1:
            problems.append(f"{where}: 'all' sectors must stand alone")
    problems += [f"guide: unknown source {s!r}" for s in content.guide.sources if s not in content.sources]
    for sector in content.sectors:
        problems += [f"sector {sector.id}: unknown focus form {f!r}" for f in sector.focus_forms if f not in forms]

    for path, schema_name in data_files(data_dir):
        if schema_name == "country" and path.stem != documents[path]["code"]:
            problems.append(f"{path.name}: file name must be the country code {documents[path]['code']}.yaml")
    for country in content.countries.values():
        where = f"country {country.code}"
        services = {s.id: s for s in country.services}
        orgs = {o.id for o in country.organizations}
        emergency = services.get(country.emergency_service_id)
        if emergency is None:
            problems.append(f"{where}: emergency service {country.emergency_service_id!r} is not one of its services")
        elif not emergency.phones:
            problems.append(f"{where}: emergency service {emergency.id} has no phone number")
        for service in country.services:
            if service.organization_id not in orgs:
                problems.append(f"{where}: service {service.id} names unknown organization {service.organization_id!r}")
            problems += [
                f"{where}: service {service.id}: unknown source {s!r}"
                for s in service.sources
                if s not in content.sources
            ]
        for step in country.referral:
            if step.service_id not in services:
                problems.append(f"{where}: referral step {step.id} points at unknown service {step.service_id!r}")
            if step.min_level not in levels:
                problems.append(f"{where}: referral step {step.id}: unknown level {step.min_level!r}")
            if step.consent and step.ages != ("adult",):
                problems.append(f"{where}: referral step {step.id}: a consent branch is for adults only")
        for age in AGES:
            if not any(age in step.ages for step in country.referral):
                problems.append(f"{where}: no referral step for {age}")

    languages = set(content.languages)
    for path, document in documents.items():
        for value in _texts(document):
            unknown = set(value) - languages
            if unknown:
                problems.append(f"{path.relative_to(data_dir)}: text in unknown language(s) {sorted(unknown)}")
    if content.levels[-1].thresholds or content.levels[-1].danger:
        problems.append("vocabulary: the last level must have no rule (it is the fallback)")
    return problems
