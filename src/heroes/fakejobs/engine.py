"""The fake-job check: classifier probability + indicators -> score, level, evidence, advice.

Combination (documented in docs/fakejobs.md):
    base  = logit(p)        p = calibrated classifier probability of the description, for
                            English ads; for other languages (the classifier only knows
                            English) p = `prior_other_languages`
    score = sigmoid(base + sum_k w_(k) * decay**k)
where w_(1) >= w_(2) >= ... are the weights of the indicators that fired. An indicator's weight is
how much it multiplies the odds of fraud (e**w). `label` is score >= threshold (chosen for the
best F1 of the fraud class in training); the level is low below the threshold (label 0), medium from
it, and high from `high_threshold`, the lowest score at which at least 90% of the flagged training
ads were fraudulent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from heroes.fakejobs.ad import Ad
from heroes.fakejobs.indicators import Hit, evidence, find_indicators
from heroes.fakejobs.lang import SUPPORTED, detect_language
from heroes.fakejobs.model import SavedModel, load

ADVICE = Path(__file__).parent / "data" / "advice.yaml"
LEVELS = ("low", "medium", "high")


class AdError(ValueError):
    """The input is not an ad the engine can score (empty, wrong type)."""


@dataclass(frozen=True)
class Combination:
    threshold: float
    high_threshold: float
    decay: float = 0.75
    prior_other_languages: float = 0.05

    def combine(self, probability: float | None, weights: list[float]) -> float:
        p = self.prior_other_languages if probability is None else probability
        p = min(max(p, 1e-6), 1 - 1e-6)
        logit = float(np.log(p / (1 - p))) + evidence(weights, self.decay)
        return float(1.0 / (1.0 + np.exp(-logit)))

    def level(self, score: float) -> str:
        if score >= self.high_threshold:
            return "high"
        return "medium" if score >= self.threshold else "low"


@dataclass
class Match:
    start: int
    end: int
    text: str


@dataclass
class FiredIndicator:
    id: str
    category: str
    weight: float
    title: str
    explanation: str
    why: str
    source: str
    matches: list[Match]


@dataclass
class Helpline:
    name: str
    contact: str


@dataclass
class Verdict:
    score: float
    label: int
    level: str
    language: str
    classifier_probability: float | None
    indicators: list[FiredIndicator]
    top_terms: list[dict[str, Any]]
    advice: list[str]
    helplines: list[Helpline]
    report_url: str
    report_label: str
    text: str
    highlights: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _localized(value: dict[str, str], lang: str) -> str:
    return value.get(lang) or value["en"]


@cache
def _advice() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ADVICE.read_text(encoding="utf-8"))
    return data


def advice_for(level: str, categories: Iterable[str], lang: str) -> tuple[list[str], list[Helpline]]:
    data = _advice()
    steps = list(_localized_list(data["levels"][level], lang))
    fired = set(categories)
    for category in ("trafficking", "scam", "contact"):
        if category in fired and level != "low":
            steps.extend(_localized_list(data["categories"][category], lang))
    helplines = []
    if level == "high" or "trafficking" in fired:
        helplines = [Helpline(_localized(h["name"], lang), h["contact"]) for h in data["helplines"]]
    return steps, helplines


def _localized_list(value: dict[str, list[str]], lang: str) -> list[str]:
    return value.get(lang) or value["en"]


def merge_highlights(hits: list[Hit]) -> list[dict[str, Any]]:
    """Non-overlapping spans to mark in the text, each naming the indicators it belongs to."""
    spans = sorted((s.start, s.end, h.indicator.id) for h in hits for s in h.spans if s.end > s.start)
    merged: list[dict[str, Any]] = []
    for start, end, ident in spans:
        if merged and start < merged[-1]["end"]:
            last = merged[-1]
            last["end"] = max(last["end"], end)
            if ident not in last["indicators"]:
                last["indicators"].append(ident)
        else:
            merged.append({"start": start, "end": end, "indicators": [ident]})
    return merged


def as_ad(value: Ad | str | dict[str, Any]) -> Ad:
    if isinstance(value, Ad):
        ad = value
    elif isinstance(value, str):
        ad = Ad(text=value)
    elif isinstance(value, dict):
        ad = Ad.from_mapping(value)
    else:
        raise AdError(f"An ad must be text or an object with fields, not {type(value).__name__}.")
    if ad.is_empty():
        raise AdError("The ad is empty: give its text or at least one of its fields.")
    return ad


class Checker:
    """Holds the loaded model; `check` explains one ad, `score_many` scores a batch fast."""

    def __init__(self, model: SavedModel | None = None) -> None:
        self.model = model or load()
        meta = self.model.metadata
        combination = meta.get("combination", {})
        self.combination = Combination(
            threshold=float(meta["threshold"]),
            high_threshold=float(meta.get("high_threshold", max(meta["threshold"], 0.5))),
            decay=float(combination.get("decay", 0.75)),
            prior_other_languages=float(combination.get("prior_other_languages", 0.05)),
        )

    def probabilities(self, ads: Sequence[Ad], languages: Sequence[str]) -> list[float | None]:
        english = [i for i, lang in enumerate(languages) if lang == "en"]
        out: list[float | None] = [None] * len(ads)
        if english:
            proba = self.model.classifier.predict_proba([ads[i].classifier_text() for i in english])[:, 1]
            for i, p in zip(english, proba, strict=True):
                out[i] = float(p)
        return out

    def check(self, value: Ad | str | dict[str, Any], lang: str | None = None) -> Verdict:
        ad = as_ad(value)
        text = ad.full_text()
        ad_lang = ad.language if ad.language in SUPPORTED else detect_language(text)
        ui = lang if lang in SUPPORTED else ad_lang
        probability = self.probabilities([ad], [ad_lang])[0]
        hits = find_indicators(ad, text)
        score = self.combination.combine(probability, [h.indicator.weight for h in hits])
        level = self.combination.level(score)
        steps, helplines = advice_for(level, (h.indicator.category for h in hits), ui)
        report = _advice()["report"]
        top_terms = self.model.classifier.contributions(ad.classifier_text()) if probability is not None else []
        return Verdict(
            score=round(score, 4),
            label=int(score >= self.combination.threshold),
            level=level,
            language=ad_lang,
            classifier_probability=None if probability is None else round(probability, 4),
            indicators=[
                FiredIndicator(
                    id=h.indicator.id,
                    category=h.indicator.category,
                    weight=h.indicator.weight,
                    title=_localized(h.indicator.title, ui),
                    explanation=_localized(h.indicator.explanation, ui),
                    why=_localized(h.indicator.why, ui),
                    source=h.indicator.source,
                    matches=[Match(s.start, s.end, s.text) for s in h.spans],
                )
                for h in sorted(hits, key=lambda h: -h.indicator.weight)
            ],
            top_terms=top_terms,
            advice=steps,
            helplines=helplines,
            report_url=report["url"],
            report_label=_localized(report["label"], ui),
            text=text,
            highlights=merge_highlights(hits),
        )

    def score_many(self, ads: Sequence[Ad]) -> list[dict[str, Any]]:
        """The batch output rows: id-less {score, label, level, indicators} per ad, in order."""
        texts = [ad.full_text() for ad in ads]
        languages = [
            ad.language if ad.language in SUPPORTED else detect_language(t) for ad, t in zip(ads, texts, strict=True)
        ]
        probabilities = self.probabilities(ads, languages)
        rows = []
        for ad, text, p in zip(ads, texts, probabilities, strict=True):
            hits = find_indicators(ad, text)
            score = self.combination.combine(p, [h.indicator.weight for h in hits])
            rows.append(
                {
                    "score": round(score, 4),
                    "label": int(score >= self.combination.threshold),
                    "level": self.combination.level(score),
                    "indicators": [h.indicator.id for h in sorted(hits, key=lambda h: -h.indicator.weight)],
                }
            )
        return rows


@cache
def default_checker() -> Checker:
    return Checker()


def check(value: Ad | str | dict[str, Any], lang: str | None = None) -> Verdict:
    """Check one ad with the shipped model; `lang` is the language of the explanations."""
    return default_checker().check(value, lang)


__all__ = ["Ad", "AdError", "Checker", "Verdict", "check", "default_checker"]
