"""Reading acquired chats: per-conversation summaries, a timeline across apps, search, contacts'
phones and handles (heroes.entities), and the anti-grooming analysis of every conversation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from heroes import entities
from heroes.chats.model import Conversation, Message
from heroes.rima.package import Package
from heroes.text import fold  # case- and accent-insensitive search ("Lucía" finds "lucia")

PHONE_SERVERS = ("@s.whatsapp.net", "@c.us")


def sort_key(record: dict[str, Any]) -> str:
    return str(record.get("time") or record.get("time_local") or "")


def timeline(pkg: Package, limit: int | None = None) -> list[dict[str, Any]]:
    """All messages of every app in time order (UTC; local-only times where no zone was known)."""
    out = sorted(pkg.messages(), key=sort_key)
    return out[:limit] if limit else out


def search(
    pkg: Package, query: str, conversation: str | None = None, app: str | None = None
) -> Iterator[dict[str, Any]]:
    """Messages whose text, sender or attachment names contain `query`, ignoring case and accents."""
    needle = fold(query.strip())
    for m in pkg.messages():
        if conversation and m["conversation"] != conversation:
            continue
        if app and m["app"] != app:
            continue
        hay = " ".join([m["text"], m["sender"], m["sender_id"], *(a.get("name", "") for a in m["attachments"])])
        if needle and needle in fold(hay):
            yield m


def conversation_messages(pkg: Package, conversation: str) -> list[dict[str, Any]]:
    return [m for m in pkg.messages() if m["conversation"] == conversation]


@dataclass
class Contact:
    kind: str  # phone, handle, email
    value: str
    names: set[str] = field(default_factory=set)
    apps: set[str] = field(default_factory=set)
    conversations: set[str] = field(default_factory=set)
    messages: int = 0  # messages sent from it
    mentions: list[str] = field(default_factory=list)  # ids of messages whose text names it
    status: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "value": self.value,
            "status": self.status,
            "names": sorted(self.names),
            "apps": sorted(self.apps),
            "conversations": sorted(self.conversations),
            "messages_sent": self.messages,
            "mentioned_in": self.mentions[:50],
        }


def identifier_entity(identifier: str) -> tuple[str, str, str] | None:
    """(kind, normalised value, status) of an app identifier: a JID, a phone, an e-mail or a handle."""
    ident = identifier.strip()
    if not ident:
        return None
    for server in PHONE_SERVERS:
        if ident.endswith(server):
            ident = "+" + ident[: -len(server)]
    if ident.endswith("@g.us"):
        return None  # a group, not a person
    if ident.lstrip("+").replace(" ", "").isdigit():
        number = ident if ident.startswith("+") else "+" + ident
        status = entities.check("phone", number)
        return "phone", entities.normalize("phone", number) or number, status or "invalid"
    if "@" in ident and "." in ident.split("@")[-1]:
        return "email", ident.lower(), entities.check("email", ident) or "invalid"
    return "handle", ident, ""


def contacts(pkg: Package, region: str | None = None) -> list[dict[str, Any]]:
    """Everyone in the package by phone, e-mail or handle: from participants, senders and message texts."""
    found: dict[tuple[str, str], Contact] = {}

    def add(ident: str, name: str, app: str, conv: str) -> Contact | None:
        ent = identifier_entity(ident)
        if ent is None:
            return None
        contact = found.setdefault((ent[0], ent[1]), Contact(ent[0], ent[1], status=ent[2]))
        if name and name != ident:
            contact.names.add(name)
        contact.apps.add(app)
        contact.conversations.add(conv)
        return contact

    for c in pkg.conversations():
        for p in c["participants"]:
            for key in ("phone", "identifier", "handle"):
                if p.get(key):
                    add(str(p[key]), str(p.get("name", "")), c["app"], c["id"])
                    break
    for m in pkg.messages():
        if m["sender_id"] and not m["from_me"]:
            contact = add(m["sender_id"], m["sender"], m["app"], m["conversation"])
            if contact:
                contact.messages += 1
        if m["text"]:
            for e in entities.find(m["text"], region=region):
                if e.kind not in ("phone", "email", "handle"):
                    continue
                contact = found.setdefault((e.kind, e.value), Contact(e.kind, e.value, status=e.status))
                contact.apps.add(m["app"])
                contact.mentions.append(m["id"])
    return sorted((c.as_dict() for c in found.values()), key=lambda c: (c["kind"], c["value"]))


def grooming(pkg: Package, lang: str = "en", min_messages: int = 2) -> list[dict[str, Any]]:
    """The anti-grooming analysis of each conversation, its evidence pointing at package message ids."""
    from heroes.grooming.api import analyse_conversation

    by_conv: dict[str, list[dict[str, Any]]] = {}
    for m in pkg.messages():
        if not m["system"] and m["text"].strip():
            by_conv.setdefault(m["conversation"], []).append(m)
    titles = {c["id"]: c for c in pkg.conversations()}
    out = []
    for cid, msgs in by_conv.items():
        if len(msgs) < min_messages:
            continue
        conv = Conversation(cid, [Message(m["sender"], m["text"], None, (), m["id"]) for m in msgs])
        report = analyse_conversation(conv, lang=lang)
        for stage in report.get("stages", []):
            for ev in stage.get("evidence", []):
                index = ev.get("index")
                if isinstance(index, int) and 0 <= index < len(msgs):
                    ev["message_id"] = msgs[index]["id"]
        meta = titles.get(cid, {})
        out.append({"conversation": cid, "title": meta.get("title", cid), "app": meta.get("app", ""), **report})
    out.sort(key=lambda r: -float(r.get("score", 0)))
    return out
