"""Bank identifiers (python-stdnum): IBANs anywhere in a text, BIC/SWIFT codes after their label.

An IBAN is an entity only when its check digits (ISO 7064 mod 97) and its country's format are
right, so a mistyped or invented one is never linked; ``parse`` says why through None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban

from heroes.entities.base import VALID, Entity, EntityKind, Status, register

# A country, two check digits, then groups of up to four letters or digits (spaces allowed between).
IBAN = re.compile(r"(?i)\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b")
BIC_AFTER_LABEL = re.compile(
    r"(?i:\b(?:bic|swift)(?:\s*(?:/\s*swift|code))?\s*[:#]?\s*)([A-Za-z]{6}[A-Za-z0-9]{2}(?:[A-Za-z0-9]{3})?)\b"
)


def normalize_iban(raw: str) -> str | None:
    """Compact upper-case form (ES9121000418450200051332); None when not a valid IBAN."""
    try:
        return str(stdnum_iban.validate(raw)) if len(raw) <= 64 else None
    except Exception:  # stdnum raises its ValidationError family, and others on odd input
        return None


def normalize_bic(raw: str) -> str | None:
    try:
        return str(stdnum_bic.validate(raw)) if len(raw) <= 16 else None
    except Exception:
        return None


@register
class Iban(EntityKind):
    name = "iban"

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        value = normalize_iban(raw)
        return (value, VALID) if value else None

    def find(self, text: str, region: str | None = None) -> Iterator[Entity]:
        for m in IBAN.finditer(text):
            raw = m.group(0)
            # The pattern may have taken a word after the number: drop trailing groups until it checks.
            while raw:
                value = normalize_iban(raw)
                if value:
                    yield Entity(self.name, value, raw, m.start(), m.start() + len(raw), VALID, value[:2])
                    break
                cut = raw.rfind(" ")
                if cut < 0:
                    break
                raw = raw[:cut]


@register
class Bic(EntityKind):
    name = "bic"

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        value = normalize_bic(raw)
        return (value, VALID) if value else None

    def find(self, text: str, region: str | None = None) -> Iterator[Entity]:
        for m in BIC_AFTER_LABEL.finditer(text):
            value = normalize_bic(m.group(1))
            if value:
                yield Entity(self.name, value, m.group(1), m.start(1), m.end(1), VALID, value[4:6])
