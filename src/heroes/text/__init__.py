"""Text: what every tool does with words, written once.

- ``detect_language`` / ``language_scores``: English or Spanish (or None when the text does not say),
  from function words and the letters only one language uses; no model, no dependency.
- ``fold``: lower case, no accents, same length as the input (matches map back to the original).
- ``localized``: pick one language from an inline ``{"en": ..., "es": ...}`` value.
- ``read_jsonl`` / ``iter_jsonl``: JSON lines with errors that name the line.
- ``json_loads`` / ``check_json_depth``: JSON refused before parsing when nested too deep (``JsonTooDeep``).

See docs/text.md. This package imports nothing from the rest of heroes: the core and every tool
may use it.
"""

from __future__ import annotations

from heroes.text.folding import fold
from heroes.text.jsondepth import MAX_DEPTH as MAX_JSON_DEPTH
from heroes.text.jsondepth import DepthScanner, JsonTooDeep, check_json_depth
from heroes.text.jsondepth import loads as json_loads
from heroes.text.jsonl import JsonlError, JsonlRow, iter_jsonl, read_jsonl
from heroes.text.lang import LANGUAGES, detect_language, language_scores
from heroes.text.localize import localized

__all__ = [
    "LANGUAGES",
    "MAX_JSON_DEPTH",
    "DepthScanner",
    "JsonTooDeep",
    "JsonlError",
    "JsonlRow",
    "check_json_depth",
    "detect_language",
    "fold",
    "iter_jsonl",
    "json_loads",
    "language_scores",
    "localized",
    "read_jsonl",
]
