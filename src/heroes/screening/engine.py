"""Screening: the guided checklist and the assessment of what the professional observed.

Plain library, no web or CLI code. Every result says why (the indicators and the rule that set
the level) and what to do next (safety first, then the country's referral steps in order).
Nothing here stores anything.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from heroes.core.errors import HeroesError

from .content import Content, Country, Indicator, Level, Service, Term, get_content, text

Consent = Literal["given", "declined", "unknown"]
CONSENT_VALUES: tuple[str, ...] = ("given", "declined", "unknown")


# --- checklist -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    strength: str | None = None  # None for danger questions


@dataclass(frozen=True)
class ChecklistGroup:
    form: str
    label: str
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class Checklist:
    country: str
    country_name: str
    sector: str | None
    sector_label: str | None
    child: bool
    lang: str
    danger_question: str
    danger: tuple[ChecklistItem, ...]
    key_label: str
    key: tuple[ChecklistItem, ...]  # the short list: asked first
    more_label: str
    groups: tuple[ChecklistGroup, ...]  # the other applicable signs, by form of exploitation
    # Asked only about adults: a child is never asked for consent.
    consent_question: str | None
    consent_options: tuple[tuple[str, str], ...]

    def item_ids(self) -> list[str]:
        return [item.id for item in self.key] + [item.id for group in self.groups for item in group.items]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _age(child: bool) -> str:
    return "child" if child else "adult"


def applicable_indicators(content: Content, country: str, sector: str | None, child: bool) -> list[Indicator]:
    """Indicators that apply, sector-specific ones first, then strong before supporting."""
    found = [ind for ind in content.indicators.values() if ind.applies(country, sector, _age(child))]
    return sorted(found, key=lambda ind: ("all" in ind.sectors, ind.strength != "strong"))


def is_key_sign(ind: Indicator, sector: Term | None, child: bool) -> bool:
    """Shown first: signs named for the sector, strong general signs, strong signs of the forms
    the sector meets most, and for a child the strong signs that only concern children. The rest
    stays one tap away, grouped by form."""
    if ind.always_shown or (sector is not None and sector.id in ind.sectors):
        return True
    if ind.strength != "strong":
        return False
    focus = sector.focus_forms if sector is not None else ()
    return ind.form == "general" or ind.form in focus or (child and ind.ages == ("child",))


def checklist(
    country: str,
    sector: str | None = None,
    child: bool = False,
    lang: str = "en",
    content: Content | None = None,
) -> Checklist:
    content = content or get_content()
    place = content.country(country)
    sector = content.check_sector(sector)
    lang = content.check_language(lang)
    age = _age(child)
    indicators = applicable_indicators(content, place.code, sector, child)
    sector_term = content.sector(sector) if sector else None
    key = [ind for ind in indicators if is_key_sign(ind, sector_term, child)]
    more = [ind for ind in indicators if ind not in key]
    groups = []
    for form in content.forms:
        items = tuple(
            ChecklistItem(ind.id, text(ind.observe, lang), ind.strength) for ind in more if ind.form == form.id
        )
        if items:
            groups.append(ChecklistGroup(form.id, text(form.label, lang), items))
    danger = tuple(ChecklistItem(d.id, text(d.ask, lang)) for d in content.danger_signs if age in d.ages)
    consent_options = tuple((value, content.label(f"consent_{value}", lang)) for value in CONSENT_VALUES)
    return Checklist(
        country=place.code,
        country_name=text(place.name, lang),
        sector=sector,
        sector_label=content.term(content.sectors, sector, lang) if sector else None,
        child=child,
        lang=lang,
        danger_question=content.label("danger_question", lang),
        danger=danger,
        key_label=content.label("key_signs", lang),
        key=tuple(ChecklistItem(ind.id, text(ind.observe, lang), ind.strength) for ind in key),
        more_label=content.label("more_signs", lang),
        groups=tuple(groups),
        consent_question=None if child else content.label("consent_question", lang),
        consent_options=() if child else consent_options,
    )


# --- answers --------------------------------------------------------------------------------


@dataclass
class Answers:
    """What the professional ticked. No names, no free text about the person."""

    country: str
    sector: str | None = None
    child: bool = False
    observed: list[str] = field(default_factory=list)
    danger: list[str] = field(default_factory=list)
    danger_now: bool = False  # "someone is in danger now" even if no listed danger sign fits
    consent: Consent = "unknown"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answers:
        if not isinstance(data, Mapping):
            raise HeroesError("answers must be a JSON object with at least 'country' and 'observed'")
        unknown = set(data) - {"country", "sector", "child", "observed", "danger", "danger_now", "consent", "lang"}
        if unknown:
            raise HeroesError(f"unknown field(s) in answers: {', '.join(sorted(unknown))}")
        if not isinstance(data.get("country"), str):
            raise HeroesError("answers need 'country', for example \"UK\"")
        for key in ("observed", "danger"):
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise HeroesError(f"'{key}' must be a list of indicator ids")
        consent = data.get("consent", "unknown")
        if consent not in CONSENT_VALUES:
            raise HeroesError(f"'consent' must be one of {', '.join(CONSENT_VALUES)}")
        child = data.get("child", False)
        if not isinstance(child, bool):
            raise HeroesError("'child' must be true or false")
        return cls(
            country=data["country"],
            sector=data.get("sector"),
            child=child,
            observed=list(data.get("observed", [])),
            danger=list(data.get("danger", [])),
            danger_now=bool(data.get("danger_now", False)),
            consent=consent,
        )


# --- assessment -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ObservedIndicator:
    id: str
    text: str
    strength: str
    strength_label: str
    form: str
    form_label: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PhoneOut:
    number: str
    dial: str


@dataclass(frozen=True)
class ServiceOut:
    id: str
    name: str
    description: str
    phones: tuple[PhoneOut, ...]
    hours: str
    verified: bool
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Step:
    id: str
    action: str
    say: str
    service: ServiceOut | None
    condition: str | None = None  # e.g. "If the adult does not agree"
    emergency: bool = False


@dataclass(frozen=True)
class ConsentRule:
    applies_to: str  # "adult" or "child"
    ask: bool  # False for a child, always
    rule: str
    answer: str | None  # what the professional recorded (adults only)


@dataclass(frozen=True)
class Assessment:
    country: str
    country_name: str
    sector: str | None
    sector_label: str | None
    child: bool
    lang: str
    level: str
    level_rank: int
    level_label: str
    advice: str
    reasons: tuple[str, ...]
    indicators: tuple[ObservedIndicator, ...]
    danger_now: bool
    danger_signs: tuple[str, ...]
    safety_steps: tuple[Step, ...]
    referral_steps: tuple[Step, ...]
    consent: ConsentRule
    legal_frame: str
    who_to_tell: str
    not_a_diagnosis: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _service_out(service: Service, lang: str) -> ServiceOut:
    return ServiceOut(
        id=service.id,
        name=text(service.name, lang),
        description=text(service.description, lang),
        phones=tuple(PhoneOut(p.number, p.dial) for p in service.phones),
        hours=text(service.hours, lang),
        verified=service.verified,
        email=service.email,
        url=service.url,
    )


def decide_level(content: Content, strong: int, supporting: int, child: bool, danger: bool) -> tuple[Level, str | None]:
    """The most serious level whose rule is met, and which rule it was (for the explanation)."""
    age = _age(child)
    for level in content.levels:
        if level.danger and danger:
            return level, "danger"
        rule = level.thresholds.get(age, {})
        if "strong" in rule and strong >= rule["strong"]:
            return level, "strong"
        if "supporting" in rule and strong + supporting >= rule["supporting"]:
            # a strong sign also counts as a supporting one: never rank lower for being stronger
            return level, "supporting"
    return content.levels[-1], None


def _check_ids(content: Content, ids: Iterable[str], known: set[str], what: str) -> None:
    missing = sorted(set(ids) - known)
    if missing:
        raise HeroesError(f"unknown {what}: {', '.join(missing)} (see `heroes screening checklist`)")


def assess(
    answers: Answers,
    lang: str = "en",
    content: Content | None = None,
    services: Mapping[str, Service] | None = None,
) -> Assessment:
    """Level of concern, the reasons, safety steps and the country's referral steps in order.

    `services` lets the caller use the referral directory as edited by admins (the database)
    instead of the shipped data; steps still come from the reviewed country file.
    """
    content = content or get_content()
    place = content.country(answers.country)
    sector = content.check_sector(answers.sector)
    lang = content.check_language(lang)
    age = _age(answers.child)
    _check_ids(content, answers.observed, set(content.indicators), "indicator id(s)")
    _check_ids(content, answers.danger, {d.id for d in content.danger_signs}, "danger sign id(s)")

    observed = [content.indicators[i] for i in dict.fromkeys(answers.observed)]
    not_for_age = [ind.id for ind in observed if age not in ind.ages]
    if not_for_age:
        raise HeroesError(
            f"indicator(s) {', '.join(not_for_age)} do not apply to {'a child' if answers.child else 'an adult'}"
        )
    strong = sum(1 for ind in observed if ind.strength == "strong")
    supporting = len(observed) - strong
    danger = answers.danger_now or bool(answers.danger)
    level, rule = decide_level(content, strong, supporting, answers.child, danger)

    reasons = []
    if danger:
        reasons.append(content.label("danger_reported", lang))
    if observed:
        reasons.append(
            f"{content.label('strong_count', lang)}: {strong} · {content.label('supporting_count', lang)}: {supporting}"
        )
    if rule in ("strong", "supporting"):
        threshold = level.thresholds[age][rule]
        counted = "strong_count" if rule == "strong" else "all_count"
        reasons.append(
            f"{text(level.label, lang)}: {content.label('level_rule_met', lang)} "
            f"({content.label(counted, lang)} \u2265 {threshold})"
        )

    directory = dict(content.services())
    if services:
        directory.update(services)
    safety = _safety_steps(content, place, directory, danger, lang)
    steps = _referral_steps(content, place, directory, level, answers, lang)
    if answers.child:
        consent = ConsentRule("child", False, text(place.consent_child, lang), None)
    else:
        consent = ConsentRule(
            "adult", True, text(place.consent_adult, lang), content.label(f"consent_{answers.consent}", lang)
        )
    return Assessment(
        country=place.code,
        country_name=text(place.name, lang),
        sector=sector,
        sector_label=content.term(content.sectors, sector, lang) if sector else None,
        child=answers.child,
        lang=lang,
        level=level.id,
        level_rank=level.rank,
        level_label=text(level.label, lang),
        advice=text(level.advice, lang),
        reasons=tuple(reasons),
        indicators=tuple(
            ObservedIndicator(
                id=ind.id,
                text=text(ind.observe, lang),
                strength=ind.strength,
                strength_label=content.term(content.strengths, ind.strength, lang),
                form=ind.form,
                form_label=content.term(content.forms, ind.form, lang),
                sources=ind.sources,
            )
            for ind in sorted(observed, key=lambda ind: ind.strength != "strong")
        ),
        danger_now=danger,
        danger_signs=tuple(text(d.ask, lang) for d in content.danger_signs if d.id in answers.danger),
        safety_steps=safety,
        referral_steps=steps,
        consent=consent,
        legal_frame=text(place.legal_frame, lang),
        who_to_tell=text(place.who_to_tell, lang),
        not_a_diagnosis=content.label("not_a_diagnosis", lang),
    )


def emergency_sentence(content: Content, name: str, phone: str, lang: str) -> str:
    """Say the number once: "Llame ahora al 112.", not "Llame ahora a Emergencias 112 al 112."."""
    digits = "".join(str(unicodedata.digit(ch)) for ch in phone if ch.isdigit())
    name_digits = "".join(str(unicodedata.digit(ch)) for ch in name if ch.isdigit())
    key = (
        "action_number" if digits and digits in name_digits and "action_number" in content.emergency_step else "action"
    )
    return text(content.emergency_step[key], lang).format(emergency_name=name, emergency_phone=phone)


def _safety_steps(
    content: Content, place: Country, directory: Mapping[str, Service], danger: bool, lang: str
) -> tuple[Step, ...]:
    steps = []
    if danger:
        emergency = directory[place.emergency_service_id]
        values = {
            "emergency_name": text(emergency.name, lang),
            "emergency_phone": emergency.phones[0].number if emergency.phones else "",
        }
        steps.append(
            Step(
                id="emergency",
                action=emergency_sentence(content, values["emergency_name"], values["emergency_phone"], lang),
                say=text(content.emergency_step["say"], lang),
                service=_service_out(emergency, lang),
                emergency=True,
            )
        )
    steps += [Step(id=step_id, action=text(body, lang), say="", service=None) for step_id, body in content.safety_steps]
    return tuple(steps)


def _referral_steps(
    content: Content,
    place: Country,
    directory: Mapping[str, Service],
    level: Level,
    answers: Answers,
    lang: str,
) -> tuple[Step, ...]:
    age = _age(answers.child)
    steps = []
    for step in place.referral:
        if age not in step.ages or level.rank < content.level(step.min_level).rank:
            continue
        condition = None
        if step.consent:
            if answers.child:
                continue  # never reached: consent branches are adults-only (checked on load)
            if answers.consent != "unknown" and answers.consent != step.consent:
                continue
            condition = content.label("if_consents" if step.consent == "given" else "if_declines", lang)
        service = directory.get(step.service_id)
        steps.append(
            Step(
                id=step.id,
                action=text(step.action, lang),
                say=text(step.say, lang),
                service=_service_out(service, lang) if service else None,
                condition=condition,
            )
        )
    return tuple(steps)


@dataclass(frozen=True)
class OverviewStep:
    from_level: str  # the lowest level of concern at which the step applies
    step: Step


def referral_overview(
    country: str,
    child: bool,
    lang: str = "en",
    content: Content | None = None,
    services: Mapping[str, Service] | None = None,
) -> tuple[OverviewStep, ...]:
    """Every referral step of a country for an adult or a child, whatever the level, so a page can
    show whom to call even before (or without) an assessment - e.g. when the connection drops."""
    content = content or get_content()
    place = content.country(country)
    lang = content.check_language(lang)
    directory = dict(content.services())
    if services:
        directory.update(services)
    age = _age(child)
    found = []
    for step in place.referral:
        if age not in step.ages:
            continue
        service = directory.get(step.service_id)
        condition = None
        if step.consent:
            condition = content.label("if_consents" if step.consent == "given" else "if_declines", lang)
        found.append(
            OverviewStep(
                from_level=text(content.level(step.min_level).label, lang),
                step=Step(
                    id=step.id,
                    action=text(step.action, lang),
                    say=text(step.say, lang),
                    service=_service_out(service, lang) if service else None,
                    condition=condition,
                ),
            )
        )
    return tuple(found)
