"""The conversation model every parser produces and the analyser reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Message:
    author: str
    text: str
    time: datetime | None = None
    # Names only: the engine never opens, stores or forwards attached files.
    attachments: tuple[str, ...] = ()
    # Where the message came from in the source (line number, PAN line id), for reports.
    ref: str | None = None


@dataclass
class Conversation:
    id: str
    messages: list[Message] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    source_format: str = ""

    def __post_init__(self) -> None:
        if not self.participants:
            seen: dict[str, None] = {}
            for m in self.messages:
                seen.setdefault(m.author, None)
            self.participants = list(seen)
