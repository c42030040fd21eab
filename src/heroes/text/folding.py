"""Accent and case folding that keeps every position: position i of the folded text is position i
of the original, so a match found in folded text can always show the writer's own words."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00b4": "'", "`": "'"})


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    lowered = char.lower()
    if len(lowered) != 1:
        return char
    decomposed = unicodedata.normalize("NFKD", lowered)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if len(base) == 1 else lowered


class _FoldTable(dict[int, str]):
    """str.translate table filled on first sight of each character (one C-level pass per text)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = _fold_char(char.translate(_APOSTROPHES))
        if len(self) < 65536:
            self[code] = folded
        return folded


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower case, no accents, same length as `text` ("Niña" -> "nina"); curly apostrophes become '."""
    if text.isascii():
        return text.translate(_APOSTROPHES).lower()
    return text.translate(_TABLE)
