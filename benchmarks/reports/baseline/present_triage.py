# Frozen copy of the triage rules before issue 13, kept as the benchmark baseline.
"""Triage of a report: which kind of situation it describes, how urgent it is, and why.

Everything here is explainable by construction: a category comes with the phrases that point to
it, and an urgency score is the sum of named reasons, each with its points and its evidence.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from present_rules import (
    category_rules,
    language_rules,
    localized,
    urgency_rules,
)

from heroes.core.errors import HeroesError
from heroes.reports.identifiers import Identifier, extract_identifiers
from heroes.reports.phrases import Hit, find, fold  # the shared matcher

CHILD_CATEGORIES = frozenset({"online_grooming", "sextortion", "csam_online", "contact_abuse"})
OTHER = "other"


@dataclass
class ReportInput:
    """What a reporter tells us; every field but the description is optional."""

    description: str
    category: str | None = None  # what the reporter chose on the form, if anything
    location: str = ""
    occurred_at: datetime | None = None
    when_text: str = ""
    people: str = ""
    ages: str = ""
    how_known: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    vehicles: list[str] = field(default_factory=list)
    danger_now: bool = False
    country: str | None = None  # ISO 3166 code: the region for phone numbers and help numbers

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportInput:
        """Build from JSON-like data, ignoring unknown keys; a list field may be one string."""
        known = set(cls.__dataclass_fields__)
        values = {k: v for k, v in data.items() if k in known}
        for name in ("phones", "emails", "usernames", "urls", "vehicles"):
            value = values.get(name)
            if isinstance(value, str):
                values[name] = [line for line in re.split(r"[\n,;]+", value) if line.strip()]
        occurred = values.get("occurred_at")
        if isinstance(occurred, str) and occurred:
            values["occurred_at"] = datetime.fromisoformat(occurred)
        elif not occurred:
            values["occurred_at"] = None
        if "description" not in values:
            raise HeroesError("a report needs a description")
        return cls(**values)

    def free_text(self) -> str:
        """The narrative fields, joined: what the phrase rules read."""
        parts = [self.description, self.people, self.how_known, self.when_text]
        return "\n".join(part for part in parts if part and part.strip())


# --- language -------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def detect_language(text: str) -> str | None:
    """The language of the text if its marker words make it clear, else None."""
    rules = language_rules()
    words = _WORD.findall(fold(text))
    counts = {lang: sum(1 for w in words if w in markers) for lang, markers in rules.words.items()}
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    best_lang, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if best >= rules.min_words and best >= rules.min_ratio * max(runner_up, 1):
        return best_lang
    return None


def _languages_to_apply(text: str) -> tuple[str | None, tuple[str, ...]]:
    detected = detect_language(text)
    return detected, ((detected,) if detected else tuple(language_rules().words))


# --- category -------------------------------------------------------------------------------


@dataclass
class CategoryScore:
    category: str
    score: int
    strong: list[Hit]
    weak: list[Hit]

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "score": self.score,
            "strong": [h.as_dict() for h in self.strong],
            "weak": [h.as_dict() for h in self.weak],
        }


@dataclass
class Classification:
    category: str  # the best-supported category, or "other" when nothing reaches min_score
    score: int
    share: float  # this category's share of all points found (0..1): how clear-cut it is
    language: str | None
    ranking: list[CategoryScore]  # every category with at least one phrase, best first

    @property
    def evidence(self) -> list[Hit]:
        for item in self.ranking:
            if item.category == self.category:
                return item.strong + item.weak
        return []

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "score": self.score,
            "share": round(self.share, 3),
            "language": self.language,
            "ranking": [item.as_dict() for item in self.ranking],
        }


def _without_overlaps(hits: list[Hit], taken: list[Hit] | None = None) -> list[Hit]:
    """The same words count once: longer phrases win over the shorter ones inside them."""
    kept = list(taken or [])
    for hit in sorted(hits, key=lambda h: h.start - h.end):
        if not any(k.start < hit.end and hit.start < k.end for k in kept):
            kept.append(hit)
    own = [h for h in kept if h in hits]
    return sorted(own, key=lambda h: (h.start, h.end))


def classify(text: str) -> Classification:
    """Suggest the kind of situation a text describes, with the phrases that support it."""
    rules = category_rules()
    folded = fold(text)
    language, langs = _languages_to_apply(text)
    ranking = []
    for key, category in rules.categories.items():
        strong = _without_overlaps([h for lang in langs for h in find(category.strong.get(lang, []), text, folded)])
        weak = _without_overlaps(
            [h for lang in langs for h in find(category.weak.get(lang, []), text, folded)],
            strong,
        )
        score = rules.strong_points * len(strong) + rules.weak_points * len(weak)
        if score:
            ranking.append(CategoryScore(key, score, strong, weak))
    order = list(rules.categories)  # ties go to the category listed first (the more serious)
    ranking.sort(key=lambda item: (-item.score, -len(item.strong), order.index(item.category)))
    total = sum(item.score for item in ranking)
    if ranking and ranking[0].score >= rules.min_score:
        best = ranking[0]
        return Classification(best.category, best.score, best.score / total, language, ranking)
    return Classification(OTHER, 0, 0.0, language, ranking)


# --- urgency --------------------------------------------------------------------------------


@dataclass
class Reason:
    code: str
    points: int
    evidence: list[str]

    def message(self, lang: str = "en") -> str:
        return localized(urgency_rules().reasons[self.code], lang)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "code": self.code,
            "points": self.points,
            "message": self.message(lang),
            "evidence": self.evidence,
        }


@dataclass
class Urgency:
    score: int  # 0..100
    level: str
    reasons: list[Reason]

    def label(self, lang: str = "en") -> str:
        return localized(self._level().label, lang)

    def action(self, lang: str = "en") -> str:
        return localized(self._level().action, lang)

    def _level(self) -> Any:
        return next(lv for lv in urgency_rules().levels if lv.name == self.level)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "score": self.score,
            "level": self.level,
            "label": self.label(lang),
            "action": self.action(lang),
            "reasons": [r.as_dict(lang) for r in self.reasons],
        }


def ages_under(text: str, limit: int, langs: tuple[str, ...] | None = None) -> list[str]:
    """Expressions like "14 years old", "de 12 años", "aged 9" or a bare "15" in an ages field."""
    rules = urgency_rules()
    folded = fold(text)
    langs = langs or tuple(rules.age_after)
    after = [w for lang in langs for w in rules.age_after.get(lang, [])]
    before = [w for lang in langs for w in rules.age_before.get(lang, [])]
    found = []
    if after:
        words = "|".join(re.escape(w) for w in sorted(after, key=len, reverse=True))
        for m in re.finditer(rf"(?<!\d)(\d{{1,2}})\s*-?\s*(?:{words})(?!\w)", folded):
            if int(m.group(1)) < limit:
                found.append(text[m.start() : m.end()])
    if before:
        words = "|".join(re.escape(w) for w in sorted(before, key=len, reverse=True))
        for m in re.finditer(rf"(?<!\w)(?:{words})\s*:?\s*(\d{{1,2}})(?!\d)", folded):
            if int(m.group(1)) < limit:
                found.append(text[m.start() : m.end()])
    return found


def _bare_ages_under(ages_field: str, limit: int) -> list[str]:
    """In the ages field numbers alone are ages ("about 15", "14-16")."""
    return [m.group(0) for m in re.finditer(r"(?<!\d)\d{1,2}(?!\d)", ages_field) if int(m.group(0)) < limit]


def _quotes(hits: list[Hit]) -> list[str]:
    return [hit.quote for hit in hits]


def _distinct(evidence: list[str]) -> list[str]:
    """Evidence without repeats or pieces already contained in a longer item."""
    out: list[str] = []
    for item in sorted(dict.fromkeys(evidence), key=len, reverse=True):
        if not any(fold(item) in fold(longer) for longer in out):
            out.append(item)
    return sorted(out, key=evidence.index)


def assess_urgency(
    report: ReportInput,
    category: str,
    identifiers: list[Identifier] | None = None,
    now: datetime | None = None,
) -> Urgency:
    """Score how urgently a report needs attention (0..100), as a sum of explained reasons."""
    rules = urgency_rules()
    points = rules.points
    text = report.free_text()
    folded = fold(text)
    _, langs = _languages_to_apply(text)

    def hits(signal: str) -> list[Hit]:
        return [h for lang in langs for h in find(rules.phrases[signal].get(lang, []), text, folded)]

    reasons: list[Reason] = []
    danger_hits = hits("danger_now")
    if report.danger_now:
        reasons.append(
            Reason(
                "danger_now_declared",
                points["danger_now_declared"],
                _quotes(danger_hits),
            )
        )
    elif danger_hits:
        reasons.append(Reason("danger_now_text", points["danger_now_text"], _quotes(danger_hits)))

    declared_ages = _bare_ages_under(report.ages, rules.adult_age) + ages_under(text, rules.adult_age, langs)
    if declared_ages or category in CHILD_CATEGORIES:
        evidence = declared_ages or [category]
        reasons.append(Reason("child_declared", points["child_declared"], evidence))
    else:
        child_hits = hits("child")
        if child_hits:
            reasons.append(Reason("child_text", points["child_text"], _quotes(child_hits)))

    places = [i.raw for i in identifiers or [] if i.kind == "address" and i.source == "text"]
    if report.location.strip():
        places.insert(0, report.location.strip())
    place_hits = hits("place")
    if places or place_hits:
        reasons.append(
            Reason(
                "place_given",
                points["place_given"],
                _distinct(places + _quotes(place_hits)),
            )
        )

    time_hits = hits("time")
    time_evidence = ([report.occurred_at.isoformat()] if report.occurred_at else []) + (
        [report.when_text.strip()] if report.when_text.strip() else []
    )
    if time_evidence or time_hits:
        reasons.append(
            Reason(
                "time_given",
                points["time_given"],
                _distinct(time_evidence + _quotes(time_hits)),
            )
        )

    recency = _recency_reason(report, now or datetime.now(UTC))
    if recency is None:
        recent_hits = hits("recent")
        if recent_hits:
            recency = Reason("recent_text", points["recent_text"], _quotes(recent_hits))
    if recency is not None:
        reasons.append(recency)

    score = min(100, sum(r.points for r in reasons))
    level = next(lv.name for lv in rules.levels if score >= lv.min)
    return Urgency(score, level, reasons)


def _recency_reason(report: ReportInput, now: datetime) -> Reason | None:
    if report.occurred_at is None:
        return None
    occurred = report.occurred_at
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    days = (now - occurred).total_seconds() / 86400
    if days < -1:
        return None  # a date in the future is a typo or a plan: no recency claim either way
    rules = urgency_rules()
    for window in ("day", "week", "month"):
        if days <= rules.recency_days[window]:
            code = f"recent_{window}"
            return Reason(code, rules.points[code], [occurred.isoformat()])
    return None


# --- the whole triage -----------------------------------------------------------------------


@dataclass
class Triage:
    category: str  # what the queue shows: the reporter's choice unless they chose "other"
    reporter_category: str | None
    classification: Classification
    urgency: Urgency
    identifiers: list[Identifier]

    @property
    def disagreement(self) -> bool:
        """The reporter chose one kind and the text clearly points to another."""
        return bool(
            self.reporter_category
            and self.reporter_category != OTHER
            and self.classification.category not in (OTHER, self.reporter_category)
        )

    def category_label(self, lang: str = "en") -> str:
        return category_label(self.category, lang)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "category": self.category,
            "category_label": self.category_label(lang),
            "reporter_category": self.reporter_category,
            "suggested_category": self.classification.category,
            "disagreement": self.disagreement,
            "classification": self.classification.as_dict(),
            "urgency": self.urgency.as_dict(lang),
            "identifiers": [asdict(i) for i in self.identifiers],
        }


def category_label(key: str, lang: str = "en") -> str:
    category = category_rules().categories.get(key)
    return localized(category.label, lang) if category else key


def category_keys() -> tuple[str, ...]:
    return tuple(category_rules().categories)


def triage(report: ReportInput, now: datetime | None = None) -> Triage:
    """Classify, extract identifiers and score urgency of one report."""
    if report.category is not None and report.category not in category_rules().categories:
        raise HeroesError(f"unknown category {report.category!r}; use one of {', '.join(category_keys())}")
    classification = classify(report.free_text())
    chosen = report.category if report.category and report.category != OTHER else None
    category = chosen or classification.category
    identifiers = extract_identifiers(report)
    urgency = assess_urgency(report, category, identifiers, now)
    return Triage(category, report.category, classification, urgency, identifiers)
