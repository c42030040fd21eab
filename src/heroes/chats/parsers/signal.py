"""Signal Desktop conversations written by signal-export (chat.md: "[YYYY-MM-DD HH:MM] Name: text")."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from heroes.chats.base import ChatParser, ParseError, decode
from heroes.chats.model import Attachment, Conversation, Message
from heroes.chats.registry import register

_LINE = re.compile(r"^\[(\d{4}-\d{2}-\d{2}),? (\d{2}:\d{2})(?::\d{2})?\] ([^:\n]+?): ?(.*)$")
_ATTACH = re.compile(r"!?\[([^\]]*)\]\(([^)]+)\)")


@register
class SignalParser(ChatParser):
    name = "signal"
    app = "signal"
    order = 50
    description = "Signal Desktop export by signal-export (chat.md)"

    def recognises(self, path: Path, head: bytes) -> bool:
        return self.sniff(str(path), head)

    def name_in_source(self, path: Path) -> str:
        return f"{path.parent.name}/{path.name}"

    def sniff(self, filename: str, head: bytes) -> bool:
        first = head.decode("utf-8", "ignore").lstrip("\ufeff").split("\n", 1)[0]
        lowered = filename.lower()
        return bool(_LINE.match(first)) and (lowered.endswith(".md") or "signal" in lowered)

    def parse(self, data: bytes, filename: str) -> list[Conversation]:
        messages: list[Message] = []
        extra: list[str] = []
        head: tuple[int, re.Match[str]] | None = None

        def flush() -> None:
            if head is None:
                return
            no, m = head
            body = "\n".join([m.group(4), *extra]).strip()
            refs = tuple(Attachment(name or path.rsplit("/", 1)[-1], "", path) for name, path in _ATTACH.findall(body))
            when = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}")
            messages.append(
                Message(
                    m.group(3).strip(),
                    _ATTACH.sub("", body).strip() if refs else body,
                    when,
                    tuple(a.name for a in refs),
                    f"line {no}",
                    sender_id=m.group(3).strip(),
                    time_original=f"{m.group(1)} {m.group(2)}",
                    attachment_refs=refs,
                )
            )

        for no, line in enumerate(decode(data, filename).splitlines(), start=1):
            m = _LINE.match(line)
            if m:
                flush()
                head, extra = (no, m), []
            elif head is not None:
                extra.append(line)
            elif line.strip():
                raise ParseError(f"{filename}: line {no}: not a Signal export line (expected '[date time] name: text')")
        flush()
        if not messages:
            raise ParseError(f"{filename}: line 1: no Signal messages found")
        parts = filename.replace("\\", "/").split("/")
        stem = parts[-2] if parts[-1].lower() == "chat.md" and len(parts) > 1 else parts[-1].rsplit(".", 1)[0]
        return [Conversation(stem, messages, source_format=self.name, title=stem, app="signal")]
