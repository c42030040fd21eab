"""Synthetic app databases and exports, one builder per schema, for tests and benchmarks.

Every text here is made up. Each builder writes a realistic subset of the app's schema: the
tables and columns the parsers read plus a few they do not, so schema drift is exercised.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Msg:
    chat: int  # 1-based chat number
    sender: str  # "" = the device owner, else a phone number without "+"
    text: str
    at: datetime
    kind: str = "text"  # text, image, system, deleted


SAMPLE = [
    Msg(1, "34600000001", "hola 👋 ¿qué tal?", datetime(2024, 3, 30, 23, 50, tzinfo=UTC)),
    Msg(1, "", "bien\nsegunda línea", datetime(2024, 3, 31, 0, 59, tzinfo=UTC)),
    Msg(1, "34600000001", "مرحبا كيف حالك", datetime(2024, 3, 31, 1, 1, tzinfo=UTC)),
    Msg(1, "34600000001", "", datetime(2024, 3, 31, 1, 2, tzinfo=UTC), "image"),
    Msg(1, "", "", datetime(2024, 3, 31, 1, 3, tzinfo=UTC), "deleted"),
    Msg(2, "447700900123", "group hello", datetime(2024, 10, 27, 0, 30, tzinfo=UTC)),
    Msg(2, "", "", datetime(2024, 10, 27, 0, 31, tzinfo=UTC), "system"),
    Msg(2, "447700900456", "after the clocks went back", datetime(2024, 10, 27, 1, 30, tzinfo=UTC)),
]
# Kept only in the write-ahead log: what a parser misses when it ignores the -wal file.
RECENT = [Msg(1, "34600000001", "in the WAL only", datetime(2024, 4, 1, 9, 0, tzinfo=UTC))]


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _apple(at: datetime) -> float:
    return (at - APPLE_EPOCH).total_seconds()


def _with_wal(path: Path, create: str, rows: Iterable[Msg], recent: Iterable[Msg], insert) -> Path:
    """Build the database in WAL mode and copy it out with its -wal while a connection holds it open."""
    work = path.parent / f".build-{path.name}"
    work.mkdir(exist_ok=True)
    db = work / path.name
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(create)
    for i, m in enumerate(rows, start=1):
        insert(conn, i, m)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    start = conn.execute("SELECT 1000").fetchone()[0]
    for i, m in enumerate(recent, start=start):
        insert(conn, i, m)
    conn.commit()
    shutil.copyfile(db, path)
    if Path(f"{db}-wal").exists():
        shutil.copyfile(f"{db}-wal", f"{path}-wal")
    conn.close()
    shutil.rmtree(work)
    return path


ANDROID_CURRENT = """
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT, server TEXT, agent INTEGER, device INTEGER,
  type INTEGER, raw_string TEXT);
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER UNIQUE, hidden INTEGER, subject TEXT,
  created_timestamp INTEGER);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER, from_me INTEGER, key_id TEXT,
  sender_jid_row_id INTEGER, status INTEGER, broadcast INTEGER, recipient_count INTEGER, participant_hash TEXT,
  origination_flags INTEGER, origin INTEGER, timestamp INTEGER, received_timestamp INTEGER,
  receipt_server_timestamp INTEGER, message_type INTEGER, text_data TEXT, starred INTEGER, lookup_tables INTEGER,
  sort_id INTEGER);
CREATE TABLE message_media (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, file_path TEXT,
  file_size INTEGER, mime_type TEXT, file_hash TEXT);
CREATE TABLE message_quoted (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, key_id TEXT);
CREATE TABLE message_add_on (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER, from_me INTEGER,
  key_id TEXT, sender_jid_row_id INTEGER, parent_message_row_id INTEGER, message_add_on_type INTEGER,
  timestamp INTEGER, status INTEGER);
CREATE TABLE message_add_on_reaction (message_add_on_row_id INTEGER PRIMARY KEY, reaction TEXT,
  sender_timestamp INTEGER);
CREATE TABLE message_edit_info (message_row_id INTEGER PRIMARY KEY, original_key_id TEXT, edited_timestamp INTEGER,
  sender_timestamp INTEGER);
