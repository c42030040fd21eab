"""The fake-job check: learned probability + indicators -> score, level, evidence, advice.

The score is the stacked model's calibrated probability of fraud (model.py): for English ads a
logistic regression over the lexical model, the multilingual semantic head and the indicators'
log-odds; for Spanish and other languages the same without the English-only lexical model. `label`
is score >= the route's stored threshold (best F1 of the fraud class in template-grouped CV); the
level is low below it, medium from it, high from the stored `high_threshold` (precision >= 0.9 in
grouped CV). A short ad on which no indicator fired is labelled from the route's stored
`short_threshold` instead (precision >= 0.8 among such ads in grouped CV): on a few ordinary words
the learned score alone is weak evidence. The score is calibrated at the development data's base
rate; the page and the JSON also give `probability_at_base_rate`, the same evidence re-expressed
for a portal where 5% of the ads are fraudulent (docs/fakejobs.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
import yaml

from heroes.fakejobs.ad import Ad
from heroes.fakejobs.indicators import Hit, evidence, find_indicators
from heroes.fakejobs.lang import SUPPORTED, detect_language
from heroes.fakejobs.model import Decision, SavedModel, brevity, load, logit, plain_short, to_base_rate
from heroes.fakejobs.semantic import embed, embed_normalised, sentences
from heroes.fakejobs.text import normalise, words
from heroes.text import localized

ADVICE = Path(__file__).parent / "data" / "advice.yaml"
LEVELS = ("low", "medium", "high")


class AdError(ValueError):
    """The input is not an ad the engine can score (empty, wrong type)."""


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
    top_sentences: list[dict[str, Any]]
    probability_at_base_rate: float
    base_rate: float
    threshold: float
    advice: list[str]
    helplines: list[Helpline]
    report_url: str
    report_label: str
    text: str
    highlights: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
        listed = data["helplines"].get(lang) or data["helplines"]["en"]
        helplines = [Helpline(h["name"], h["contact"]) for h in listed]
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


def route_of(language: str) -> str:
    """Which stacker scores an ad: `en` with the English lexical model, `xl` (cross-lingual) otherwise."""
    return "en" if language == "en" else "xl"


class Checker:
    """Holds the loaded model; `check` explains one ad, `score_many` scores a batch fast."""

    def __init__(self, model: SavedModel | None = None) -> None:
        self.model = model or load()
        self.decisions: dict[str, Decision] = self.model.decisions

    def short_ads(self, ads: Sequence[Ad], hits: Sequence[list[Hit]]) -> np.ndarray:
        """Which ads are short with no indicator fired (`model.plain_short`): their `label` uses
        the route's `short_threshold`."""
        fired = np.array([float(bool(found)) for found in hits])
        return plain_short([ad.classifier_text() for ad in ads], fired, self.model.short_words)

    def probabilities(
        self, ads: Sequence[Ad], languages: Sequence[str], hits: Sequence[list[Hit]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(stacked score, lexical probability or nan) per ad."""
        texts = [ad.classifier_text() for ad in ads]
        normalised = [normalise(t) for t in texts]  # once, for the lexical model and the encoder
        n = len(ads)
        lexical = np.full(n, np.nan)
        english = [i for i, lang in enumerate(languages) if route_of(lang) == "en"]
        if english:
            lexical[english] = self.model.classifier.predict_proba_normalised([normalised[i] for i in english])[:, 1]
        columns = {
            "lexical": np.where(np.isnan(lexical), 0.0, logit(np.nan_to_num(lexical, nan=0.5))),
            "semantic": self.model.semantic_scores(embed_normalised(normalised)),
            "indicators": np.array([evidence([h.indicator.weight for h in found]) for found in hits]),
            "brevity": brevity(texts),
        }
        scores = np.zeros(n)
        for route, stacker in self.model.stackers.items():
            rows = [i for i, lang in enumerate(languages) if route_of(lang) == route]
            if rows:
                scores[rows] = stacker.proba({k: v[rows] for k, v in columns.items()})
        return scores, lexical

    def _language(self, ad: Ad, text: str) -> str:
        return ad.language if ad.language in SUPPORTED else detect_language(text)

    def top_sentences(self, ad: Ad, route: str, top: int = 3) -> list[dict[str, Any]]:
        """The sentences of the description that pushed the learned score most towards fraud:
        each sentence is scored alone by the semantic head (and, for English, by the lexical
        model's word weights), weighted as the stacker weighs those parts."""
        text = ad.classifier_text()
        spans = sentences(text)
        if not spans:
            return []
        pieces = [text[s:e] for s, e in spans]
        stacker = self.model.stackers[route]
        weight = dict(zip(stacker.features, stacker.coef, strict=True))
        semantic = self.model.semantic_scores(embed(pieces))
        push = weight["semantic"] * (semantic - float(np.median(semantic)))
        if "lexical" in weight:
            terms = self.model.classifier.term_weights(text)
            lexical = np.array([sum(terms.get(w, 0.0) for w in set(words(normalise(p)))) for p in pieces])
            push = push + weight["lexical"] * lexical
        order = np.argsort(-push)
        return [
            {"text": pieces[i].strip(), "start": spans[i][0], "end": spans[i][1], "weight": round(float(push[i]), 3)}
            for i in order[:top]
            if push[i] > 0
        ]

    def check(self, value: Ad | str | dict[str, Any], lang: str | None = None) -> Verdict:
        ad = as_ad(value)
        text = ad.full_text()
        ad_lang = self._language(ad, text)
        ui = lang if lang in SUPPORTED else ad_lang
        hits = find_indicators(ad, text)
        scores, lexical = self.probabilities([ad], [ad_lang], [hits])
        score = float(scores[0])
        route = route_of(ad_lang)
        decision = self.decisions[route]
        short = bool(self.short_ads([ad], [hits])[0])
        level = decision.level(score, short)
        steps, helplines = advice_for(level, (h.indicator.category for h in hits), ui)
        report = _advice()["report"]
        flagged = bool(decision.label(score, short))
        # Words are listed only for flagged English ads: on an honest ad every positive weight is
        # noise ("hospital" is not a warning sign), and the lexical model only knows English.
        top_terms = self.model.classifier.contributions(ad.classifier_text()) if flagged and route == "en" else []
        return Verdict(
            score=round(score, 4),
            label=int(flagged),
            level=level,
            language=ad_lang,
            classifier_probability=None if np.isnan(lexical[0]) else round(float(lexical[0]), 4),
            indicators=[
                FiredIndicator(
                    id=h.indicator.id,
                    category=h.indicator.category,
                    weight=h.indicator.weight,
                    title=localized(h.indicator.title, ui),
                    explanation=localized(h.indicator.explanation, ui),
                    why=localized(h.indicator.why, ui),
                    source=h.indicator.source,
                    matches=[Match(s.start, s.end, s.text) for s in h.spans],
                )
                for h in sorted(hits, key=lambda h: -h.indicator.weight)
            ],
            top_terms=top_terms,
            top_sentences=self.top_sentences(ad, route) if level != "low" else [],
            probability_at_base_rate=round(
                float(to_base_rate(score, self.model.training_base_rate, self.model.shown_base_rate)), 4
            ),
            base_rate=self.model.shown_base_rate,
            threshold=decision.cut(short),
            advice=steps,
            helplines=helplines,
            report_url=report_link(report, text, hits),
            report_label=localized(report["label"], ui),
            text=text,
            highlights=merge_highlights(hits),
        )

    def score_many(self, ads: Sequence[Ad]) -> list[dict[str, Any]]:
        """The batch output rows: id-less {score, label, level, indicators} per ad, in order."""
        texts = [ad.full_text() for ad in ads]
        languages = [self._language(ad, t) for ad, t in zip(ads, texts, strict=True)]
        hits = [find_indicators(ad, t) for ad, t in zip(ads, texts, strict=True)]
        scores, _ = self.probabilities(ads, languages, hits)
        shorts = self.short_ads(ads, hits)
        rows = []
        for lang, found, score, short in zip(languages, hits, scores, shorts, strict=True):
            decision = self.decisions[route_of(lang)]
            rows.append(
                {
                    "score": round(float(score), 4),
                    "label": decision.label(float(score), bool(short)),
                    "level": decision.level(float(score), bool(short)),
                    "indicators": [h.indicator.id for h in sorted(found, key=lambda h: -h.indicator.weight)],
                }
            )
        return rows


REPORT_TEXT_LIMIT = 2000


def report_link(report: dict[str, Any], text: str, hits: Sequence[Hit]) -> str:
    """The report form's address with the ad and its category filled in (the reports tool's form
    reads `category` and `text`): a sign naming a form of exploitation first (looks, photos,
    young women for "hostess" work), else the kind of the strongest sign (advice.yaml); a very
    long ad is cut so the address stays usable."""
    ranked = sorted(hits, key=lambda h: -h.indicator.weight)
    specific = [
        report["category_by_indicator"][h.indicator.id]
        for h in ranked
        if h.indicator.id in report["category_by_indicator"]
    ]
    general = [
        report["category_by_kind"][h.indicator.category]
        for h in ranked
        if h.indicator.category in report["category_by_kind"]
    ]
    category = str((specific or general or [report["default_category"]])[0])
    return f"{report['url']}?{urlencode({'category': category, 'text': text[:REPORT_TEXT_LIMIT]})}"


@cache
def default_checker() -> Checker:
    return Checker()


def check(value: Ad | str | dict[str, Any], lang: str | None = None) -> Verdict:
    """Check one ad with the shipped model; `lang` is the language of the explanations."""
    return default_checker().check(value, lang)


__all__ = ["Ad", "AdError", "Checker", "Verdict", "check", "default_checker"]
