"""Telegram Desktop "Export chat history" in machine-readable JSON (result.json)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from heroes.chats.base import ChatParser, Item, ParseError
from heroes.chats.model import Conversation, Message, Participant, Reaction
from heroes.chats.parsers.json_format import load_json, parse_time
from heroes.chats.registry import register
from heroes.text import MAX_JSON_DEPTH

_MEDIA_KEYS = ("photo", "file", "sticker_emoji")
# Where chats sit: the single-chat export is one chat; the account export lists them.
_CHAT_PREFIXES = ("", "chats.list.item", "left_chats.list.item")
_SCALARS = ("string", "number", "boolean", "null")
_STARTS, _ENDS = ("start_map", "start_array"), ("end_map", "end_array")


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


def _depth_limited(events: Iterable[tuple[str, Any]], filename: str) -> Iterator[tuple[str, Any]]:
    """The reader's events, refused past the nesting limit. A stream has no pre-scan, so the depth
    is counted here, below ijson's prefixes: each prefix is as long as its depth, and building
    them for 100,000 levels would take minutes before the first event came out."""
    depth = 0
    for event, value in events:
        if event in _STARTS:
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise ParseError(f"{filename}: nested more than {MAX_JSON_DEPTH} levels deep")
        elif event in _ENDS:
            depth -= 1
        yield event, value


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

    def stream(self, path: Path, problems: list[str]) -> Iterator[Item]:
        """Message by message with an incremental JSON reader: a full account export can be gigabytes."""
        import ijson

        self.keep_system = True
        chat: dict[str, Any] = {}
        n_chat, listed, header_sent, count = -1, -1, False, 0
        msg_prefix = "messages.item"
        builder: Any = None
        try:
            with open(path, "rb") as handle:
                events = _depth_limited(ijson.basic_parse(handle, use_float=True), path.name)
                for prefix, event, value in ijson.parse(events):
                    if builder is not None:
                        builder.event(event, value)
                        if prefix == msg_prefix and event == "end_map":
                            if not header_sent:
                                yield self._header(chat, path.name)
                                header_sent = True
                            where = f"{path.name}: chat {n_chat}"
                            cid = str(chat.get("id", chat.get("name", "telegram")))
                            msg = self._message(builder.value, count, where, cid)
                            count += 1
                            builder = None
                            if msg is not None:
                                yield msg
                        continue
                    if event == "start_map" and prefix in _CHAT_PREFIXES:
                        # The top-level object is a chat in a single-chat export, the account otherwise.
                        listed += bool(prefix)
                        chat, n_chat, header_sent, count = {}, max(listed, 0), False, 0
                        msg_prefix = f"{prefix}.messages.item".lstrip(".")
                    elif event in _SCALARS and prefix.rpartition(".")[0] in _CHAT_PREFIXES and n_chat >= 0:
                        chat.setdefault(prefix.rpartition(".")[2], value)
                    elif n_chat >= 0 and event == "start_map" and prefix == msg_prefix:
                        builder = ijson.ObjectBuilder()
                        builder.event(event, value)
                    elif event == "end_map" and prefix and prefix in _CHAT_PREFIXES and not header_sent:
                        yield self._header(chat, path.name)  # a chat without messages
        except ijson.JSONError as exc:
            raise ParseError(f"{path.name}: invalid JSON ({exc})") from exc
        if n_chat < 0:
            raise ParseError(f"{path.name}: not a Telegram export (no chat with a 'messages' list)")

    def _header(self, chat: dict[str, Any], filename: str) -> Conversation:
        return Conversation(
            id=str(chat.get("id", chat.get("name", "telegram"))),
            source_format=self.name,
            title=str(chat.get("name") or ""),
            app="telegram",
            is_group="group" in str(chat.get("type", "")),
        )

    def _message(self, m: Any, i: int, where: str, conversation: str = "") -> Message | None:
        at = f"{where}: message {i} (id {m.get('id') if isinstance(m, dict) else '?'})"
        if not isinstance(m, dict):
            raise ParseError(f"{at}: expected an object")
        system = m.get("type", "message") != "message"
        if system and not self.keep_system:
            return None  # service entries: joins, pins, calls
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
        return Message(
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
            conversation=conversation,
        )

    def _chat(self, chat: Any, where: str) -> Conversation:
        if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
            raise ParseError(f"{where}: not a Telegram chat (no 'messages' list)")
        messages = [msg for i, m in enumerate(chat["messages"]) if (msg := self._message(m, i, where)) is not None]
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
