"""Vehicle registration plates: the formats of a few countries anywhere in a text, and any
plate-shaped token after a word that announces one ("plate", "matrícula", "registration" ...).
Normalised to upper-case letters and digits only ("1234-bcd" and "1234 BCD" are the same)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from heroes.entities.base import POSSIBLE, VALID, Entity, EntityKind, Status, register

AFTER_WORD = re.compile(
    r"(?i:\b(?:number plate|licen[cs]e plate|plate|registration|reg\.?|matr[i\xed]cula|placa|patente)"
    r"(?:\s+(?:number|no\.?|n[\xbao]\.?))?\s*:?\s*)"
    r"([A-Za-z0-9]{1,4}(?:[ -]?[A-Za-z0-9]{1,4}){1,2})\b"
)
# (country, pattern): national formats precise enough to find without an announcing word.
FORMATS = (
    ("ES", re.compile(r"\b\d{4}[ -]?[BCDFGHJKLMNPRSTVWXYZ]{3}\b")),  # Spain since 2000
    ("GB", re.compile(r"\b[A-Z]{2}\d{2}[ -]?[A-Z]{3}\b")),  # Great Britain since 2001
    ("FR", re.compile(r"\b[A-Z]{2}-\d{3}-[A-Z]{2}\b")),  # France, SIV
)


def normalize_plate(plate: str) -> str:
    decomposed = unicodedata.normalize("NFKD", plate)
    return re.sub(r"[^A-Z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)).upper())


def looks_like_plate(value: str) -> bool:
    return 4 <= len(value) <= 9 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def country_of(raw: str) -> str:
    for country, pattern in FORMATS:
        if pattern.fullmatch(raw.strip().upper()):
            return country
    return ""


@register
class Plate(EntityKind):
    name = "plate"

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        """A national format is ``valid``; another plate-shaped value typed alone is ``possible``."""
        if len(raw) > 32 or len(raw.split()) > 3:
            return None
        value = normalize_plate(raw)
        if not looks_like_plate(value):
            return None
        return value, VALID if country_of(raw) else POSSIBLE

    def find(self, text: str, region: str | None = None) -> Iterator[Entity]:
        for m in AFTER_WORD.finditer(text):
            value = normalize_plate(m.group(1))
            if looks_like_plate(value):
                status = VALID if country_of(m.group(1)) else POSSIBLE
                yield Entity(self.name, value, m.group(1), m.start(1), m.end(1), status, country_of(m.group(1)))
        for country, pattern in FORMATS:
            for m in pattern.finditer(text):
                yield Entity(self.name, normalize_plate(m.group(0)), m.group(0), m.start(), m.end(), VALID, country)
