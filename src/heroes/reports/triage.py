"""Triage of a report: which kind of situation it describes, how urgent it is, and why.

Everything here is explainable by construction: a category comes with the phrases that point to
it, and an urgency score is the sum of named reasons, each with its points and its evidence.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np

from heroes.core.errors import HeroesError
from heroes.reports.facts import Fact, ages_in_field, extract_facts, fact_rules
from heroes.reports.identifiers import Identifier, extract_identifiers
from heroes.reports.phrases import Hit, find
from heroes.reports.rules import (
    Condition,
    Level,
    category_rules,
    language_rules,
    urgency_rules,
)
from heroes.text import fold, localized

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


@lru_cache(maxsize=64)  # the category and the urgency of one report both ask
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


def phrase_evidence(text: str) -> Classification:
    """The phrase rules' reading of a text: every category with the phrases that point to it."""
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


@dataclass
class Suggestion:
    """The suggested category: the learned model's choice (or the phrase rules' without a model),
    with what supports it: the phrases that fired and the kinds of the most similar known reports."""

    category: str
    confidence: float  # the model's probability for it (the phrase share without a model)
    method: str  # "model" or "phrases"
    alternatives: list[tuple[str, float]]  # the next most likely categories
    phrases: Classification
    neighbours: list[tuple[str, float]]  # (category, cosine similarity) of the nearest labelled reports
    model_version: str | None = None

    @property
    def language(self) -> str | None:
        return self.phrases.language

    @property
    def evidence(self) -> list[Hit]:
        """The phrases behind the suggested category."""
        for item in self.phrases.ranking:
            if item.category == self.category:
                return item.strong + item.weak
        return []

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "confidence": round(self.confidence, 3),
            "method": self.method,
            "model_version": self.model_version,
            "language": self.language,
            "alternatives": [{"category": c, "probability": round(p, 3)} for c, p in self.alternatives],
            "phrases": [h.as_dict() for h in self.evidence],
            "similar_reports": [{"category": c, "similarity": round(sim, 3)} for c, sim in self.neighbours],
            "ranking": [item.as_dict() for item in self.phrases.ranking],
        }


def suggest_many(texts: list[str]) -> list[Suggestion]:
    """Suggest categories for many texts at once (one batch through the encoder)."""
    from heroes.reports import model

    evidence = [phrase_evidence(t) for t in texts]
    saved = model.shipped()
    # A blank text is answered by the phrases alone (below): when every text is blank, no vector
    # would be used, so the encoder is not run.
    if saved is None or not any(text.strip() for text in texts):
        return [_phrase_suggestion(e) for e in evidence]
    clf = saved.classifier
    classes = [str(c) for c in clf.classes_]
    vectors = model.embed(texts)
    phrases = np.zeros((len(texts), len(classes)), dtype=np.float32)
    index = {c: i for i, c in enumerate(classes)}
    for row, item in enumerate(evidence):
        for score in item.ranking:
            if score.category in index:
                phrases[row, index[score.category]] = score.score / (score.score + 3.0)
    proba = clf.predict_proba_features(vectors, phrases)
    out = []
    for row, text in enumerate(texts):
        order = np.argsort(-proba[row])
        best = classes[order[0]]
        if not text.strip():
            out.append(_phrase_suggestion(evidence[row]))
            continue
        out.append(
            Suggestion(
                category=best,
                confidence=float(proba[row, order[0]]),
                method="model",
                alternatives=[(classes[i], float(proba[row, i])) for i in order[1:3]],
                phrases=evidence[row],
                neighbours=clf.neighbours(vectors[row]),
                model_version=saved.version,
            )
        )
    return out


def _phrase_suggestion(evidence: Classification) -> Suggestion:
    alternatives = [(i.category, 0.0) for i in evidence.ranking if i.category != evidence.category][:2]
    return Suggestion(evidence.category, evidence.share, "phrases", alternatives, evidence, [])


def classify(text: str) -> Suggestion:
    """Suggest the kind of situation a text describes, with the evidence behind it."""
    return suggest_many([text])[0]


# --- urgency --------------------------------------------------------------------------------


