"""Telegram Desktop "Export chat history" in machine-readable JSON (result.json)."""

from __future__ import annotations

from typing import Any

from heroes.grooming.conversation import Conversation, Message
from heroes.grooming.parsers.base import ChatParser, ParseError
from heroes.grooming.parsers.json_format import load_json, parse_time

_MEDIA_KEYS = ("photo", "file", "sticker_emoji")


def _text(value: Any, where: str) -> str:
    """Telegram stores formatted text as a list of strings and {type, text} entities."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            else:
                raise ParseError(f"{where}: unreadable text entity {part!r:.60}")
        return "".join(parts)
    raise ParseError(f"{where}: 'text' must be a string or a list")


class TelegramParser(ChatParser):
    name = "telegram"
    description = "Telegram Desktop export (result.json), one chat or the full export"

    def sniff(self, filename: str, head: bytes) -> bool:
        return (
            filename.lower().endswith(".json")
            and (b'"messages"' in head or b'"chats"' in head)
            and b"heroes-chat" not in head
        )

    def parse(self, data: bytes, filename: str) -> list[Conversation]:
        obj = load_json(data, filename)
        full_export = isinstance(obj, dict) and isinstance(obj.get("chats"), dict)
        chats = obj["chats"].get("list", []) if full_export else [obj]
        return [self._chat(c, f"{filename}: chat {i}") for i, c in enumerate(chats)]

    def _chat(self, chat: Any, where: str) -> Conversation:
        if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
            raise ParseError(f"{where}: not a Telegram chat (no 'messages' list)")
        messages = []
        for i, m in enumerate(chat["messages"]):
            at = f"{where}: message {i} (id {m.get('id') if isinstance(m, dict) else '?'})"
            if not isinstance(m, dict):
                raise ParseError(f"{at}: expected an object")
            if m.get("type", "message") != "message":
                continue  # service entries: joins, pins, calls
            author = m.get("from") or m.get("from_id")
            if not author:
                raise ParseError(f"{at}: no 'from'")
            attachments = tuple(str(m[k]).rsplit("/", 1)[-1] for k in _MEDIA_KEYS if m.get(k))
            messages.append(
                Message(
                    str(author),
                    _text(m.get("text", ""), at),
                    parse_time(m.get("date"), at),
                    attachments,
                    str(m.get("id", i)),
                )
            )
        return Conversation(
            id=str(chat.get("id", chat.get("name", "telegram"))),
            messages=messages,
            source_format=self.name,
        )
