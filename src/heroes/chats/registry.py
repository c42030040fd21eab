"""The one registry of chat parsers: a new app or app version is one class and one `@register`."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from heroes.chats.base import ChatParser, ParseError
from heroes.chats.model import Conversation
from heroes.core.tools import DuplicateName

REGISTRY: dict[str, type[ChatParser]] = {}
P = TypeVar("P", bound=type[ChatParser])


def register(cls: P) -> P:
    if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
        raise DuplicateName(f"Two chat parsers are named {cls.name!r}: {REGISTRY[cls.name]} and {cls}.")
    REGISTRY[cls.name] = cls
    return cls


def parsers(bytes_only: bool = False) -> list[type[ChatParser]]:
    """Registered parsers in sniffing order."""
    found = [c for c in REGISTRY.values() if c.reads_bytes or not bytes_only]
    return sorted(found, key=lambda c: c.order)


def find_parser(path: Path, head: bytes | None = None) -> ChatParser | None:
    """The first parser that recognises the file, or None."""
    if head is None:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    for cls in parsers():
        parser = cls()
        if parser.recognises(path, head):
            return parser
    return None


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
    known = {c.name: c for c in parsers(bytes_only=True)}
    if fmt is not None:
        if fmt not in known:
            raise ParseError(f"unknown chat format {fmt!r}; known: {', '.join(known)}")
        return known[fmt]().parse(data, filename)
    head = data[:4096]
    for cls in known.values():
        parser = cls()
        if parser.sniff(filename, head):
            return parser.parse(data, filename)
    raise ParseError(f"{filename}: line 1: unrecognised chat export; known formats: {', '.join(known)}")


def parse_file(path: Path, fmt: str | None = None) -> list[Conversation]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror})") from exc
    return parse_bytes(data, path.name, fmt)
