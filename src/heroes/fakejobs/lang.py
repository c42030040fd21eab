"""Language of an ad, English or Spanish, from function words.

Function words ("the", "and", "de", "que"...) make up a large share of any text and barely overlap
between the two languages, so counting them is reliable on a few sentences and needs no model.
Letters only Spanish uses (ñ, ¿, ¡, accented vowels) break ties. Other languages fall back to
English, the language the classifier was trained on.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

SUPPORTED = ("en", "es")

DATA = Path(__file__).parent / "data" / "languages.yaml"


@cache
def _lists(key: str) -> dict[str, frozenset[str]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return {lang: frozenset(words.split()) for lang, words in data[key].items()}


def _function_words() -> dict[str, frozenset[str]]:
    return _lists("function_words")


def uninformative_words(lang: str) -> frozenset[str]:
    return _lists("uninformative").get(lang, frozenset())


_WORD = re.compile(r"[^\W\d_]+")
_SPANISH_LETTERS = re.compile(r"[ñáéíóú¿¡]", re.IGNORECASE)


def detect_language(text: str) -> str:
    tokens = _WORD.findall(text.lower()[:5000])
    scores = {lang: float(sum(1 for t in tokens if t in words)) for lang, words in _function_words().items()}
    scores["es"] += 0.5 * len(_SPANISH_LETTERS.findall(text[:5000]))
    return "es" if scores["es"] > scores["en"] else "en"
