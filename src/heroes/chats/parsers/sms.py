"""SMS and iMessage: Android's mmssms.db and iOS's sms.db (also macOS chat.db)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from heroes.chats import sqlite as db
from heroes.chats.base import ChatParser, Item, ParseError
from heroes.chats.model import Attachment, Conversation, Message, Participant
from heroes.chats.parsers.whatsapp_android import OWNER, ms_time
from heroes.chats.parsers.whatsapp_ios import apple_time
from heroes.chats.registry import register

_SENT_TYPES = {2, 4, 5, 6}  # sent, outbox, failed, queued


@register
class AndroidSmsParser(ChatParser):
    name = "sms-android"
    app = "sms"
    order = 62
    reads_bytes = False
    description = "Android SMS provider database (mmssms.db)"

    def recognises(self, path: Path, head: bytes) -> bool:
        if not db.is_sqlite(head):
            return False
        return path.name.lower() == "mmssms.db" or b"CREATE TABLE sms (" in db.schema_text(path)

    def stream(self, path: Path, problems: list[str]) -> Iterator[Item]:
        with db.working_copy(path) as conn:
            if "sms" not in db.tables(conn):
                raise ParseError(f"{path.name}: no sms table; not an Android mmssms.db")
            cols = db.columns(conn, "sms")
            threads: dict[int, str] = {}
            try:
                for tid, address in conn.execute("SELECT thread_id, max(address) FROM sms GROUP BY thread_id"):
                    threads[tid] = str(address or "")
            except sqlite3.DatabaseError as exc:
                problems.append(f"{path.name}: table sms: thread list unreadable ({exc})")
            for tid, address in threads.items():
                yield Conversation(
                    f"sms-thread-{tid}",
                    [],
                    source_format=self.name,
                    title=address,
                    app="sms",
                    people=[Participant(address, address, address)],
                    source_file=path.name,
                    source_ref=f"sms.thread_id={tid}",
                )
            select = (
                "SELECT m._id AS _k, m.thread_id AS tid, m.address AS address, m.date AS ts, m.type AS type, "
                f"m.body AS body, {db.col(cols, 'subject', 'subject')} FROM sms m WHERE {{where}}"
            )
            for r in db.rows(conn, select, "m._id", f"{path.name}: table sms", problems):
                when, original = ms_time(r["ts"])
                sent = (r["type"] or 0) in _SENT_TYPES
                address = str(r["address"] or "")
                yield Message(
                    OWNER if sent else address,
                    str(r["body"] or ""),
                    when,
                    (),
                    f"sms._id={r['_k']}",
                    conversation=f"sms-thread-{r['tid']}",
                    sender_id="" if sent else address,
                    from_me=sent,
                    time_original=original,
                    source_file=path.name,
                )


@register
class IosSmsParser(ChatParser):
    name = "sms-ios"
    app = "imessage"
    order = 63
    reads_bytes = False
    description = "iOS Messages database (sms.db; macOS chat.db): SMS and iMessage"

    def recognises(self, path: Path, head: bytes) -> bool:
        if not db.is_sqlite(head):
            return False
        if path.name.lower() in ("sms.db", "chat.db"):
            return True
        schema = db.schema_text(path)
        return b"chat_message_join" in schema and b"CREATE TABLE handle" in schema

    def stream(self, path: Path, problems: list[str]) -> Iterator[Item]:
        with db.working_copy(path) as conn:
            found = db.tables(conn)
            if not {"message", "handle"} <= found:
                raise ParseError(f"{path.name}: no message/handle tables; not an iOS sms.db")
            handles: dict[int, str] = {}
            try:
                handles = {r[0]: str(r[1] or "") for r in conn.execute("SELECT ROWID, id FROM handle")}
            except sqlite3.DatabaseError as exc:
                problems.append(f"{path.name}: table handle unreadable ({exc})")
            joined = "chat_message_join" in found and "chat" in found
            if joined:
                yield from self._chats(conn, path, handles, found, problems)
            cols = db.columns(conn, "message")
            attach = {"message_attachment_join", "attachment"} <= found
            # Look-ups by message id need an index some versions lack; the copy is ours to index.
            for table in ("chat_message_join", "message_attachment_join"):
                if table in found:
                    db.index_on(conn, table, "message_id", problems)
            select = (
                "SELECT m.ROWID AS _k, m.text AS text, m.date AS ts, m.is_from_me AS from_me, "
                f"m.handle_id AS handle, {db.col(cols, 'guid', 'guid')}, {db.col(cols, 'service', 'service')}, "
                f"{db.col(cols, 'item_type', 'item_type', default='0')}, "
                f"{db.col(cols, 'thread_originator_guid', 'reply')}, "
                + (
                    "(SELECT chat_id FROM chat_message_join j WHERE j.message_id = m.ROWID) AS chat, "
                    if joined
                    else "m.handle_id AS chat, "
                )
                + (
                    "(SELECT group_concat(a.filename, '|') FROM message_attachment_join aj JOIN attachment a "
                    "ON a.ROWID = aj.attachment_id WHERE aj.message_id = m.ROWID) AS files "
                    if attach
                    else "NULL AS files "
                )
                + "FROM message m WHERE {where}"
            )
            for r in db.rows(conn, select, "m.ROWID", f"{path.name}: table message", problems):
                when, original = apple_time(r["ts"])
                handle = handles.get(r["handle"] or 0, "")
                files = [f for f in str(r["files"] or "").split("|") if f]
                refs = tuple(Attachment(f.rsplit("/", 1)[-1], "", f) for f in files)
                yield Message(
                    OWNER if r["from_me"] else (handle or "unknown"),
                    str(r["text"] or "").replace("\ufffc", "").strip(),
                    when,
                    tuple(a.name for a in refs),
                    f"message.ROWID={r['_k']}",
                    conversation=f"chat-{r['chat']}" if joined else f"handle-{r['chat']}",
                    sender_id="" if r["from_me"] else handle,
                    from_me=bool(r["from_me"]),
                    time_original=original,
                    reply_to=str(r["reply"]) if r["reply"] else None,
                    source_id=str(r["guid"] or ""),
                    system=bool(r["item_type"]),
                    attachment_refs=refs,
                    source_file=path.name,
                )

    def _chats(
        self, conn: sqlite3.Connection, path: Path, handles: dict[int, str], found: set[str], problems: list[str]
    ) -> Iterator[Item]:
        members: dict[int, list[str]] = {}
        if "chat_handle_join" in found:
            try:
                for chat_id, handle_id in conn.execute("SELECT chat_id, handle_id FROM chat_handle_join"):
                    members.setdefault(chat_id, []).append(handles.get(handle_id, ""))
            except sqlite3.DatabaseError as exc:
                problems.append(f"{path.name}: table chat_handle_join unreadable ({exc})")
        cols = db.columns(conn, "chat")
        try:
            chats = conn.execute(
                f"SELECT c.ROWID, {db.col(cols, 'chat_identifier', 'ident', 'c')}, "
                f"{db.col(cols, 'display_name', 'name', 'c')}, {db.col(cols, 'service_name', 'service', 'c')} "
                "FROM chat c"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            problems.append(f"{path.name}: table chat unreadable ({exc})")
            chats = []
        for c in chats:
            ident = str(c["ident"] or "")
            people_ids = members.get(c["ROWID"]) or ([ident] if ident else [])
            people = [
                Participant(h, h, h if h.lstrip("+").isdigit() else "", "" if h.lstrip("+").isdigit() else h)
                for h in people_ids
            ]
            yield Conversation(
                f"chat-{c['ROWID']}",
                [],
                source_format=self.name,
                title=str(c["name"] or ident),
                app="imessage" if c["service"] == "iMessage" else "sms",
                people=people,
                is_group=len(people) > 1,
                source_file=path.name,
                source_ref=f"chat.ROWID={c['ROWID']}",
            )
