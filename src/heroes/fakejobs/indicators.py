"""The indicator layer: rules kept as data (data/indicators.yaml), in every supported language.

An indicator fires on an ad when one of its regexes matches (any language's: ads mix languages,
and a Spanish ad quoting "WhatsApp" or "tourist visa" should still be caught), or when its
contact-detail check returns spans. Each firing carries the exact spans that triggered it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from heroes.fakejobs.ad import Ad
from heroes.fakejobs.contacts import CHECKS, Span
from heroes.fakejobs.gate import Gate, finditer, gate_for, tokens_of

DATA = Path(__file__).parent / "data" / "indicators.yaml"


@dataclass(frozen=True)
class Indicator:
    id: str
    category: str
    weight: float
    source: str
    title: dict[str, str]
    explanation: dict[str, str]
    why: dict[str, str]
    patterns: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    check: str | None = None
    supersedes: tuple[str, ...] = ()
    gates: dict[re.Pattern[str], Gate | None] = field(default_factory=dict)

    def find(self, ad: Ad, text: str, words: tuple[set[str], str] | None = None) -> list[Span]:
        if self.check:
            return CHECKS[self.check](ad, text)
        tokens, lowered = words or tokens_of(text)
        spans: list[Span] = []
        for patterns in self.patterns.values():
            for pattern in patterns:
                gate = self.gates.get(pattern)
                if gate is not None and not gate.admits(tokens, lowered):
                    continue
                matches = finditer(pattern, gate, text, (tokens, lowered))
                spans.extend(Span(m.start(), m.end(), m.group(0)) for m in matches)
        return _dedupe(spans)


@dataclass(frozen=True)
class Hit:
    indicator: Indicator
    spans: list[Span]


def _dedupe(spans: list[Span]) -> list[Span]:
    seen: dict[tuple[int, int], Span] = {}
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        seen.setdefault((s.start, s.end), s)
    return list(seen.values())


def parse(data: dict[str, Any]) -> tuple[Indicator, ...]:
    indicators = []
    for item in data["indicators"]:
        check = item.get("check")
        if check is not None and check not in CHECKS:
            raise ValueError(f"indicator {item['id']}: unknown check {check!r}")
        patterns = {
            lang: tuple(re.compile(p, re.IGNORECASE | re.DOTALL) for p in items)
            for lang, items in (item.get("triggers") or {}).items()
        }
        indicators.append(
            Indicator(
                id=item["id"],
                category=item["category"],
                weight=float(item["weight"]),
                source=item["source"],
                title=item["title"],
                explanation=item["explanation"],
                why=item["why"],
                patterns=patterns,
                check=check,
                supersedes=tuple(item.get("supersedes", ())),
                gates={p: gate_for(p) for group in patterns.values() for p in group},
            )
        )
    return tuple(indicators)


@cache
def load_indicators(path: Path = DATA) -> tuple[Indicator, ...]:
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))


def find_indicators(ad: Ad, text: str | None = None) -> list[Hit]:
    text = ad.full_text() if text is None else text
    words = tokens_of(text)
    hits = []
    for indicator in load_indicators():
        spans = indicator.find(ad, text, words)
        if spans:
            hits.append(Hit(indicator, spans))
    replaced = {ident for h in hits for ident in h.indicator.supersedes}
    return [h for h in hits if h.indicator.id not in replaced]


def evidence(weights: list[float], decay: float = 0.75) -> float:
    """Log-odds added by the fired indicators: the strongest counts fully, the next ones less
    and less (they are seldom independent: a travel offer and a housing offer come together)."""
    return float(sum(w * decay**k for k, w in enumerate(sorted(weights, reverse=True))))
