"""WhatsApp for Android: msgstore.db (legacy `messages` table and the current `message`/`jid`/`chat`
schema), with contact names from wa.db when it sits beside it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from heroes.chats import sqlite as db
from heroes.chats.base import ChatParser, Item, ParseError
from heroes.chats.model import Attachment, Conversation, Message, Participant, Reaction
from heroes.chats.registry import register

OWNER = "Device owner"
# message_type values WhatsApp uses for revoked ("deleted for everyone") messages.
_REVOKED = {15}
_SYSTEM_TYPES = {7}
_MEDIA_KIND = {1: "image", 2: "audio", 3: "video", 4: "contact", 5: "location", 9: "document", 13: "gif", 20: "sticker"}


def ms_time(value: object) -> tuple[datetime | None, str]:
    if not isinstance(value, int | float) or value <= 0:
        return None, "" if value is None else str(value)
    return datetime.fromtimestamp(value / 1000, UTC), str(value)


def phone_of(jid: str) -> str:
    user, _, server = jid.partition("@")
    return f"+{user}" if server == "s.whatsapp.net" and user.isdigit() else ""


def contact_names(msgstore: Path, problems: list[str]) -> dict[str, str]:
    wa = msgstore.with_name("wa.db")
    if not wa.is_file():
        return {}
    names: dict[str, str] = {}
    try:
        with db.working_copy(wa) as conn:
            cols = db.columns(conn, "wa_contacts")
            if "jid" not in cols:
                problems.append("wa.db: no wa_contacts table; contact names not available")
                return {}
            pick = [c for c in ("display_name", "wa_name", "given_name") if c in cols]
            for r in conn.execute(f"SELECT jid, {', '.join(pick) or 'NULL'} FROM wa_contacts"):
                name = next((r[c] for c in pick if r[c]), "")
                if r["jid"] and name:
                    names[r["jid"]] = name
    except (ParseError, sqlite3.DatabaseError) as exc:
        problems.append(f"wa.db: contact names not read ({exc})")
    return names


def _name(jid: str, names: dict[str, str]) -> str:
    """The contact's name, else the phone number, else the JID (remembered: called once per message)."""
    found = names.get(jid)
    if found is None:
        found = names[jid] = phone_of(jid) or jid
    return found


