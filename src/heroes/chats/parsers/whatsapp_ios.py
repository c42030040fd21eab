"""WhatsApp for iOS: ChatStorage.sqlite (Core Data: ZWAMESSAGE, ZWACHATSESSION, ZWAGROUPMEMBER,
ZWAMEDIAITEM). Columns vary between app versions; each is read only when the schema has it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from heroes.chats import sqlite as db
from heroes.chats.base import ChatParser, Item, ParseError
from heroes.chats.model import Attachment, Conversation, Message, Participant
from heroes.chats.parsers.whatsapp_android import OWNER, phone_of
from heroes.chats.registry import register

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
_KIND = {1: "image", 2: "video", 3: "audio", 4: "contact", 5: "location", 7: "link", 8: "document", 15: "sticker"}
_SYSTEM = {6, 10}
_DELETED = {14}


def apple_time(value: object) -> tuple[datetime | None, str]:
    """Core Data dates: seconds since 2001-01-01 UTC (nanoseconds in some tables of newer apps)."""
    if not isinstance(value, int | float) or value == 0:
        return None, "" if value is None else str(value)
    seconds = value / 1e9 if abs(value) > 1e11 else value
    return APPLE_EPOCH + timedelta(seconds=seconds), str(value)


@register
class WhatsAppIosParser(ChatParser):
    name = "whatsapp-ios"
    app = "whatsapp"
    order = 61
    reads_bytes = False
    description = "WhatsApp iOS ChatStorage.sqlite (several app versions)"

    def recognises(self, path: Path, head: bytes) -> bool:
        if not db.is_sqlite(head):
            return False
        return path.name.lower() == "chatstorage.sqlite" or b"ZWAMESSAGE" in db.schema_text(path)

    def stream(self, path: Path, problems: list[str]) -> Iterator[Item]:
        with db.working_copy(path) as conn:
            found = db.tables(conn)
            if "ZWAMESSAGE" not in found:
                raise ParseError(f"{path.name}: no ZWAMESSAGE table; not a WhatsApp iOS ChatStorage database")
            members = self._members(conn, path, found, problems)
            yield from self._sessions(conn, path, members, problems)
            yield from self._messages(conn, path, found, members, problems)

    def _members(
        self, conn: sqlite3.Connection, path: Path, found: set[str], problems: list[str]
    ) -> dict[int, tuple[str, str]]:
        if "ZWAGROUPMEMBER" not in found:
            return {}
        cols = db.columns(conn, "ZWAGROUPMEMBER")
        out: dict[int, tuple[str, str]] = {}
        try:
            sql = (
                f"SELECT Z_PK, {db.col(cols, 'ZMEMBERJID', 'jid', 'g')}, {db.col(cols, 'ZCONTACTNAME', 'name', 'g')}, "
                f"{db.col(cols, 'ZFIRSTNAME', 'first', 'g')} FROM ZWAGROUPMEMBER g"
            )
            for r in conn.execute(sql):
                jid = str(r["jid"] or "")
                out[r["Z_PK"]] = (str(r["name"] or r["first"] or phone_of(jid) or jid), jid)
        except sqlite3.DatabaseError as exc:
            problems.append(f"{path.name}: table ZWAGROUPMEMBER unreadable ({exc})")
        return out

    def _sessions(
        self, conn: sqlite3.Connection, path: Path, members: dict[int, tuple[str, str]], problems: list[str]
    ) -> Iterator[Item]:
        cols = db.columns(conn, "ZWACHATSESSION")
        try:
            sessions = conn.execute(
                f"SELECT s.Z_PK, {db.col(cols, 'ZCONTACTJID', 'jid', 's')}, "
                f"{db.col(cols, 'ZPARTNERNAME', 'name', 's')} FROM ZWACHATSESSION s"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            problems.append(f"{path.name}: table ZWACHATSESSION unreadable ({exc})")
            sessions = []
        member_chat: dict[int, list[Participant]] = {}
        try:
            if "ZCHATSESSION" in db.columns(conn, "ZWAGROUPMEMBER"):
                for pk, chat in conn.execute("SELECT Z_PK, ZCHATSESSION FROM ZWAGROUPMEMBER"):
                    name, jid = members.get(pk, ("", ""))
                    member_chat.setdefault(chat, []).append(Participant(name, jid, phone_of(jid)))
        except sqlite3.DatabaseError as exc:
            problems.append(f"{path.name}: group membership unreadable ({exc})")
        for s in sessions:
            jid = str(s["jid"] or f"session#{s['Z_PK']}")
            group = jid.endswith("@g.us")
            people = (
                member_chat.get(s["Z_PK"], []) if group else [Participant(str(s["name"] or jid), jid, phone_of(jid))]
            )
            yield Conversation(
                jid,
                [],
                source_format=self.name,
                title=str(s["name"] or jid),
                app="whatsapp",
                people=people,
                is_group=group,
                source_file=path.name,
                source_ref=f"ZWACHATSESSION.Z_PK={s['Z_PK']}",
            )

    def _messages(
        self,
        conn: sqlite3.Connection,
        path: Path,
        found: set[str],
        members: dict[int, tuple[str, str]],
        problems: list[str],
    ) -> Iterator[Item]:
        cols = db.columns(conn, "ZWAMESSAGE")
        scols = db.columns(conn, "ZWACHATSESSION")
        media = "ZWAMEDIAITEM" in found and "ZMEDIAITEM" in cols
        mcols = db.columns(conn, "ZWAMEDIAITEM") if media else set()
        select = (
            "SELECT m.Z_PK AS _k, "
            + ", ".join(
                db.col(cols, c, a)
                for c, a in (
                    ("ZISFROMME", "from_me"),
                    ("ZTEXT", "text"),
                    ("ZMESSAGEDATE", "ts"),
                    ("ZFROMJID", "from_jid"),
                    ("ZPUSHNAME", "push"),
                    ("ZGROUPMEMBER", "member"),
                    ("ZMESSAGETYPE", "mtype"),
                    ("ZGROUPEVENTTYPE", "event"),
                    ("ZSTANZAID", "stanza"),
                    ("ZPARENTMESSAGE", "parent"),
                )
            )
            + f", {db.col(scols, 'ZCONTACTJID', 'chat', 's')}, {db.col(scols, 'ZPARTNERNAME', 'partner', 's')}"
            + (
                f", {db.col(mcols, 'ZMEDIALOCALPATH', 'file_path', 'mi')}, {db.col(mcols, 'ZFILESIZE', 'size', 'mi')}"
                f", {db.col(mcols, 'ZTITLE', 'title', 'mi')}"
                if media
                else ", NULL AS file_path, NULL AS size, NULL AS title"
            )
            + " FROM ZWAMESSAGE m LEFT JOIN ZWACHATSESSION s ON s.Z_PK = m.ZCHATSESSION"
            + (" LEFT JOIN ZWAMEDIAITEM mi ON mi.Z_PK = m.ZMEDIAITEM" if media else "")
            + " WHERE {where}"
        )
        for r in db.rows(conn, select, "m.Z_PK", f"{path.name}: table ZWAMESSAGE", problems):
            chat = str(r["chat"] or "")
            when, original = apple_time(r["ts"])
            mtype = r["mtype"] or 0
            if r["from_me"]:
                author, sender = OWNER, ""
            elif r["member"] and r["member"] in members:
                author, sender = members[r["member"]]
            else:
                sender = str(r["from_jid"] or chat)
                author = str(r["partner"] if sender == chat and r["partner"] else (r["push"] or phone_of(sender)))
                author = author or sender
            refs: tuple[Attachment, ...] = ()
            if r["file_path"] or mtype in _KIND:
                file_path = str(r["file_path"] or "")
                refs = (
                    Attachment(
                        file_path.rsplit("/", 1)[-1] or _KIND.get(mtype, "media"),
                        _KIND.get(mtype, ""),
                        file_path,
                        r["size"],
                    ),
                )
            yield Message(
                author,
                str(r["text"] or r["title"] or ""),
                when,
                tuple(a.name for a in refs),
                f"ZWAMESSAGE.Z_PK={r['_k']}",
                conversation=chat,
                sender_id=sender,
                from_me=bool(r["from_me"]),
                time_original=original,
                source_id=str(r["stanza"] or ""),
                deleted=mtype in _DELETED,
                system=mtype in _SYSTEM,
                attachment_refs=refs,
                source_file=path.name,
            )
