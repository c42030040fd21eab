"""Numbers as the reader writes them: "0.87" in English, "0,87" in Spanish (decimal comma)."""

from __future__ import annotations

DECIMAL_COMMA = frozenset({"es"})


def format_number(value: float, lang: str, digits: int = 2) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang in DECIMAL_COMMA else text


def format_percent(value: float, lang: str) -> str:
    """A share as a percentage with one decimal ("4.2%", Spanish "4,2 %")."""
    number = format_number(100 * value, lang, 1)
    return f"{number} %" if lang in DECIMAL_COMMA else f"{number}%"