"""

_ANDROID_TYPES = {"text": 0, "image": 1, "system": 7, "deleted": 15}


def _android_jids(conn: sqlite3.Connection) -> None:
    jids = [
        ("34600000001", "s.whatsapp.net"),
        ("120363000000000001", "g.us"),
        ("447700900123", "s.whatsapp.net"),
        ("447700900456", "s.whatsapp.net"),
    ]
    for user, server in jids:
        conn.execute("INSERT INTO jid (user, server, raw_string) VALUES (?, ?, ?)", (user, server, f"{user}@{server}"))
    conn.execute("INSERT INTO chat (jid_row_id, subject) VALUES (1, NULL)")
    conn.execute("INSERT INTO chat (jid_row_id, subject) VALUES (2, 'Grupo de prueba')")


def _android_insert(conn: sqlite3.Connection, i: int, m: Msg) -> None:
    sender = None
    if m.sender:
        sender = conn.execute("SELECT _id FROM jid WHERE user = ?", (m.sender,)).fetchone()[0]
        if m.chat == 1:
            sender = None  # one-to-one chats record no sender: it is the chat's JID
    conn.execute(
        "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, timestamp, message_type, "
        "text_data, sort_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (i, m.chat, 0 if m.sender else 1, f"KEY{i:06d}", sender, _ms(m.at), _ANDROID_TYPES[m.kind], m.text or None, i),
    )
    if m.kind == "image":
        conn.execute(
            "INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, mime_type) "
            "VALUES (?, ?, ?, ?, ?)",
            (i, m.chat, f"Media/WhatsApp Images/IMG-{i}.jpg", 1234, "image/jpeg"),
        )
    if i == 2:
        conn.execute("INSERT INTO message_quoted VALUES (?, ?, ?)", (i, m.chat, "KEY000001"))
        conn.execute("INSERT INTO message_edit_info VALUES (?, ?, ?, ?)", (i, f"KEY{i:06d}", _ms(m.at) + 60000, 0))
    if i == 3:  # the owner and a group member react to the right-to-left message
        for from_me, sender, emoji in ((1, None, "❤️"), (0, 3, "😮")):
            add_on = conn.execute(
                "INSERT INTO message_add_on (chat_row_id, from_me, sender_jid_row_id, parent_message_row_id, "
                "message_add_on_type, timestamp) VALUES (?, ?, ?, ?, 56, ?)",
                (m.chat, from_me, sender, i, _ms(m.at)),
            ).lastrowid
            conn.execute("INSERT INTO message_add_on_reaction VALUES (?, ?, ?)", (add_on, emoji, _ms(m.at)))


def android_current(path: Path, rows: Iterable[Msg] = SAMPLE, recent: Iterable[Msg] = RECENT) -> Path:
    def create_and_seed(conn: sqlite3.Connection, i: int, m: Msg) -> None:
        _android_insert(conn, i, m)

    script = ANDROID_CURRENT
    work_rows = list(rows)

    def insert(conn: sqlite3.Connection, i: int, m: Msg) -> None:
        if conn.execute("SELECT count(*) FROM jid").fetchone()[0] == 0:
            _android_jids(conn)
        create_and_seed(conn, i, m)

    return _with_wal(path, script, work_rows, recent, insert)


ANDROID_LEGACY = """
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL, key_from_me INTEGER,
  key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT, timestamp INTEGER, media_url TEXT,
  media_mime_type TEXT, media_wa_type TEXT, media_size INTEGER, media_name TEXT, latitude REAL, longitude REAL,
  remote_resource TEXT, received_timestamp INTEGER);
