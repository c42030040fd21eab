"""Emergency and help numbers by country, from data/emergency_numbers.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from heroes.reports.rules import load_yaml
from heroes.text import localized


@dataclass(frozen=True)
class HelpLine:
    number: str
    label: str


@dataclass(frozen=True)
class EmergencyContacts:
    country: str | None  # None when we fell back to the default
    country_name: str
    emergency: str
    note: str
    extra: list[HelpLine] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "country_name": self.country_name,
            "emergency": self.emergency,
            "note": self.note,
            "extra": [{"number": h.number, "label": h.label} for h in self.extra],
        }


@cache
def _data() -> dict[str, Any]:
    return load_yaml("emergency_numbers.yaml")


def countries(lang: str = "en") -> list[tuple[str, str]]:
    """(code, name) of every country with numbers, sorted by name in `lang`."""
    items = [(code, localized(c["name"], lang)) for code, c in _data()["countries"].items()]
    return sorted(items, key=lambda item: item[1])


def contacts_for(country: str | None, lang: str = "en") -> EmergencyContacts:
    data = _data()
    code = (country or "").upper()
    entry = data["countries"].get(code)
    if entry is None:
        default = data["default"]
        return EmergencyContacts(None, "", default["emergency"], localized(default["note"], lang))
    extra = [HelpLine(item["number"], localized(item["label"], lang)) for item in entry.get("extra", [])]
    return EmergencyContacts(code, localized(entry["name"], lang), entry["emergency"], "", extra)


def country_from_language_tag(tag: str | None) -> str | None:
    """A country guess from a language tag such as "es-MX" (never from an address or IP)."""
    if not tag:
        return None
    parts = tag.replace("_", "-").split("-")
    if len(parts) >= 2 and len(parts[1]) == 2 and parts[1].upper() in _data()["countries"]:
        return parts[1].upper()
    return None
