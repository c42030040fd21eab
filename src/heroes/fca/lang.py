"""Language of an extracted text from its function words (no model, works on a few sentences)."""

from __future__ import annotations

import re

_WORDS = {
    "en": "the and of to in is that for it with as was on be at by this are from or have not you",
    "es": "el la de que y en los las del se por un una con para es al lo como más pero sus le ya",
    "pt": "o a de que e do da em um para com não uma os no se na por mais as dos como mas ao",
    "fr": "le la les de des et un une est du en que qui dans pour pas sur au avec ce il",
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als",
}
FUNCTION_WORDS = {lang: frozenset(words.split()) for lang, words in _WORDS.items()}
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def language(text: str, sample: int = 20000) -> str | None:
    """ISO 639-1 code of the most likely language, or None when the text is too short to tell."""
    words = [w.lower() for w in WORD.findall(text[:sample])]
    if len(words) < 5:
        return None
    scores = {lang: sum(1 for w in words if w in vocab) for lang, vocab in FUNCTION_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] < max(2, len(words) // 50):
        return None
    return best
