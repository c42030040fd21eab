"""Text: what every tool does with words, written once.

- ``detect_language`` / ``language_scores``: English or Spanish (or None when the text does not say),
  from function words and the letters only one language uses; no model, no dependency.
- ``fold``: lower case, no accents, same length as the input (matches map back to the original).
- ``localized``: pick one language from an inline ``{"en": ..., "es": ...}`` value.
- ``read_jsonl`` / ``iter_jsonl``: JSON lines with errors that name the line.

See docs/text.md. This package imports nothing from the rest of heroes: the core and every tool
may use it.
"""

from __future__ import annotations

from heroes.text.folding import fold
from heroes.text.jsonl import JsonlError, JsonlRow, iter_jsonl, read_jsonl
from heroes.text.lang import LANGUAGES, detect_language, language_scores
from heroes.text.localize import localized

__all__ = [
    "LANGUAGES",
    "JsonlError",
    "JsonlRow",
    "detect_language",
    "fold",
    "iter_jsonl",
    "language_scores",
    "localized",
    "read_jsonl",
]