@register
class WhatsAppAndroidParser(ChatParser):
    name = "whatsapp-android"
    app = "whatsapp"
    order = 60
    reads_bytes = False
    description = "WhatsApp Android msgstore.db (legacy and current schemas), names from wa.db"

    def recognises(self, path: Path, head: bytes) -> bool:
        if not db.is_sqlite(head):
            return False
        if path.name.lower().startswith("msgstore"):
            return True
        schema = db.schema_text(path)
        return b"key_remote_jid" in schema or (b"chat_row_id" in schema and b"sender_jid_row_id" in schema)

    def stream(self, path: Path, problems: list[str]) -> Iterator[Item]:
        names = contact_names(path, problems)
        with db.working_copy(path) as conn:
            found = db.tables(conn)
            if {"message", "jid", "chat"} <= found:
                yield from self._current(conn, path, names, problems)
            elif "messages" in found:
                yield from self._legacy(conn, path, names, problems)
            else:
                raise ParseError(f"{path.name}: no WhatsApp message table (expected 'message' or 'messages')")

    def _legacy(
        self, conn: sqlite3.Connection, path: Path, names: dict[str, str], problems: list[str]
    ) -> Iterator[Item]:
        cols = db.columns(conn, "messages")
        chats: dict[str, None] = {}
        try:
            for r in conn.execute("SELECT DISTINCT key_remote_jid FROM messages"):
                chats.setdefault(str(r[0] or ""), None)
        except sqlite3.DatabaseError as exc:
            problems.append(f"{path.name}: table messages: chat list unreadable ({exc})")
        for jid in chats:
            group = jid.endswith("@g.us")
            people = [] if group else [Participant(_name(jid, names), jid, phone_of(jid))]
            yield Conversation(
                jid,
                [],
                source_format=self.name,
                title=_name(jid, names),
                app="whatsapp",
                people=people,
                is_group=group,
                source_file=path.name,
                source_ref=f"messages.key_remote_jid={jid}",
            )
        select = (
            "SELECT m._id AS _k, m.key_remote_jid AS chat, m.key_from_me AS from_me, m.data AS text, "
            f"m.timestamp AS ts, {db.col(cols, 'remote_resource', 'member')}, "
            f"{db.col(cols, 'media_wa_type', 'mtype', default='0')}, {db.col(cols, 'media_name', 'media_name')}, "
            f"{db.col(cols, 'key_id', 'key_id')}, {db.col(cols, 'status', 'status')} "
            "FROM messages m WHERE {where}"
        )
        for r in db.rows(conn, select, "m._id", f"{path.name}: table messages", problems):
            chat = str(r["chat"] or "")
            when, original = ms_time(r["ts"])
            sender = OWNER if r["from_me"] else (r["member"] or chat)
            system = chat == "-1" or (r["status"] == 6)
            mtype = r["mtype"] or 0
            attachments = (Attachment(r["media_name"] or _MEDIA_KIND.get(mtype, "media"), _MEDIA_KIND.get(mtype, "")),)
            yield Message(
                _name(sender, names) if sender != OWNER else OWNER,
                str(r["text"] or ""),
                when,
                tuple(a.name for a in attachments) if mtype else (),
                f"messages._id={r['_k']}",
                conversation=chat,
                sender_id="" if r["from_me"] else sender,
                from_me=bool(r["from_me"]),
                time_original=original,
                source_id=str(r["key_id"] or ""),
                system=system,
                attachment_refs=attachments if mtype else (),
                source_file=path.name,
            )

    @staticmethod
    def _reactions(packed: str | None, jids: dict[int, str], names: dict[str, str]) -> tuple[Reaction, ...]:
        out = []
        for item in (packed or "").split("\x1e"):
            if not item:
                continue
            emoji, from_me, sender = [*item.split("\x1f"), "", "0", "0"][:3]
            who = OWNER if from_me == "1" else _name(jids.get(int(sender or 0), ""), names)
            if emoji:
                out.append(Reaction(emoji, who))
        return tuple(out)

    def _current(
        self, conn: sqlite3.Connection, path: Path, names: dict[str, str], problems: list[str]
    ) -> Iterator[Item]:
        cols = db.columns(conn, "message")
        chat_cols = db.columns(conn, "chat")
        jids: dict[int, str] = {}
        try:
            for r in conn.execute("SELECT _id, raw_string FROM jid"):
                jids[r[0]] = str(r[1] or "")
        except sqlite3.DatabaseError as exc:
            problems.append(f"{path.name}: table jid unreadable ({exc}); senders shown by row id")
        subject = "c.subject" if "subject" in chat_cols else "NULL"
        chat_jid: dict[int, str] = {}
        try:
            chat_rows = conn.execute(f"SELECT c._id, c.jid_row_id, {subject} FROM chat c").fetchall()
        except sqlite3.DatabaseError as exc:
            problems.append(f"{path.name}: table chat unreadable ({exc})")
            chat_rows = []
        for cid, jid_row, subj in chat_rows:
            jid = jids.get(jid_row, f"jid#{jid_row}")
            chat_jid[cid] = jid
            group = jid.endswith("@g.us")
            people = [] if group else [Participant(_name(jid, names), jid, phone_of(jid))]
            yield Conversation(
                jid,
                [],
                source_format=self.name,
                title=str(subj or _name(jid, names)),
                app="whatsapp",
                people=people,
                is_group=group,
                source_file=path.name,
                source_ref=f"chat._id={cid}",
            )
        media = "message_media" in db.tables(conn)
        media_cols = db.columns(conn, "message_media") if media else set()
        found = db.tables(conn)
        quoted = "message_quoted" in found
        # Reactions are add-ons pointing at their message; edits are listed per message.
        reactions = {"message_add_on", "message_add_on_reaction"} <= found
        if reactions:
            db.index_on(conn, "message_add_on", "parent_message_row_id", problems)
        edits = "message_edit_info" in found
        select = (
            "SELECT m._id AS _k, m.chat_row_id AS chat, m.from_me AS from_me, "
            f"{db.col(cols, 'text_data', 'text')}, m.timestamp AS ts, "
            f"{db.col(cols, 'sender_jid_row_id', 'sender', default='0')}, "
            f"{db.col(cols, 'message_type', 'mtype', default='0')}, {db.col(cols, 'key_id', 'key_id')}, "
            + (
                f"{db.col(media_cols, 'file_path', 'file_path', 'mm')}, "
                f"{db.col(media_cols, 'file_size', 'size', 'mm')}, "
                f"{db.col(media_cols, 'mime_type', 'mime', 'mm')} "
                if media
                else "NULL AS file_path, NULL AS size, NULL AS mime "
            )
            + (", q.key_id AS quoted " if quoted else ", NULL AS quoted ")
            + (
                ", (SELECT group_concat(ar.reaction || char(31) || coalesce(ao.from_me, 0) || char(31) "
                "|| coalesce(ao.sender_jid_row_id, 0), char(30)) FROM message_add_on ao "
                "JOIN message_add_on_reaction ar ON ar.message_add_on_row_id = ao._id "
                "WHERE ao.parent_message_row_id = m._id) AS reactions "
                if reactions
                else ", NULL AS reactions "
            )
            + (
                ", EXISTS(SELECT 1 FROM message_edit_info e WHERE e.message_row_id = m._id) AS edited "
                if edits
                else ", 0 AS edited "
            )
            + "FROM message m "
            + ("LEFT JOIN message_media mm ON mm.message_row_id = m._id " if media else "")
            + ("LEFT JOIN message_quoted q ON q.message_row_id = m._id " if quoted else "")
            + "WHERE {where}"
        )
        for r in db.rows(conn, select, "m._id", f"{path.name}: table message", problems):
            chat = chat_jid.get(r["chat"], f"chat#{r['chat']}")
            when, original = ms_time(r["ts"])
            mtype = r["mtype"] or 0
            sender_jid = "" if r["from_me"] else (jids.get(r["sender"] or 0) or chat)
            refs: tuple[Attachment, ...] = ()
            if r["file_path"] or mtype in _MEDIA_KIND:
                file_path = str(r["file_path"] or "")
                refs = (
                    Attachment(
                        file_path.rsplit("/", 1)[-1] or _MEDIA_KIND.get(mtype, "media"),
                        _MEDIA_KIND.get(mtype, str(r["mime"] or "")),
                        file_path,
                        r["size"],
                    ),
                )
            yield Message(
                OWNER if r["from_me"] else _name(sender_jid, names),
                str(r["text"] or ""),
                when,
                tuple(a.name for a in refs),
                f"message._id={r['_k']}",
                conversation=chat,
                sender_id=sender_jid,
                from_me=bool(r["from_me"]),
                time_original=original,
                reply_to=str(r["quoted"]) if r["quoted"] else None,
                reactions=self._reactions(r["reactions"], jids, names),
                edited=bool(r["edited"]),
                source_id=str(r["key_id"] or ""),
                deleted=mtype in _REVOKED,
                system=mtype in _SYSTEM_TYPES,
                attachment_refs=refs,
                source_file=path.name,
            )
