"""What a chat-export parser is. Each format is one small class listed in parsers/__init__.py."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from heroes.grooming.conversation import Conversation

try:  # the platform's user-facing error, when the core is installed
    from heroes.core.errors import HeroesError as _Base
except ImportError:  # pragma: no cover - phase 1, before the core existed
    _Base = ValueError  # type: ignore[misc,assignment]


class ParseError(_Base):  # type: ignore[misc,valid-type]
    """The input cannot be read; the message names the file and the line or message."""


class ChatParser(ABC):
    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def sniff(self, filename: str, head: bytes) -> bool:
        """Whether this looks like our format, from the name and the first bytes."""

    @abstractmethod
    def parse(self, data: bytes, filename: str) -> list[Conversation]:
        """All conversations in the export; raise ParseError naming the line on bad input."""


def decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(f"{filename}: line {line}: not UTF-8 text") from exc
