"""Chat-export parsers. To support another app, write one ChatParser and add it to PARSERS."""

from __future__ import annotations

from pathlib import Path

from heroes.grooming.conversation import Conversation
from heroes.grooming.parsers.base import ChatParser, ParseError
from heroes.grooming.parsers.json_format import HeroesJsonParser
from heroes.grooming.parsers.pan2012 import Pan2012Parser
from heroes.grooming.parsers.telegram import TelegramParser
from heroes.grooming.parsers.whatsapp import WhatsAppParser

# The one registry: sniffed in this order (most specific first).
PARSERS: dict[str, type[ChatParser]] = {
    p.name: p for p in (HeroesJsonParser, TelegramParser, Pan2012Parser, WhatsAppParser)
}

__all__ = ["PARSERS", "ChatParser", "ParseError", "parse_bytes", "parse_file"]


def parse_bytes(data: bytes, filename: str, fmt: str | None = None) -> list[Conversation]:
    """Parse an export; `fmt` names a parser, otherwise the format is recognised.

    Hostile or broken files (nested 100,000 deep, fields of the wrong type) are a ParseError
    naming the problem, never a crash."""
    try:
        return _parse_bytes(data, filename, fmt)
    except RecursionError:
        raise ParseError(f"{filename}: nested too deeply to be read") from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, ParseError):
            raise
        raise ParseError(f"{filename}: the structure is not a chat export ({type(exc).__name__})") from None


def _parse_bytes(data: bytes, filename: str, fmt: str | None = None) -> list[Conversation]:
    if fmt is not None:
        if fmt not in PARSERS:
            raise ParseError(f"unknown chat format {fmt!r}; known: {', '.join(PARSERS)}")
        return PARSERS[fmt]().parse(data, filename)
    head = data[:4096]
    for cls in PARSERS.values():
        parser = cls()
        if parser.sniff(filename, head):
            return parser.parse(data, filename)
    raise ParseError(f"{filename}: line 1: unrecognised chat export; known formats: {', '.join(PARSERS)}")


def parse_file(path: Path, fmt: str | None = None) -> list[Conversation]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror})") from exc
    return parse_bytes(data, path.name, fmt)