@dataclass
class Reason:
    """One kind of fact behind the urgency, with the reporter's words that show it."""

    code: str
    points: int
    evidence: list[str]
    spans: list[tuple[int, int]] = field(default_factory=list)

    def message(self, lang: str = "en") -> str:
        return reason_message(self.code, lang)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "code": self.code,
            "points": self.points,
            "message": self.message(lang),
            "evidence": self.evidence,
            "spans": [list(span) for span in self.spans],
        }


def reason_message(code: str, lang: str = "en") -> str:
    rules = urgency_rules()
    if code in rules.reasons:
        return localized(rules.reasons[code], lang)
    return fact_rules().label(code, lang)


@dataclass
class Urgency:
    score: int  # 0..100: the level's base plus the facts' points, inside the level's band
    level: str
    reasons: list[Reason]
    facts: list[Fact]
    rule: list[str]  # the conditions of the rule that set the level

    def label(self, lang: str = "en") -> str:
        return level_label(self.level, lang)

    def action(self, lang: str = "en") -> str:
        return localized(urgency_rules().level(self.level).action, lang)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "score": self.score,
            "level": self.level,
            "label": self.label(lang),
            "action": self.action(lang),
            "rule": self.rule,
            "reasons": [r.as_dict(lang) for r in self.reasons],
            "facts": [f.as_dict() for f in self.facts],
        }


def level_label(level: str, lang: str = "en") -> str:
    return localized(urgency_rules().level(level).label, lang)


def _form_facts(report: ReportInput, identifiers: list[Identifier], now: datetime) -> list[Fact]:
    """Facts given through the form's own fields rather than the narrative."""
    rules = urgency_rules()
    facts: list[Fact] = []
    if report.danger_now:
        facts.append(Fact("danger_declared", "", -1, -1))
    if report.location.strip():
        facts.append(Fact("place", report.location.strip()[:200], -1, -1))
    facts.extend(Fact("place", i.raw, -1, -1) for i in identifiers if i.kind == "address" and i.source != "text")
    facts.extend(ages_in_field(report.ages))
    if report.occurred_at is not None:
        occurred = report.occurred_at if report.occurred_at.tzinfo else report.occurred_at.replace(tzinfo=UTC)
        hours = (now - occurred).total_seconds() / 3600
        if -24 <= hours <= rules.today_hours:
            facts.append(Fact("immediacy", occurred.isoformat(), -1, -1))
        elif hours > rules.past_days * 24:
            facts.append(Fact("past", occurred.isoformat(), -1, -1))
    return facts


def assess_urgency(
    report: ReportInput,
    category: str,
    identifiers: list[Identifier] | None = None,
    now: datetime | None = None,
) -> Urgency:
    """The urgency level from the facts found, through the level rules, with every fact's words."""
    text = report.free_text()
    _, langs = _languages_to_apply(text)
    facts = extract_facts(text, langs) + _form_facts(report, identifiers or [], now or datetime.now(UTC))
    return level_from_facts(facts, category)


def _distinct(quotes: list[str]) -> list[str]:
    """Quotes without repeats or pieces already inside a longer one, in their first order."""
    out: list[str] = []
    for item in sorted(dict.fromkeys(quotes), key=len, reverse=True):
        if not any(fold(item) in fold(longer) for longer in out):
            out.append(item)
    return sorted(out, key=quotes.index)


def level_from_facts(facts: list[Fact], category: str) -> Urgency:
    rules = urgency_rules()
    kinds = frozenset(f.kind for f in facts)
    group = category_group(category)
    chosen: Level = rules.levels[-1]
    rule: tuple[Condition, ...] = ()
    for level in rules.levels:
        fired = next((r for r in level.rules if all(c.holds(kinds, category, group) for c in r)), None)
        if fired is not None:
            chosen, rule = level, fired
            break
    reasons = []
    kind_points = {**rules.points, **{k: v.points for k, v in fact_rules().kinds.items()}}
    for kind in dict.fromkeys(f.kind for f in facts):
        own = [f for f in facts if f.kind == kind]
        quotes = _distinct([f.quote for f in own if f.quote])
        reasons.append(Reason(kind, kind_points.get(kind, 0), quotes, [(f.start, f.end) for f in own if f.start >= 0]))
    reasons.sort(key=lambda r: -r.points)
    higher = [lv.base for lv in rules.levels if lv.base > chosen.base]
    ceiling = (min(higher) - 1) if higher else 100
    score = min(ceiling, chosen.base + sum(r.points for r in reasons if r.code != "past"))
    return Urgency(score, chosen.name, reasons, facts, [str(c) for c in rule])


