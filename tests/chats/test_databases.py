import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from heroes.chats import Conversation, Message, ParseError, find_parser
from tests.chats import builders


def read(path: Path):
    parser = find_parser(path)
    assert parser is not None, path
    problems: list[str] = []
    items = list(parser.stream(path, problems))
    convs = [i for i in items if isinstance(i, Conversation)]
    msgs = [i for i in items if isinstance(i, Message)]
    return parser.name, convs, msgs, problems


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_android_current_schema_with_wal_names_and_media(tmp_path: Path):
    db = builders.android_current(tmp_path / "msgstore.db")
    builders.wa_db(tmp_path / "wa.db")
    assert Path(f"{db}-wal").stat().st_size > 0
    before, wal_before = sha(db), sha(Path(f"{db}-wal"))
    name, convs, msgs, problems = read(db)
    assert name == "whatsapp-android" and problems == []
    assert [c.title for c in convs] == ["Lucía Pérez", "Grupo de prueba"]
    assert convs[0].people[0].phone == "+34600000001" and convs[1].is_group
    texts = [m.text for m in msgs]
    assert "hola 👋 ¿qué tal?" in texts and "bien\nsegunda línea" in texts and "مرحبا كيف حالك" in texts
    assert texts[-1] == "in the WAL only"  # recent message kept in the write-ahead log
    assert msgs[0].author == "Lucía Pérez" and msgs[0].sender_id == "34600000001@s.whatsapp.net"
    assert msgs[1].from_me and msgs[1].reply_to == "KEY000001" and msgs[1].edited and not msgs[0].edited
    assert [(r.emoji, r.by) for r in msgs[2].reactions] == [("❤️", "Device owner"), ("😮", "Sam")]
    assert msgs[3].attachment_refs[0].path.endswith("IMG-4.jpg") and msgs[3].attachment_refs[0].kind == "image"
    assert msgs[4].deleted and msgs[6].system
    assert msgs[5].author == "Sam" and msgs[7].author == "+447700900456"
    assert msgs[0].time_utc == datetime(2024, 3, 30, 23, 50, tzinfo=UTC)
    assert msgs[0].ref == "message._id=1" and msgs[0].source_file == "msgstore.db"
    # The evidence is untouched: same bytes, WAL still there and not checkpointed.
    assert sha(db) == before and sha(Path(f"{db}-wal")) == wal_before


def test_without_the_wal_the_recent_message_is_missing(tmp_path: Path):
    db = builders.android_current(tmp_path / "msgstore.db")
    Path(f"{db}-wal").unlink()
    _, _, msgs, _ = read(db)
    assert "in the WAL only" not in [m.text for m in msgs] and len(msgs) == len(builders.SAMPLE)


def test_android_legacy_schema(tmp_path: Path):
    db = builders.android_legacy(tmp_path / "msgstore.db")
    _, convs, msgs, problems = read(db)
    assert problems == [] and len(msgs) == len(builders.SAMPLE)
    assert {c.id for c in convs} == {"34600000001@s.whatsapp.net", "120363000000000001@g.us"}
    assert msgs[6].system and msgs[7].sender_id == "447700900456@s.whatsapp.net"
    assert msgs[3].attachments == ("IMG-4.jpg",)


@pytest.mark.parametrize("old", [False, True])
def test_ios_chatstorage_schema_versions(tmp_path: Path, old: bool):
    db = builders.ios_chatstorage(tmp_path / "ChatStorage.sqlite", old=old)
    name, convs, msgs, problems = read(db)
    assert name == "whatsapp-ios" and problems == []
    assert len(msgs) == len(builders.SAMPLE) + 1 and msgs[-1].text == "in the WAL only"
    assert [p.name for p in convs[1].people] == ["Member 1", "Member 2"]
    assert msgs[0].author == "Lucía Pérez" and msgs[1].author == "Device owner"
    assert msgs[5].author == "Member 1" and msgs[5].sender_id == "447700900123@s.whatsapp.net"
    assert msgs[4].deleted and msgs[6].system and msgs[3].attachment_refs[0].size == 2048
    assert msgs[2].time_utc == datetime(2024, 3, 31, 1, 1, tzinfo=UTC)
    assert msgs[0].source_id == ("" if old else "STANZA1")


def test_android_and_ios_sms(tmp_path: Path):
    _, convs, msgs, _ = read(builders.android_sms(tmp_path / "mmssms.db"))
    assert len(convs) == 2 and msgs[0].sender_id == "+34600000001" and msgs[1].from_me
    name, convs, msgs, _ = read(builders.ios_sms(tmp_path / "sms.db"))
    assert name == "sms-ios" and convs[0].app == "imessage" and convs[1].title == "Grupo de prueba"
    assert msgs[2].text == "مرحبا كيف حالك" and msgs[3].attachments == ("4.jpg",) and msgs[6].system
    assert msgs[0].time_utc == datetime(2024, 3, 30, 23, 50, tzinfo=UTC)
    assert {p.handle for p in convs[1].people} == {"", "sam@example.com"}


def test_damaged_database_yields_what_can_be_read_and_lists_the_rest(tmp_path: Path):
    rows = list(builders.generated(3000))
    db = builders.android_current(tmp_path / "msgstore.db", rows=rows, recent=[])
    builders.corrupt(db, 0.5)
    _, _, msgs, problems = read(db)
    assert 0 < len(msgs) < 3000
    assert problems and all("msgstore.db" in p for p in problems)
    assert any("could not be read" in p for p in problems)


def test_truncated_and_foreign_files_get_clear_errors(tmp_path: Path):
    db = builders.ios_chatstorage(tmp_path / "ChatStorage.sqlite", recent=[])
    truncated = tmp_path / "cut" / "ChatStorage.sqlite"
    truncated.parent.mkdir()
    truncated.write_bytes(db.read_bytes()[:100])
    parser = find_parser(truncated)
    assert parser is not None
    with pytest.raises(ParseError, match=r"ChatStorage.sqlite: not a readable SQLite database"):
        list(parser.stream(truncated, []))
    other = tmp_path / "notes.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x)")
    conn.close()
    assert find_parser(other) is None


def test_shared_ileapp_chatstorage(shared_data: Path):
    db = shared_data / "forensics/chats/ileapp_whatsapp_ios/ChatStorage.sqlite"
    before = sha(db)
    _, convs, msgs, problems = read(db)
    assert len(convs) == 5 and len(msgs) == 32 and problems == []
    assert sum(m.system for m in msgs) == 11
    assert sha(db) == before


def test_shared_legacy_msgstore_and_sms(shared_data: Path):
    _, _, msgs, _ = read(shared_data / "forensics/chats/memacs/msgstore.db")
    assert [m.text for m in msgs] == ["Hello World!"]
    _, convs, msgs, _ = read(shared_data / "forensics/chats/plaso/mmssms.db")
    assert len(msgs) == 9 and sum(m.from_me for m in msgs) == 5
    _, convs, msgs, _ = read(shared_data / "forensics/chats/plaso/imessage_chat.db")
    assert len(msgs) == 10 and len(convs) == 7
