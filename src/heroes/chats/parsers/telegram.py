"""Telegram Desktop "Export chat history" in machine-readable JSON (result.json)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from heroes.chats.base import ChatParser, ParseError
from heroes.chats.model import Conversation, Message, Participant, Reaction
from heroes.chats.parsers.json_format import load_json, parse_time
from heroes.chats.registry import register

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


@register
class TelegramParser(ChatParser):
    name = "telegram"
    app = "telegram"
    order = 30
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
            system = m.get("type", "message") != "message"
            if system and not self.keep_system:
                continue  # service entries: joins, pins, calls
            author = m.get("from") or m.get("from_id") or m.get("actor") or m.get("actor_id")
            if not author and not system:
                raise ParseError(f"{at}: no 'from'")
            attachments = tuple(str(m[k]).rsplit("/", 1)[-1] for k in _MEDIA_KEYS if m.get(k))
            when = parse_time(m.get("date"), at)
            offset = None
            if when is None and str(m.get("date_unixtime", "")).isdigit():
                when = datetime.fromtimestamp(int(m["date_unixtime"]), UTC)
            elif when is not None and str(m.get("date_unixtime", "")).isdigit():
                # Desktop writes the exporting computer's local time; the Unix time gives the offset.
                utc = datetime.fromtimestamp(int(m["date_unixtime"]), UTC).replace(tzinfo=None)
                offset = round((when - utc).total_seconds() / 60)
            reactions = tuple(
                Reaction(str(r.get("emoji", "")), str(rec.get("from", "")))
                for r in m.get("reactions", []) or []
                if isinstance(r, dict)
                for rec in (r.get("recent") or [{}])
                if isinstance(rec, dict)
            )
            messages.append(
                Message(
                    str(author or ""),
                    _text(m.get("text", ""), at) if not system else str(m.get("action", "")),
                    when,
                    attachments,
                    str(m.get("id", i)),
                    sender_id=str(m.get("from_id") or m.get("actor_id") or ""),
                    time_original=str(m.get("date", "")),
                    utc_offset_minutes=offset,
                    reply_to=str(m["reply_to_message_id"]) if m.get("reply_to_message_id") else None,
                    source_id=str(m.get("id", "")),
                    reactions=reactions,
                    edited=bool(m.get("edited")),
                    system=system,
                )
            )
        people: dict[str, Participant] = {}
        for m in messages:
            if m.sender_id and not m.system:
                people.setdefault(m.sender_id, Participant(m.author, m.sender_id))
        return Conversation(
            id=str(chat.get("id", chat.get("name", "telegram"))),
            messages=messages,
            participants=[p.name for p in people.values()],
            source_format=self.name,
            title=str(chat.get("name") or ""),
            app="telegram",
            people=list(people.values()),
            is_group="group" in str(chat.get("type", "")),
        )
