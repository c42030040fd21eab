"""The facts that make a report urgent, each with the reporter's words and where they are.

A fact is a kind ("child", "immediacy", "place", ...) and a span of the text. The phrases behind
each kind, and the words that mark an age, are data (data/facts.yaml) in every language; adding a
language is a data change. The urgency level is decided from these facts by rules (urgency.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from heroes.reports.phrases import Phrase, find, phrases_by_language
from heroes.reports.rules import load_yaml
from heroes.text import fold, localized

# Words after a number that make it something other than an age ("about 10 minutes", "unos 30 hombres").
_NOT_AN_AGE = (
    r"(?:%|:|\.\d|,\d|min|minute|hour|hora|am\b|pm\b|h\b|day|dia|week|semana|month|mes|euro|pound|"
    r"dollar|dolar|peso|km|mile|metro|time|vez|veces|people|persona|men\b|man\b|hombre|women|mujer|"
    r"girls|boys|chicas|chicos|others|otra|otro|more|mas\b|of them|de ellos|de ellas|floor|planta|"
    r"piso|room|habitacion|street|calle|road|st\b|rd\b|ave|avenida|euros|quid|grand|mil\b|k\b|year"
    r"s? ago|anos? atras|hace)"
)


@dataclass(frozen=True)
class Fact:
    """One fact found in a report: its kind, the reporter's words, their place in the text."""

    kind: str
    quote: str
    start: int  # -1 when the fact comes from a form field rather than the narrative
    end: int
    age: int | None = None  # for ages: the number read

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "quote": self.quote, "start": self.start, "end": self.end}
        if self.age is not None:
            data["age"] = self.age
        return data


@dataclass(frozen=True)
class FactKind:
    key: str
    points: int
    label: dict[str, str]
    phrases: dict[str, list[Phrase]]


@dataclass(frozen=True)
class AgeRules:
    adult_age: int
    patterns: dict[str, list[re.Pattern[str]]]  # per language: regexes whose group 1 is the age
    school: dict[str, list[Phrase]]


@dataclass(frozen=True)
class FactRules:
    kinds: dict[str, FactKind]
    ages: AgeRules

    def label(self, kind: str, lang: str) -> str:
        item = self.kinds.get(kind)
        return localized(item.label, lang) if item else kind


def _age_patterns(words_after: list[str], words_before: list[str], bracketed: bool) -> list[re.Pattern[str]]:
    patterns = []
    if words_after:
        alternatives = "|".join(re.escape(fold(w)) for w in sorted(words_after, key=len, reverse=True))
        patterns.append(re.compile(rf"(?<![\d.,])(\d{{1,2}})\s*-?\s*(?:{alternatives})(?!\w)"))
    if words_before:
        alternatives = "|".join(re.escape(fold(w)) for w in sorted(words_before, key=len, reverse=True))
        patterns.append(
            re.compile(rf"(?<!\w)(?:{alternatives})\s*:?\s*(\d{{1,2}})(?!\d)(?![.,]\d)(?!\s*{_NOT_AN_AGE})")
        )
    if bracketed:
        patterns.append(re.compile(r"\(\s*(\d{1,2})\s*\)"))
    return patterns


@cache
def fact_rules() -> FactRules:
    data = load_yaml("facts.yaml")
    kinds = {
        key: FactKind(key, int(item.get("points", 0)), item["label"], phrases_by_language(item["phrases"]))
        for key, item in data["facts"].items()
    }
    ages = data["ages"]
    langs = set(ages["after"]) | set(ages["before"])
    patterns = {
        lang: _age_patterns(ages["after"].get(lang, []), ages["before"].get(lang, []), bool(ages.get("bracketed")))
        for lang in langs
    }
    school = phrases_by_language(ages.get("school") or {})
    return FactRules(kinds, AgeRules(int(ages["adult_age"]), patterns, school))


def _ages(text: str, folded: str, langs: tuple[str, ...], rules: AgeRules) -> list[Fact]:
    found: dict[tuple[int, int], Fact] = {}
    for lang in langs:
        for pattern in rules.patterns.get(lang, []):
            for match in pattern.finditer(folded):
                age = int(match.group(1))
                if 0 < age < rules.adult_age:
                    key = match.span()
                    found.setdefault(key, Fact("child", text[key[0] : key[1]], key[0], key[1], age))
        for hit in find(rules.school.get(lang, []), text, folded):
            found.setdefault((hit.start, hit.end), Fact("child", hit.quote, hit.start, hit.end))
    # "tiene 15" and "15 años" are one age: overlapping matches become their union
    merged: list[Fact] = []
    for fact in sorted(found.values(), key=lambda f: (f.start, f.end)):
        if merged and fact.start < merged[-1].end:
            last = merged[-1]
            end = max(last.end, fact.end)
            merged[-1] = Fact("child", text[last.start : end], last.start, end, last.age or fact.age)
        else:
            merged.append(fact)
    return merged


def _without_overlaps(facts: list[Fact]) -> list[Fact]:
    """Within one kind the same words count once: the longer match wins."""
    kept: list[Fact] = []
    for fact in sorted(facts, key=lambda f: (f.start - f.end, f.start)):
        if not any(k.kind == fact.kind and k.start < fact.end and fact.start < k.end for k in kept):
            kept.append(fact)
    return sorted(kept, key=lambda f: (f.start, f.end, f.kind))


def extract_facts(text: str, langs: tuple[str, ...]) -> list[Fact]:
    """Every urgency fact in `text`, in text order, for the rules of the given languages."""
    rules = fact_rules()
    folded = fold(text)
    facts: list[Fact] = []
    for kind in rules.kinds.values():
        for lang in langs:
            facts.extend(
                Fact(kind.key, h.quote, h.start, h.end) for h in find(kind.phrases.get(lang, []), text, folded)
            )
    facts.extend(_ages(text, folded, langs, rules.ages))
    return _without_overlaps(facts)


def ages_in_field(value: str, adult_age: int | None = None) -> list[Fact]:
    """In the form's ages field a number alone is an age ("about 15", "14-16")."""
    limit = adult_age or fact_rules().ages.adult_age
    return [
        Fact("child", m.group(0), -1, -1, int(m.group(0)))
        for m in re.finditer(r"(?<!\d)\d{1,2}(?!\d)", value)
        if 0 < int(m.group(0)) < limit
    ]
