"""Phone numbers (phonenumbers, Google's libphonenumber): E.164, with the region they belong to.

A national number is read in the default region given; without one only international numbers
(+44 ..., 0044 ...) are understood. Numbers that fail strict validation but have a possible length
(test and fiction ranges, newly opened ranges) are kept and flagged ``possible``.

Speed: libphonenumber's matcher finds candidate spans with one regular expression (fast, in C), then
parses and checks each span (slow, in Python: about 0.2 ms a span). Texts that tie cases together
repeat the same spans (the same number in a hundred ads, the same ages and prices), so the per-span
work is memoised by the span and the little context it depends on; the matcher's own scan and its
order are unchanged, so the numbers found are exactly those of the plain matcher.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import phonenumbermatcher

from heroes.entities.banking import IBAN
from heroes.entities.base import POSSIBLE, VALID, Entity, EntityKind, Status, region_or_none, register

MAX_LENGTH = 64  # phonenumbers refuses longer input anyway; a phone field is never longer
CACHE_SIZE = 1 << 16  # spans (and numbers) remembered: some tens of MiB at most


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


Described = tuple[str, Status | None, str]  # E.164, status, region of the number
_DESCRIBED: dict[tuple[Any, ...], Described] = {}


def _describe(number: phonenumbers.PhoneNumber) -> Described:
    """(E.164, status, region) of a number, memoised by every field ``PhoneNumber.__eq__`` compares
    (equal numbers give equal answers; PhoneNumber itself is mutable and so not hashable)."""
    key = (
        number.country_code,
        number.national_number,
        number.extension,
        bool(number.italian_leading_zero),
        number.number_of_leading_zeros,
        number.raw_input,
        number.country_code_source,
        number.preferred_domestic_carrier_code,
    )
    found = _DESCRIBED.get(key)
    if found is None:
        found = (e164(number), _status(number), phonenumbers.region_code_for_number(number) or "")
        if len(_DESCRIBED) >= CACHE_SIZE:
            _DESCRIBED.clear()
        _DESCRIBED[key] = found
    return found


# span key -> (tries the span used, (offset in the span, raw string, number) or None)
_SPANS: dict[tuple[Any, ...], tuple[int, tuple[int, str, phonenumbers.PhoneNumber] | None]] = {}


class _MemoMatcher(phonenumbers.PhoneNumberMatcher):  # type: ignore[misc]
    """The library's matcher with its per-candidate step memoised.

    ``_extract_match(candidate, offset)`` reads the text only through the candidate itself, the
    characters just before and after it (leniency VALID and stricter reject numbers glued to
    letters), and whether ":mm" follows a candidate that ends like a time stamp. Those make the key.
    It also spends "tries" from the matcher's budget (65,535 failed parses per text); a remembered
    answer is used only when the budget left is larger than what the span spent, so the budget runs
    out exactly where the plain matcher's would.
    """

    def _extract_match(self, candidate: str, offset: int) -> Any:
        text = self.text
        end = offset + len(candidate)
        if self.leniency >= phonenumbers.Leniency.VALID:
            context: tuple[str | None, str | None] = (
                text[offset - 1] if offset > 0 else None,
                text[end] if end < len(text) else None,
            )
        else:
            context = (None, None)
        stamp = bool(
            phonenumbermatcher._TIME_STAMPS.search(candidate)
            and phonenumbermatcher._TIME_STAMPS_SUFFIX.match(text[end:])
        )
        key = (candidate, self.preferred_region, self.leniency, context, stamp)
        hit = _SPANS.get(key)
        if hit is not None and self._max_tries - hit[0] > 0:
            self._max_tries -= hit[0]
            found = hit[1]
            return None if found is None else phonenumbers.PhoneNumberMatch(offset + found[0], found[1], found[2])
        before = self._max_tries
        match = super()._extract_match(candidate, offset)
        if self._max_tries > 0:  # the budget never ran out inside: the answer holds for any larger one
            if len(_SPANS) >= CACHE_SIZE:
                _SPANS.clear()
            kept = None if match is None else (match.start - offset, match.raw_string, match.number)
            _SPANS[key] = (before - self._max_tries, kept)
        return match


@lru_cache(maxsize=CACHE_SIZE)
def _parse(text: str, region: str) -> tuple[str, Status] | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    status = _status(number)
    return (e164(number), status) if status else None


@register
class Phone(EntityKind):
    name = "phone"

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        text = raw.strip()
        if not text or len(text) > MAX_LENGTH:
            return None
        return _parse(text, _region(region))

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
            for match in _MemoMatcher(text, _region(region), leniency=leniency):
                value, status, detail = _describe(match.number)
                if status is None or any(a <= match.start and match.end <= b for a, b in accounts):
                    continue
                yield Entity(self.name, value, match.raw_string, match.start, match.end, status, detail)
        except Exception:  # never raise on odd text; what was found before stands
            return
