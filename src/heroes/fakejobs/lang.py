"""Language of an ad, English or Spanish (heroes.text.detect_language), and the words too common
to explain a score. Other languages fall back to English, the language the classifier was trained on.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from heroes.text import detect_language as text_detect_language

SUPPORTED = ("en", "es")

DATA = Path(__file__).parent / "data" / "languages.yaml"


@cache
def _lists(key: str) -> dict[str, frozenset[str]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return {lang: frozenset(words.split()) for lang, words in data[key].items()}


def uninformative_words(lang: str) -> frozenset[str]:
    return _lists("uninformative").get(lang, frozenset())


def detect_language(text: str) -> str:
    """English or Spanish (heroes.text); anything unclear is English, the classifier's language."""
    return text_detect_language(text, default="en", min_score=0.0, margin=1.0) or "en"
