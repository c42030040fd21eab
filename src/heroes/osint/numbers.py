"""Phone numbers written to dodge filters: spaced or punctuated digits, digits as English or Spanish
words ("five five five", "treinta y ocho"), emoji, keycap, circled and fullwidth digits, O and l for 0
and 1. The digits found are handed to the shared entity library, so a number hidden in words and the
same number written plainly get one normalised value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from heroes import entities

UNITS = {
    # English
    "zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9,
    # Spanish
    "cero": 0, "uno": 1, "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9,
}  # fmt: skip
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16,
    "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintidos": 22,
    "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27,
    "veintiocho": 28, "veintinueve": 29,
}  # fmt: skip
TENS = {
    "twenty": 2, "thirty": 3, "forty": 4, "fourty": 4, "fifty": 5, "sixty": 6, "seventy": 7, "eighty": 8,
    "ninety": 9,
    "treinta": 3, "cuarenta": 4, "cincuenta": 5, "sesenta": 6, "setenta": 7, "ochenta": 8, "noventa": 9,
}  # fmt: skip
CONNECTORS = {"y", "and"}  # "treinta y ocho"
LOOKALIKE = {"o": "0", "l": "1", "i": "1"}  # single letters standing for digits inside a number
KEYCAP = "\u20e3"
SEPARATORS = set("-.()/_|*+~,:")
MAX_GAP = 3  # separators allowed between two digits of one number

TOKEN = re.compile(r"[^\W\d_]+|\S", re.UNICODE)


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def _char_digit(ch: str) -> str | None:
    """One character standing for one digit: 7, ７ (fullwidth), ⑦ (circled), ٧ ... or None."""
    try:
        return str(unicodedata.digit(ch))
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=65536)
def _token_info(raw: str) -> tuple[str, str | None, str | None]:
    """(folded word, its digits when every character is one, its digits when every letter is a look-alike)."""
    chars = [_char_digit(c) for c in raw]
    as_digits = "".join(d for d in chars if d is not None) if all(d is not None for d in chars) else None
    lower = raw.lower()
    as_lookalike = "".join(LOOKALIKE[c] for c in lower) if all(c in LOOKALIKE for c in lower) else None
    return _fold(raw), as_digits, as_lookalike


@lru_cache(maxsize=65536)
def _may_start(raw: str) -> bool:
    """Whether a token can begin a number: a digit however written, or a number word. Between numbers
    every other token leaves the reader as it is, so ``digit_runs`` passes over them cheaply."""
    word, as_digits, _ = _token_info(raw)
    return as_digits is not None or word in TENS or word in TEENS or (word in UNITS and word not in LOOKALIKE)


@dataclass(frozen=True)
class HiddenNumber:
    digits: str
    start: int
    end: int


def digit_runs(text: str) -> list[HiddenNumber]:
    """Runs of digits however written, with the span of text they cover."""
    runs: list[HiddenNumber] = []
    digits = ""
    start = end = -1
    gap = 0
    pending_tens: str | None = None  # "thirty" waits to see whether "eight" follows

    def close() -> None:
        nonlocal digits, start, end, pending_tens, gap
        if pending_tens is not None:
            digits += pending_tens + "0"
            pending_tens = None
        if digits:
            runs.append(HiddenNumber(digits, start, end))
        digits, start, end, gap = "", -1, -1, 0

    def add(value: str, s: int, e: int) -> None:
        nonlocal digits, start, end, gap
        if not digits and pending_tens is None:
            start = s
        digits += value
        end = e
        gap = 0

    for match in TOKEN.finditer(text):
        raw = match.group()
        if not digits and pending_tens is None and not _may_start(raw):
            continue  # outside a number: close() would change nothing
        s, e = match.span()
        if raw in ("\ufe0f", KEYCAP):  # the tail of a keycap emoji (1️⃣)
            if digits:
                end = e
            continue
        word, as_digits, as_lookalike = _token_info(raw)
        if as_digits is not None or (digits and as_lookalike is not None):
            value = as_digits if as_digits is not None else str(as_lookalike)
            if pending_tens is not None:
                # "thirty 8" is 38; "thirty 0" or "thirty 55" keep the tens' zero.
                value = pending_tens + value if len(value) == 1 and value != "0" else pending_tens + "0" + value
                pending_tens = None
            add(value, s, e)
            continue
        if word in TENS:
            if pending_tens is not None:
                add(pending_tens + "0", s, e)
                pending_tens = None
            if not digits:
                start = s
            pending_tens = str(TENS[word])
            end = e
            gap = 0
            continue
        if word in UNITS and (word not in LOOKALIKE or digits or pending_tens):
            value = str(UNITS[word])
            if pending_tens is not None:
                value, pending_tens = pending_tens + value, None
            add(value, s, e)
            continue
        if word in TEENS:
            if pending_tens is not None:
                add(pending_tens + "0", s, e)
                pending_tens = None
            add(str(TEENS[word]), s, e)
            continue
        if word in CONNECTORS and pending_tens is not None:
            continue
        if (raw in SEPARATORS) and (digits or pending_tens) and gap < MAX_GAP:
            gap += 1
            continue
        close()
    close()
    return runs


def _split_phones(digits: str) -> list[str]:
    """A run may hold one number or two written back to back; cut it into 10-digit (or 1 + 10) numbers.

    A run of 9 digits is kept whole: national numbers in Spain and several other countries.
    """
    if 9 <= len(digits) <= 11:
        return [digits]
    found = []
    i = 0
    while len(digits) - i >= 10:
        if digits[i] == "1" and len(digits) - i >= 11:
            found.append(digits[i : i + 11])
            i += 11
        else:
            found.append(digits[i : i + 10])
            i += 10
    return found


def hidden_phones(text: str, region: str = "US") -> list[entities.Entity]:
    """Phone numbers however they are written, as entities of kind ``phone`` (value in E.164)."""
    out: list[entities.Entity] = []
    for run in digit_runs(text):
        for candidate in _split_phones(run.digits):
            value = entities.normalize("phone", candidate, region=region)
            if value is not None:
                raw = text[run.start : run.end]
                out.append(entities.Entity("phone", value, raw, run.start, run.end, entities.POSSIBLE, "hidden"))
    return out
