# Frozen copy of the triage rules before issue 13, kept as the benchmark baseline.
"""The triage rule files (YAML under data/), loaded once, checked, and compiled."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from heroes.reports.phrases import Phrase, fold, phrases_by_language

DATA_DIR = Path(__file__).parent


def load_yaml(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError(f"{name}: expected a mapping with version: 1")
    return data


def localized(value: Any, lang: str, fallback: str = "en") -> str:
    """Pick one language from a {"en": ..., "es": ...} value (plain strings pass through)."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get(fallback) or next(iter(value.values()), ""))
    return str(value)


@dataclass(frozen=True)
class Category:
    key: str
    group: str
    label: dict[str, str]
    help: dict[str, str]
    strong: dict[str, list[Phrase]]
    weak: dict[str, list[Phrase]]


@dataclass(frozen=True)
class CategoryRules:
    min_score: int
    strong_points: int
    weak_points: int
    categories: dict[str, Category]


@cache
def category_rules() -> CategoryRules:
    data = load_yaml("categories.yaml")
    categories = {
        key: Category(
            key=key,
            group=item["group"],
            label=item["label"],
            help=item["help"],
            strong=phrases_by_language(item.get("strong") or {}),
            weak=phrases_by_language(item.get("weak") or {}),
        )
        for key, item in data["categories"].items()
    }
    return CategoryRules(
        min_score=int(data["min_score"]),
        strong_points=int(data["points"]["strong"]),
        weak_points=int(data["points"]["weak"]),
        categories=categories,
    )


@dataclass(frozen=True)
class Level:
    name: str
    min: int
    label: dict[str, str]
    action: dict[str, str]


@dataclass(frozen=True)
class UrgencyRules:
    points: dict[str, int]
    recency_days: dict[str, int]
    adult_age: int
    phrases: dict[str, dict[str, list[Phrase]]]
    age_after: dict[str, list[str]]
    age_before: dict[str, list[str]]
    reasons: dict[str, dict[str, str]]
    levels: tuple[Level, ...]


@cache
def urgency_rules() -> UrgencyRules:
    data = load_yaml("urgency.yaml")
    phrase_data = data["phrases"]
    signals = ("danger_now", "child", "time", "place", "recent")
    levels = tuple(
        sorted(
            (Level(lv["name"], int(lv["min"]), lv["label"], lv["action"]) for lv in data["levels"]),
            key=lambda level: -level.min,
        )
    )
    return UrgencyRules(
        points={k: int(v) for k, v in data["points"].items()},
        recency_days={k: int(v) for k, v in data["recency_days"].items()},
        adult_age=int(data["adult_age"]),
        phrases={signal: phrases_by_language(phrase_data[signal]) for signal in signals},
        age_after={lang: [fold(w) for w in words] for lang, words in phrase_data["age_after"].items()},
        age_before={lang: [fold(w) for w in words] for lang, words in phrase_data["age_before"].items()},
        reasons=data["reasons"],
        levels=levels,
    )


@dataclass(frozen=True)
class LanguageRules:
    min_words: int
    min_ratio: float
    words: dict[str, frozenset[str]]
    names: dict[str, dict[str, str]]


@cache
def language_rules() -> LanguageRules:
    data = load_yaml("languages.yaml")
    return LanguageRules(
        min_words=int(data["min_words"]),
        min_ratio=float(data["min_ratio"]),
        words={k: frozenset(fold(w) for w in v["words"]) for k, v in data["languages"].items()},
        names={k: v["name"] for k, v in data["languages"].items()},
    )


def languages() -> tuple[str, ...]:
    """The languages every rule file covers."""
    return tuple(language_rules().words)