"""


def android_legacy(path: Path, rows: Iterable[Msg] = SAMPLE) -> Path:
    chats = {1: "34600000001@s.whatsapp.net", 2: "120363000000000001@g.us"}

    def insert(conn: sqlite3.Connection, i: int, m: Msg) -> None:
        media = {"image": "1"}.get(m.kind, "0")
        conn.execute(
            "INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, data, timestamp, media_wa_type, "
            "media_name, remote_resource) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                i,
                chats[m.chat],
                0 if m.sender else 1,
                f"K{i}",
                6 if m.kind == "system" else 0,
                m.text or None,
                _ms(m.at),
                media,
                f"IMG-{i}.jpg" if m.kind == "image" else None,
                f"{m.sender}@s.whatsapp.net" if m.chat == 2 and m.sender else None,
            ),
        )

    return _with_wal(path, ANDROID_LEGACY, rows, [], insert)


def wa_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY, jid TEXT, number TEXT, display_name TEXT, wa_name TEXT)"
    )
    conn.execute(
        "INSERT INTO wa_contacts (jid, number, display_name) VALUES (?, ?, ?)",
        ("34600000001@s.whatsapp.net", "+34600000001", "Lucía Pérez"),
    )
    conn.execute(
        "INSERT INTO wa_contacts (jid, number, wa_name) VALUES (?, ?, ?)",
        ("447700900123@s.whatsapp.net", "+447700900123", "Sam"),
    )
    conn.commit()
    conn.close()
    return path


def ios_chatstorage(
    path: Path, rows: Iterable[Msg] = SAMPLE, recent: Iterable[Msg] = RECENT, *, old: bool = False
) -> Path:
    """ChatStorage.sqlite; `old=True` writes an earlier app version's schema (no ZCONTACTNAME, no ZSTANZAID)."""
    member_cols = (
        "ZMEMBERJID VARCHAR, ZFIRSTNAME VARCHAR"
        if old
        else "ZMEMBERJID VARCHAR, ZCONTACTNAME VARCHAR, ZFIRSTNAME VARCHAR"
    )
    msg_extra = "" if old else ", ZSTANZAID VARCHAR, ZGROUPEVENTTYPE INTEGER"
    create = f"""
CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, ZSESSIONTYPE INTEGER, ZCONTACTJID VARCHAR,
  ZPARTNERNAME VARCHAR, ZLASTMESSAGEDATE TIMESTAMP);
CREATE TABLE ZWAGROUPMEMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, ZCHATSESSION INTEGER, {member_cols});
CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, ZFILESIZE INTEGER, ZMESSAGE INTEGER,
  ZMEDIALOCALPATH VARCHAR, ZTITLE VARCHAR);
CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, ZISFROMME INTEGER, ZMESSAGETYPE INTEGER,
  ZCHATSESSION INTEGER, ZGROUPMEMBER INTEGER, ZMEDIAITEM INTEGER, ZPARENTMESSAGE INTEGER, ZMESSAGEDATE TIMESTAMP,
  ZSENTDATE TIMESTAMP, ZFROMJID VARCHAR, ZPUSHNAME VARCHAR, ZTEXT VARCHAR, ZTOJID VARCHAR{msg_extra});
INSERT INTO ZWACHATSESSION VALUES (1, 7, 0, '34600000001@s.whatsapp.net', 'Lucía Pérez', NULL);
INSERT INTO ZWACHATSESSION VALUES (2, 7, 1, '120363000000000001@g.us', 'Grupo de prueba', NULL);
"""
    members = {"447700900123": 1, "447700900456": 2}
    types = {"text": 0, "image": 1, "system": 6, "deleted": 14}

    def insert(conn: sqlite3.Connection, i: int, m: Msg) -> None:
        if conn.execute("SELECT count(*) FROM ZWAGROUPMEMBER").fetchone()[0] == 0:
            name_col = "ZFIRSTNAME" if old else "ZCONTACTNAME"
            for number, pk in members.items():
                conn.execute(
                    f"INSERT INTO ZWAGROUPMEMBER (Z_PK, ZCHATSESSION, ZMEMBERJID, {name_col}) VALUES (?, 2, ?, ?)",
                    (pk, f"{number}@s.whatsapp.net", f"Member {pk}"),
                )
        media = None
        if m.kind == "image":
            media = i
            conn.execute(
                "INSERT INTO ZWAMEDIAITEM (Z_PK, ZFILESIZE, ZMESSAGE, ZMEDIALOCALPATH) VALUES (?, ?, ?, ?)",
                (i, 2048, i, f"Media/{i}.jpg"),
            )
        from_jid = (
            None if not m.sender else ("34600000001@s.whatsapp.net" if m.chat == 1 else "120363000000000001@g.us")
        )
        cols = "Z_PK, ZISFROMME, ZMESSAGETYPE, ZCHATSESSION, ZGROUPMEMBER, ZMEDIAITEM, ZMESSAGEDATE, ZFROMJID, ZTEXT"
        values: list[object] = [
            i,
            0 if m.sender else 1,
            types[m.kind],
            m.chat,
            members.get(m.sender) if m.chat == 2 else None,
            media,
            _apple(m.at),
            from_jid,
            m.text or None,
        ]
        if not old:
            cols += ", ZSTANZAID"
            values.append(f"STANZA{i}")
        conn.execute(f"INSERT INTO ZWAMESSAGE ({cols}) VALUES ({', '.join('?' * len(values))})", values)

    return _with_wal(path, create, rows, recent, insert)


