"""Phone numbers (phonenumbers, Google's libphonenumber): E.164, with the region they belong to.

A national number is read in the default region given; without one only international numbers
(+44 ..., 0044 ...) are understood. Numbers that fail strict validation but have a possible length
(test and fiction ranges, newly opened ranges) are kept and flagged ``possible``.
"""

from __future__ import annotations

from collections.abc import Iterator

import phonenumbers

from heroes.entities.banking import IBAN
from heroes.entities.base import POSSIBLE, VALID, Entity, EntityKind, Status, region_or_none, register

MAX_LENGTH = 64  # phonenumbers refuses longer input anyway; a phone field is never longer


def _region(region: str | None) -> str:
    code = region_or_none(region)
    return code if code in phonenumbers.SUPPORTED_REGIONS else "ZZ"


def _status(number: phonenumbers.PhoneNumber) -> Status | None:
    if phonenumbers.is_valid_number(number):
        return VALID
    if phonenumbers.is_possible_number(number):
        return POSSIBLE
    return None


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@register
class Phone(EntityKind):
    name = "phone"

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        text = raw.strip()
        if not text or len(text) > MAX_LENGTH:
            return None
        try:
            number = phonenumbers.parse(text, _region(region))
        except phonenumbers.NumberParseException:
            return None
        status = _status(number)
        return (e164(number), status) if status else None

    def region_of(self, value: str) -> str:
        """The ISO region a normalised (E.164) number is registered in, "" when unknown."""
        try:
            return phonenumbers.region_code_for_number(phonenumbers.parse(value, "ZZ")) or ""
        except phonenumbers.NumberParseException:
            return ""

    def find(self, text: str, region: str | None = None, strict: bool = False) -> Iterator[Entity]:
        """``strict``: only numbers that pass full validation (free text is noisy)."""
        leniency = phonenumbers.Leniency.VALID if strict else phonenumbers.Leniency.POSSIBLE
        # Digits inside an account number (an IBAN, valid or mistyped) are never a phone: linking two
        # cases by a phone read out of a bank account would be a false lead.
        accounts = [m.span() for m in IBAN.finditer(text)]
        try:
            for match in phonenumbers.PhoneNumberMatcher(text, _region(region), leniency=leniency):
                status = _status(match.number)
                if status is None or any(a <= match.start and match.end <= b for a, b in accounts):
                    continue
                detail = phonenumbers.region_code_for_number(match.number) or ""
                yield Entity(self.name, e164(match.number), match.raw_string, match.start, match.end, status, detail)
        except Exception:  # never raise on odd text; what was found before stands
            return
