"""The triage rule files (YAML under data/), loaded once, checked, and compiled."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from heroes.reports.phrases import Phrase, phrases_by_language
from heroes.text import fold

DATA_DIR = Path(__file__).parent / "data"


def load_yaml(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError(f"{name}: expected a mapping with version: 1")
    return data


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
class Condition:
    """One condition of a level rule: a fact kind, "group:g" or "category:c", maybe negated."""

    term: str
    negated: bool

    @classmethod
    def parse(cls, text: str) -> Condition:
        negated = text.startswith("!")
        return cls(text.lstrip("!"), negated)

    def holds(self, facts: frozenset[str], category: str, group: str) -> bool:
        if self.term.startswith("group:"):
            present = self.term[6:] == group
        elif self.term.startswith("category:"):
            present = self.term[9:] == category
        else:
            present = self.term in facts
        return present != self.negated

    def __str__(self) -> str:
        return ("!" if self.negated else "") + self.term


@dataclass(frozen=True)
class Level:
    name: str
    base: int
    label: dict[str, str]
    action: dict[str, str]
    rules: tuple[tuple[Condition, ...], ...]


@dataclass(frozen=True)
class UrgencyRules:
    levels: tuple[Level, ...]  # from the highest
    today_hours: int
    past_days: int
    recency_days: int
    reasons: dict[str, dict[str, str]]
    points: dict[str, int]

    def level(self, name: str) -> Level:
        return next(lv for lv in self.levels if lv.name == name)


@cache
def urgency_rules() -> UrgencyRules:
    data = load_yaml("urgency.yaml")
    levels = tuple(
        Level(
            lv["name"],
            int(lv["base"]),
            lv["label"],
            lv["action"],
            tuple(tuple(Condition.parse(str(c)) for c in rule) for rule in lv["rules"]),
        )
        for lv in data["levels"]
    )
    if [lv.base for lv in levels] != sorted((lv.base for lv in levels), reverse=True) or levels[-1].base != 0:
        raise ValueError("urgency.yaml: levels go from the highest base down to 0")
    return UrgencyRules(
        levels=levels,
        today_hours=int(data["occurred"]["today_hours"]),
        past_days=int(data["occurred"]["past_days"]),
        recency_days=int(data["recency_days"]),
        reasons=data.get("reasons") or {},
        points={k: int(v) for k, v in (data.get("points") or {}).items()},
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