def android_sms(path: Path, rows: Iterable[Msg] = SAMPLE) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript("""
CREATE TABLE sms (_id INTEGER PRIMARY KEY,thread_id INTEGER,address TEXT,person INTEGER,date INTEGER,
  date_sent INTEGER DEFAULT 0,protocol INTEGER,read INTEGER DEFAULT 0,status INTEGER DEFAULT -1,type INTEGER,
  reply_path_present INTEGER,subject TEXT,body TEXT,service_center TEXT,locked INTEGER DEFAULT 0);
CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT,date INTEGER DEFAULT 0,message_count INTEGER DEFAULT 0,
  recipient_ids TEXT,snippet TEXT);
""")
    for i, m in enumerate(rows, start=1):
        if m.kind != "text":
            continue
        address = "+34600000001" if m.chat == 1 else "+447700900123"
        conn.execute(
            "INSERT INTO sms (_id, thread_id, address, date, type, body) VALUES (?, ?, ?, ?, ?, ?)",
            (i, m.chat, address, _ms(m.at), 1 if m.sender else 2, m.text),
        )
    conn.commit()
    conn.close()
    return path


def ios_sms(path: Path, rows: Iterable[Msg] = SAMPLE) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript("""
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT,
  service TEXT NOT NULL, uncanonicalized_id TEXT);
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER,
  chat_identifier TEXT, service_name TEXT, display_name TEXT);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,
  handle_id INTEGER DEFAULT 0, service TEXT, date INTEGER, is_from_me INTEGER DEFAULT 0, item_type INTEGER DEFAULT 0,
  cache_has_attachments INTEGER DEFAULT 0, thread_originator_guid TEXT);
CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER, PRIMARY KEY (chat_id, message_id));
CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER);
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT, filename TEXT, mime_type TEXT,
  total_bytes INTEGER);
CREATE TABLE message_attachment_join (message_id INTEGER, attachment_id INTEGER);
INSERT INTO handle VALUES (1, '+34600000001', 'es', 'iMessage', NULL);
INSERT INTO handle VALUES (2, 'sam@example.com', 'gb', 'iMessage', NULL);
INSERT INTO chat VALUES (1, 'iMessage;-;+34600000001', 45, '+34600000001', 'iMessage', NULL);
INSERT INTO chat VALUES (2, 'SMS;-;chat1', 43, 'chat1', 'SMS', 'Grupo de prueba');
INSERT INTO chat_handle_join VALUES (1, 1), (2, 1), (2, 2);
""")
    for i, m in enumerate(rows, start=1):
        handle = {"": 0, "34600000001": 1}.get(m.sender, 2)
        conn.execute(
            "INSERT INTO message (ROWID, guid, text, handle_id, date, is_from_me, item_type) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                i,
                f"GUID-{i}",
                m.text or ("\ufffc" if m.kind == "image" else None),
                handle,
                int(_apple(m.at) * 1e9),
                0 if m.sender else 1,
                1 if m.kind == "system" else 0,
            ),
        )
        conn.execute("INSERT INTO chat_message_join VALUES (?, ?)", (m.chat, i))
        if m.kind == "image":
            conn.execute(
                "INSERT INTO attachment (ROWID, filename) VALUES (?, ?)", (i, f"~/Library/SMS/Attachments/{i}.jpg")
            )
            conn.execute("INSERT INTO message_attachment_join VALUES (?, ?)", (i, i))
    conn.commit()
    conn.close()
    return path


def generated(n: int, chats: int = 50) -> Iterator[Msg]:
    """`n` messages spread over `chats` conversations, for benchmarks (constant memory)."""
    start = datetime(2023, 1, 1, tzinfo=UTC).timestamp()
    senders = ["", "34600000001", "447700900123", "447700900456"]
    for i in range(n):
        yield Msg(
            1 if i % chats == 0 else 2,
            senders[i % 4],
            f"mensaje número {i} con algo de texto 🙂",
            datetime.fromtimestamp(start + i * 7, UTC),
        )


def corrupt(path: Path, at_fraction: float = 0.5, length: int = 8192) -> Path:
    """Overwrite a stretch of the file's pages in place (a damaged database)."""
    data = bytearray(path.read_bytes())
    start = max(4096, int(len(data) * at_fraction) // 4096 * 4096)
    data[start : start + length] = b"\xa5" * min(length, len(data) - start)
    path.write_bytes(bytes(data))
    return path
