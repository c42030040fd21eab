"""Trafficking indicators per ad, each with the words that triggered it and the published source it
comes from. Phrase indicators are regular expressions per language in ``data/indicators.json`` (adding
a language or a phrase is a data change); three indicators look across the whole collection: one
contact in many ads, a price far below its market's, and movement between markets (one contact in
ads for several metropolitan areas, or one ad naming several). Markets and their countries come from
``places``: the country of an ad's market is the default region for its phone numbers.

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
from heroes.osint.places import market_of, markets_in, region_of

DATA = Path(__file__).parent / "data" / "indicators.json"
CURRENCY = r"(?:\$|usd|dollars?|roses|rosas|euros?|€|eur|dólares|dolares|pesos|pavos)"
UNIT = (
    r"(?P<unit>qv|quick\s?visit|15\s?min(?:utos|s)?|hh|hhr|half\s?(?:an\s)?hour|30\s?min(?:utos|s)?|media\s?hora|"
    r"hr|hour|1\s?hr|60\s?min(?:utos|s)?|hora|la\s?hora|una\s?hora)"
)
# An amount with a currency, or an amount joined to a unit of time ("hh 80", "80/hr", "100 la hora").
PRICE = re.compile(
    r"(?:[$€]\s?(?P<a>\d{2,4})\b|\b(?P<b>\d{2,4})\s?" + CURRENCY + r"(?![\w])"
    r"|\b(?P<c>\d{2,4})\s?(?:/|x|por|per|a|an?)?\s?" + UNIT.replace("unit", "unit1") + r"\b"
    r"|\b" + UNIT.replace("unit", "unit2") + r"\s?[:=\-]?\s?[$€]?(?P<d>\d{2,4})\b)",
    re.IGNORECASE,
)
UNIT_AFTER = re.compile(r"^\W{0,3}(?:/|x|por|per|a|an?)?\s?" + UNIT + r"\b", re.IGNORECASE)
UNITS = (
    ("qv", ("qv", "quick", "15")),
    ("half_hour", ("hh", "half", "30", "media")),
    ("hour", ("h", "1", "60", "la", "una")),
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

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> AdIndicators:
        hits = [
            Hit(h["indicator"], h["title"], list(h["words"]), list(h["sources"]), h.get("detail", ""))
            for h in row["indicators"]
        ]
        return cls(str(row["id"]), hits)


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


def _unit(word: str | None) -> str:
    if not word:
        return ""
    folded = word.lower()
    for unit, starts in UNITS:
        if folded.startswith(starts):
            return unit
    return ""


def price_mentions(text: str) -> list[tuple[int, str]]:
    """Amounts an ad asks, each with its unit of time when the ad names one ("qv", "half_hour", "hour")."""
    out = []
    for m in PRICE.finditer(text):
        amount = int(m.group("a") or m.group("b") or m.group("c") or m.group("d"))
        unit = _unit(m.group("unit1") or m.group("unit2"))
        if not unit:
            after = UNIT_AFTER.match(text[m.end() : m.end() + 20])
            unit = _unit(after.group("unit")) if after else ""
        out.append((amount, unit))
    return out


def prices(text: str) -> list[int]:
    return [amount for amount, _ in price_mentions(text)]


def _ad_prices(ad: Ad) -> list[tuple[int, str]]:
    return price_mentions(f"{ad.price} {ad.body}" if ad.price else ad.body)


def _low_prices(ads: Sequence[Ad], markets: list[str], rule: dict[str, Any]) -> dict[int, tuple[list[int], str]]:
    """Prices below ``below_median`` times the median of the same unit in the same market, or in the
    whole collection where the market has fewer than ``min_prices`` of that unit."""
    mentions = [_ad_prices(ad) for ad in ads]
    pools: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, found in enumerate(mentions):
        for amount, unit in found:
            pools[(markets[i], unit)].append(amount)
            pools[("", unit)].append(amount)
    least = int(rule["min_prices"])
    out: dict[int, tuple[list[int], str]] = {}
    for i, found in enumerate(mentions):
        cheap: list[int] = []
        detail = ""
        for amount, unit in found:
            key = (markets[i], unit) if len(pools[(markets[i], unit)]) >= least else ("", unit)
            if len(pools[key]) < least:
                continue
            median = statistics.median(pools[key])
            if amount < median * float(rule["below_median"]):
                cheap.append(amount)
                unit_note = f", {unit}" if unit else ""
                detail = f"{amount} < {rule['below_median']} x {median:g} ({len(pools[key])} prices{unit_note})"
        if cheap:
            out[i] = (cheap, detail)
    return out


def find_indicators(ads: Sequence[Ad], lang: str = "en", region: str = "US") -> list[AdIndicators]:
    """Indicators of every ad; ``region`` is the country for phone numbers of ads whose location names none."""
    data = indicator_set()
    rules = {item["id"]: item for item in data["collection_indicators"]}
    results = [AdIndicators(ad.id, phrase_hits(ad.body, lang)) for ad in ads]
    market_list = [market_of(ad.location) for ad in ads]
    markets = [m.id if m else "" for m in market_list]

    contacts = [find_contacts(ad.body, region=region_of(ad.location, region)) for ad in ads]
    owners: dict[str, list[int]] = defaultdict(list)
    for i, found in enumerate(contacts):
        for value in {f"{e.kind}:{e.value}" for e in found}:
            owners[value].append(i)
    shared, moving = rules["shared_contact"], rules["moving"]
    moved: dict[int, tuple[list[str], set[str]]] = {}
    for value, members in sorted(owners.items()):
        if len(members) >= shared["min_ads"]:
            for i in members:
                detail = f"{value} ({len(members)})"
                results[i].hits.append(Hit("shared_contact", _title(shared, lang), [value], _sources(shared), detail))
        places = {m.name for m in (market_list[i] for i in members) if m}
        if len(places) >= moving["min_cities"]:
            for i in members:
                words, where = moved.setdefault(i, ([], set()))
                words.append(value)
                where.update(places)
    for i, ad in enumerate(ads):
        named = {m.name for m in markets_in(ad.location)} | {m.name for m in markets_in(ad.body, location=False)}
        if len(named) >= moving["min_cities"]:
            words, where = moved.setdefault(i, ([], set()))
            words.extend(sorted(named))
            where.update(named)
    for i, (words, where) in sorted(moved.items()):
        results[i].hits.append(Hit("moving", _title(moving, lang), words, _sources(moving), "; ".join(sorted(where))))

    low = rules["low_price"]
    for i, (cheap, detail) in sorted(_low_prices(ads, markets, low).items()):
        results[i].hits.append(Hit("low_price", _title(low, lang), [str(p) for p in cheap], _sources(low), detail))
    return results