def category_group(category: str) -> str:
    item = category_rules().categories.get(category)
    return item.group if item else OTHER


def aged(level: str, last_information: datetime, now: datetime | None = None) -> tuple[str, int]:
    """The level shown in the queue: one step lower for each full `recency_days` without new
    information from the reporter (never below the lowest). Returns the level and the steps."""
    rules = urgency_rules()
    names = [lv.name for lv in rules.levels]
    moment = last_information if last_information.tzinfo else last_information.replace(tzinfo=UTC)
    days = max(0.0, ((now or datetime.now(UTC)) - moment).total_seconds() / 86400)
    steps = int(days // rules.recency_days) if rules.recency_days > 0 else 0
    position = min(len(names) - 1, names.index(level) + steps) if level in names else len(names) - 1
    return names[position], position - (names.index(level) if level in names else position)


# --- the whole triage -----------------------------------------------------------------------


@dataclass
class Triage:
    category: str  # what the queue shows: the reporter's choice unless they chose "other"
    reporter_category: str | None
    classification: Suggestion
    urgency: Urgency
    identifiers: list[Identifier]

    @property
    def disagreement(self) -> bool:
        """The reporter chose one kind and the triage suggests another."""
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


def disagreement_why(triage_data: dict[str, Any], lang: str = "en") -> dict[str, Any] | None:
    """When the reporter chose one category and the triage suggests another: both, and why
    (the suggestion's confidence, its phrases, the categories of the most similar known reports).
    Works on a stored triage (`Triage.as_dict()`); None when they agree."""
    if not triage_data.get("disagreement"):
        return None
    suggestion = triage_data.get("classification") or {}
    suggested = str(triage_data.get("suggested_category"))
    reporter = str(triage_data.get("reporter_category"))
    phrases = [p["quote"] for p in suggestion.get("phrases", [])]
    if not phrases:  # a triage stored before the model: the phrases of the top of the ranking
        ranking = suggestion.get("ranking") or []
        if ranking:
            phrases = [h["quote"] for h in ranking[0].get("strong", []) + ranking[0].get("weak", [])]
    similar = [s["category"] for s in suggestion.get("similar_reports", [])]
    return {
        "reporter_category": reporter,
        "reporter_label": category_label(reporter, lang),
        "suggested_category": suggested,
        "suggested_label": category_label(suggested, lang),
        "confidence": suggestion.get("confidence"),
        "phrases": phrases[:6],
        "similar_categories": similar,
        "similar_labels": [category_label(c, lang) for c in similar],
        "similar_agree": sum(c == suggested for c in similar),
    }


def category_label(key: str, lang: str = "en") -> str:
    category = category_rules().categories.get(key)
    return localized(category.label, lang) if category else key


def category_keys() -> tuple[str, ...]:
    return tuple(category_rules().categories)


def triage(report: ReportInput, now: datetime | None = None) -> Triage:
    """Classify, extract identifiers and score urgency of one report."""
    return triage_many([report], now)[0]


def triage_many(reports: list[ReportInput], now: datetime | None = None) -> list[Triage]:
    """Triage several reports, encoding their texts in one batch."""
    for report in reports:
        if report.category is not None and report.category not in category_rules().categories:
            raise HeroesError(f"unknown category {report.category!r}; use one of {', '.join(category_keys())}")
    suggestions = suggest_many([r.free_text() for r in reports])
    moment = now or datetime.now(UTC)
    results = []
    for report, suggestion in zip(reports, suggestions, strict=True):
        chosen = report.category if report.category and report.category != OTHER else None
        category = chosen or suggestion.category
        identifiers = extract_identifiers(report)
        # The level reads the suggested category (a reporter's pick may be a guess), or the
        # reporter's when the text alone suggests nothing in particular.
        read_as = chosen if chosen and suggestion.category == OTHER else suggestion.category
        urgency = assess_urgency(report, read_as, identifiers, moment)
        results.append(Triage(category, report.category, suggestion, urgency, identifiers))
    return results
