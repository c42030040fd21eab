"""Markets (metropolitan areas) and countries named in an ad, from ``data/places.json``.

A market is the unit the indicators compare: two suburbs of one city are one market, so an ad for
"Hayward, East Bay" and one for "San Francisco" do not count as movement. The country of the market
named in a location is the default region for phone numbers written without a country code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "places.json"
SHORT = 3  # names this short ("LA", "SF", "oc") are read in a location, never in running text


@dataclass(frozen=True)
class Market:
    id: str
    country: str
    name: str  # the name shown: the first one listed, capitalised


@dataclass(frozen=True)
class Gazetteer:
    markets: dict[str, Market]
    by_name: dict[str, str]  # lower-case name -> market id
    countries: dict[str, str]  # lower-case name -> region code
    in_location: re.Pattern[str]
    in_text: re.Pattern[str]


def _pattern(names: list[str]) -> re.Pattern[str]:
    ordered = sorted(set(names), key=lambda n: (-len(n), n))  # the longest name wins ("la coruña" over "la")
    return re.compile(r"(?<![\w'])(" + "|".join(re.escape(n) for n in ordered) + r")(?![\w'])", re.IGNORECASE)


@cache
def gazetteer() -> Gazetteer:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    markets: dict[str, Market] = {}
    by_name: dict[str, str] = {}
    for item in data["markets"]:
        names = [str(n).lower() for n in item["names"]]
        markets[item["id"]] = Market(item["id"], item["country"], names[0].title())
        for name in names:
            by_name.setdefault(name, item["id"])
    countries = {str(n).lower(): code for code, names in data["countries"].items() for n in names}
    long_names = [n for n in by_name if len(n) > SHORT]
    return Gazetteer(markets, by_name, countries, _pattern([*by_name, *countries]), _pattern(long_names))


def markets_in(text: str, location: bool = True) -> list[Market]:
    """The markets a location (or, with ``location=False``, running text) names, in order, each once."""
    g = gazetteer()
    pattern = g.in_location if location else g.in_text
    found: dict[str, Market] = {}
    for match in pattern.finditer(text):
        market_id = g.by_name.get(match.group(1).lower())
        if market_id:
            found.setdefault(market_id, g.markets[market_id])
    return list(found.values())


def market_of(location: str) -> Market | None:
    """The market of an ad's location: the last one it names (ads write "suburb, metro area")."""
    found = markets_in(location)
    return found[-1] if found else None


def region_of(location: str, default: str = "US") -> str:
    """The country an ad's location names (by its market or by a country name), else ``default``."""
    g = gazetteer()
    market = market_of(location)
    if market is not None:
        return market.country
    for match in g.in_location.finditer(location):
        code = g.countries.get(match.group(1).lower())
        if code:
            return code
    return default
