"""Trafficking indicators per ad, each with the words that triggered it and the published source it
comes from. Phrase indicators are regular expressions per language in ``data/indicators.json`` (adding
a language or a phrase is a data change); three indicators look across the whole collection: one
contact in many ads, a price far below the collection's median, and one contact in several cities.

An indicator is a reason to look closer, never proof: most ads that show one are not trafficking.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from heroes.osint.ads import Ad
from heroes.osint.contacts import find_contacts

DATA = Path(__file__).parent / "data" / "indicators.json"
PRICE = re.compile(
    r"(?:\$\s?(\d{2,4})\b|\b(\d{2,4})\s?(?:\$|usd|dollars|roses|rosas|euros?|€|dólares)|€\s?(\d{2,4})\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Hit:
    indicator: str
    title: str
    words: list[str]
    sources: list[str]
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "title": self.title,
            "words": self.words,
            "sources": self.sources,
            "detail": self.detail,
        }


@dataclass
class AdIndicators:
    id: str
    hits: list[Hit] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "indicators": [h.to_json() for h in self.hits]}


@cache
def indicator_set() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    for item in data["indicators"]:
        item["compiled"] = {
            lang: [re.compile(p, re.IGNORECASE) for p in patterns] for lang, patterns in item["patterns"].items()
        }
    return data


def _title(item: dict[str, Any], lang: str) -> str:
    return str(item["title"].get(lang) or item["title"]["en"])


def _sources(item: dict[str, Any]) -> list[str]:
    refs = indicator_set()["sources"]
    return [refs[s] for s in item["sources"]]


def phrase_hits(text: str, lang: str = "en") -> list[Hit]:
    hits = []
    for item in indicator_set()["indicators"]:
        words: list[str] = []
        for patterns in item["compiled"].values():  # every language: ads mix them
            for pattern in patterns:
                for m in pattern.finditer(text):
                    if m.group() not in words:
                        words.append(m.group())
        if words:
            hits.append(Hit(item["id"], _title(item, lang), words, _sources(item)))
    return hits


CITY_PREFIX = re.compile(r"^(?:city of|ciudad de|downtown|centro de)\s+", re.IGNORECASE)


def city_of(location: str) -> str:
    """The city part of a free-text location: "Downtown Toledo, TO (north)" and "toledo" are one city."""
    head = re.split(r"[,(/\-|]", location, maxsplit=1)[0]
    return CITY_PREFIX.sub("", " ".join(head.split())).title()


def prices(text: str) -> list[int]:
    return [int(next(g for g in m.groups() if g)) for m in PRICE.finditer(text)]


def find_indicators(ads: Sequence[Ad], lang: str = "en", region: str = "US") -> list[AdIndicators]:
    data = indicator_set()
    rules = {item["id"]: item for item in data["collection_indicators"]}
    results = [AdIndicators(ad.id, phrase_hits(ad.body, lang)) for ad in ads]

    contacts = [find_contacts(ad.body, region=region) for ad in ads]
    owners: dict[str, list[int]] = defaultdict(list)
    for i, found in enumerate(contacts):
        for value in {f"{e.kind}:{e.value}" for e in found}:
            owners[value].append(i)
    shared, moving = rules["shared_contact"], rules["moving"]
    for value, members in sorted(owners.items()):
        if len(members) >= shared["min_ads"]:
            for i in members:
                detail = f"{value} ({len(members)})"
                results[i].hits.append(Hit("shared_contact", _title(shared, lang), [value], _sources(shared), detail))
        cities = sorted({c for c in (city_of(ads[i].location) for i in members) if c})
        if len(cities) >= moving["min_cities"]:
            for i in members:
                results[i].hits.append(
                    Hit("moving", _title(moving, lang), [value], _sources(moving), "; ".join(cities))
                )

    low = rules["low_price"]
    ad_prices = [prices(ad.body) for ad in ads]
    every = [p for ps in ad_prices for p in ps]
    if len(every) >= 5:
        median = statistics.median(every)
        for i, ps in enumerate(ad_prices):
            cheap = [p for p in ps if p < median * low["below_median"]]
            if cheap:
                detail = f"{min(cheap)} < {low['below_median']} x {median:g}"
                results[i].hits.append(
                    Hit("low_price", _title(low, lang), [str(p) for p in cheap], _sources(low), detail)
                )
    return results
