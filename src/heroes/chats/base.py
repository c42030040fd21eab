"""What a chat parser is. Each format is one small class registered in heroes.chats.registry.

A parser says whether it recognises a file (`recognises`, from its path and first bytes) and reads
it. Text and JSON exports implement `sniff` and `parse` over bytes; app databases override
`stream`, which yields each conversation's header and then its messages one at a time so memory
stays flat however large the database is. Whatever cannot be read goes into `problems` (naming the
file and the table or line) instead of stopping the whole acquisition.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from heroes.chats.model import Conversation, Message
from heroes.core.errors import HeroesError

Item = Conversation | Message


class ParseError(HeroesError):
    """The input cannot be read; the message names the file and the line or message."""


class ChatParser(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    app: ClassVar[str] = ""
    # Sniffing order: lower first, so specific formats are tried before general ones.
    order: ClassVar[int] = 100
    # Whether `parse(data, filename)` works on bytes (text/JSON exports); databases need a file.
    reads_bytes: ClassVar[bool] = True
    # Exports for the grooming engine drop system lines; evidence acquisition keeps them.
    keep_system: bool = False

    def sniff(self, filename: str, head: bytes) -> bool:
        """Whether this looks like our format, from the name and the first bytes."""
        return False

    def recognises(self, path: Path, head: bytes) -> bool:
        """Whether this parser reads the file at `path` (whose first 4 KiB are `head`)."""
        return self.sniff(path.name, head)

    def parse(self, data: bytes, filename: str) -> list[Conversation]:
        """All conversations in the export; raise ParseError naming the line on bad input."""
        raise ParseError(f"{filename}: the {self.name} parser reads files, not uploaded bytes")

    def stream(self, path: Path, problems: list[str]) -> Iterator[Item]:
        """Each conversation's header, then its messages (with `conversation` set)."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ParseError(f"{path}: cannot read ({exc.strerror})") from exc
        self.keep_system = True
        for conv in self.parse(data, self.name_in_source(path)):
            yield conv.header()
            for m in conv.messages:
                yield m.with_(conversation=conv.id)

    def name_in_source(self, path: Path) -> str:
        """The file name the parser sees when streaming (some formats name the chat by its folder)."""
        return path.name


def decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(f"{filename}: line {line}: not UTF-8 text") from exc
