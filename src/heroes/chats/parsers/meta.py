"""Instagram and Facebook Messenger "Download your information" JSON (message_1.json ...).

Meta writes UTF-8 text as if each byte were a Latin-1 character ("mojibake"); every string is
repaired on the way in.
"""

from __future__ import annotations

from datetime import UTC, datetime

from heroes.chats.base import ChatParser, ParseError
from heroes.chats.model import Attachment, Conversation, Message, Participant, Reaction
from heroes.chats.parsers.json_format import load_json
from heroes.chats.registry import register

_MEDIA = {"photos": "image", "videos": "video", "audio_files": "audio", "files": "document", "gifs": "gif"}


def fix_mojibake(text: str) -> str:
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text  # already proper Unicode


class _MetaParser(ChatParser):
    def _looks_meta(self, filename: str, head: bytes) -> bool:
        return filename.lower().endswith(".json") and b'"sender_name"' in head and b'"timestamp_ms"' in head

    def parse(self, data: bytes, filename: str) -> list[Conversation]:
        obj = load_json(data, filename)
        if not isinstance(obj, dict) or not isinstance(obj.get("messages"), list):
            raise ParseError(f"{filename}: expected an object with a 'messages' list (Meta message_N.json)")
        people = [
            Participant(fix_mojibake(str(p.get("name", ""))), fix_mojibake(str(p.get("name", ""))))
            for p in obj.get("participants", []) or []
            if isinstance(p, dict)
        ]
        messages = []
        for i, m in enumerate(obj["messages"]):
            at = f"{filename}: message {i}"
            if not isinstance(m, dict) or not isinstance(m.get("sender_name"), str):
                raise ParseError(f"{at}: expected an object with 'sender_name'")
            ts = m.get("timestamp_ms")
            if not isinstance(ts, int | float):
                raise ParseError(f"{at}: 'timestamp_ms' must be a number")
            refs = tuple(
                Attachment(str(item.get("uri", "")).rsplit("/", 1)[-1], kind, str(item.get("uri", "")))
                for key, kind in _MEDIA.items()
                for item in m.get(key, []) or []
                if isinstance(item, dict)
            )
            text = fix_mojibake(str(m.get("content", "")))
            if isinstance(m.get("share"), dict) and m["share"].get("link"):
                text = f"{text}\n{m['share']['link']}".strip()
            system = m.get("type") not in (None, "Generic", "Share")
            messages.append(
                Message(
                    fix_mojibake(m["sender_name"]),
                    text,
                    datetime.fromtimestamp(ts / 1000, UTC),
                    tuple(a.name for a in refs),
                    f"messages[{i}]",
                    sender_id=fix_mojibake(m["sender_name"]),
                    time_original=str(ts),
                    reactions=tuple(
                        Reaction(fix_mojibake(str(r.get("reaction", ""))), fix_mojibake(str(r.get("actor", ""))))
                        for r in m.get("reactions", []) or []
                        if isinstance(r, dict)
                    ),
                    deleted=bool(m.get("is_unsent")),
                    system=system and self.keep_system,
                    attachment_refs=refs,
                )
            )
        # Meta lists newest first; a transcript reads oldest first.
        messages.sort(key=lambda msg: msg.time or datetime.min.replace(tzinfo=UTC))
        title = fix_mojibake(str(obj.get("title") or ""))
        cid = str(obj.get("thread_path") or title or filename.rsplit(".", 1)[0])
        return [
            Conversation(
                cid,
                messages,
                source_format=self.name,
                title=title or cid,
                app=self.app,
                people=people,
                is_group=len(people) > 2,
            )
        ]


@register
class MessengerParser(_MetaParser):
    name = "messenger"
    app = "messenger"
    order = 19
    description = "Facebook Messenger 'Download your information' JSON"

    def sniff(self, filename: str, head: bytes) -> bool:
        lowered = filename.lower()
        return self._looks_meta(filename, head) and (
            "facebook" in lowered
            or "messenger" in lowered
            or b'"type": "Generic"' in head
            or b'"type":"Generic"' in head
        )


@register
class InstagramParser(_MetaParser):
    name = "instagram"
    app = "instagram"
    order = 20
    description = "Instagram 'Download your information' direct messages JSON"

    def sniff(self, filename: str, head: bytes) -> bool:
        return self._looks_meta(filename, head)
