"""PAN 2012 sexual predator identification corpus XML."""

from __future__ import annotations

from heroes.chats.base import ChatParser, ParseError
from heroes.chats.model import Conversation, Message
from heroes.chats.parsers.safexml import parse_xml
from heroes.chats.registry import register


@register
class Pan2012Parser(ChatParser):
    name = "pan2012"
    app = "pan2012"
    order = 40
    description = "PAN 2012 XML: <conversations><conversation id><message line>"

    def sniff(self, filename: str, head: bytes) -> bool:
        return b"<conversations" in head

    def parse(self, data: bytes, filename: str) -> list[Conversation]:
        root = parse_xml(data, filename)
        if root.tag != "conversations":
            raise ParseError(f"{filename}: root element is <{root.tag}>, not <conversations>")
        out = []
        for ci, conv in enumerate(root.iter("conversation")):
            cid = conv.get("id") or f"conversation-{ci}"
            messages = []
            for mi, msg in enumerate(conv.iter("message")):
                line = msg.get("line") or str(mi + 1)
                author = (msg.findtext("author") or "").strip()
                if not author:
                    raise ParseError(f"{filename}: conversation {cid}: message line {line}: no <author>")
                text = msg.findtext("text") or ""
                messages.append(Message(author, text.strip(), None, (), line))
            out.append(Conversation(cid, messages, source_format=self.name))
        return out
