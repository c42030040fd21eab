"""The engine's own conversation format (documented in docs/grooming.md)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from heroes.chats.base import ChatParser, ParseError, decode
from heroes.chats.model import Conversation, Message
from heroes.chats.registry import register
from heroes.text import JsonTooDeep, json_loads

FORMAT_TAG = "heroes-chat"


def load_json(data: bytes, filename: str) -> Any:
    try:
        return json_loads(decode(data, filename))
    except JsonTooDeep as exc:
        raise ParseError(f"{filename}: {exc}; not a chat export") from None
    except json.JSONDecodeError as exc:
        raise ParseError(f"{filename}: line {exc.lineno}: invalid JSON ({exc.msg})") from exc


def parse_time(value: Any, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ParseError(f"{where}: time {value!r} is not ISO 8601") from exc


def conversation_from_dict(obj: Any, where: str, default_id: str = "conversation") -> Conversation:
    if not isinstance(obj, dict) or not isinstance(obj.get("messages"), list):
        raise ParseError(f"{where}: expected an object with a 'messages' list")
    messages = []
    for i, m in enumerate(obj["messages"]):
        at = f"{where}: message {i}"
        if not isinstance(m, dict):
            raise ParseError(f"{at}: expected an object")
        author, text = m.get("author"), m.get("text", "")
        if not isinstance(author, str) or not author:
            raise ParseError(f"{at}: 'author' must be a non-empty string")
        if not isinstance(text, str):
            raise ParseError(f"{at}: 'text' must be a string")
        attachments = m.get("attachments", [])
        if not isinstance(attachments, list) or not all(isinstance(a, str) for a in attachments):
            raise ParseError(f"{at}: 'attachments' must be a list of file names")
        messages.append(Message(author, text, parse_time(m.get("time"), at), tuple(attachments), str(i)))
    participants = obj.get("participants") or []
    return Conversation(
        id=str(obj.get("id") or default_id),
        messages=messages,
        participants=[p["id"] if isinstance(p, dict) else str(p) for p in participants],
        source_format=FORMAT_TAG,
    )


@register
class HeroesJsonParser(ChatParser):
    name = "json"
    app = "heroes"
    order = 10
    description = "HEROES conversation JSON (one object, a list, or {'conversations': [...]})"

    def sniff(self, filename: str, head: bytes) -> bool:
        # The format tag, or message objects with an "author" (Telegram uses "from").
        return filename.lower().endswith(".json") and (FORMAT_TAG.encode() in head or b'"author"' in head)

    def parse(self, data: bytes, filename: str) -> list[Conversation]:
        obj = load_json(data, filename)
        if isinstance(obj, dict) and "conversations" in obj:
            obj = obj["conversations"]
        items = obj if isinstance(obj, list) else [obj]
        return [
            conversation_from_dict(c, f"{filename}: conversation {i}", f"conversation-{i}") for i, c in enumerate(items)
        ]
