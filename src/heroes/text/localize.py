"""The one helper that picks a language from an inline multilingual value."""

from __future__ import annotations

from typing import Any

FALLBACK = "en"


def localized(value: Any, lang: str, fallback: str = FALLBACK) -> str:
    """Pick `lang` from a {"en": ..., "es": ...} value.

    Tries the language ("es-MX"), its base ("es"), then `fallback`, then the first non-empty value;
    a plain value passes through as text and None gives "". Empty strings count as missing."""
    if isinstance(value, dict):
        for key in (lang, lang.split("-")[0], fallback):
            if value.get(key):
                return str(value[key])
        return str(next((v for v in value.values() if v), ""))
    return "" if value is None else str(value)
