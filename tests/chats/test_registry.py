from datetime import UTC, datetime
from pathlib import Path

import pytest

import heroes.grooming.parsers as old
from heroes.chats import REGISTRY, ChatParser, Message, find_parser, parse_bytes, register
from heroes.chats.parsers.whatsapp import WhatsAppParser
from heroes.core.tools import DuplicateName


def test_a_second_parser_with_a_taken_name_is_refused():
    class Impostor(ChatParser):
        name = "whatsapp"
        description = "not really"

    with pytest.raises(DuplicateName, match="whatsapp"):
        register(Impostor)
    assert REGISTRY["whatsapp"] is WhatsAppParser


def test_grooming_names_still_point_at_the_moved_parsers():
    assert old.parse_bytes is parse_bytes
    assert old.PARSERS["whatsapp"] is WhatsAppParser
    assert "telegram" in old.PARSERS


def test_find_parser_recognises_by_content(tmp_path: Path):
    f = tmp_path / "chat.txt"
    f.write_text("31/12/20, 21:41 - Sam: hi\n", encoding="utf-8")
    parser = find_parser(f)
    assert parser is not None and parser.name == "whatsapp"
    other = tmp_path / "notes.txt"
    other.write_text("shopping list\n", encoding="utf-8")
    assert find_parser(other) is None


def test_time_utc_from_aware_naive_with_offset_and_unknown():
    aware = Message("a", "x", datetime(2024, 3, 31, 3, 30, tzinfo=UTC))
    assert aware.time_utc == datetime(2024, 3, 31, 3, 30, tzinfo=UTC)
    local = Message("a", "x", datetime(2024, 3, 31, 3, 30), utc_offset_minutes=120)
    assert local.time_utc == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert Message("a", "x", datetime(2024, 3, 31, 3, 30)).time_utc is None


def test_streaming_an_export_keeps_system_lines_and_marks_deleted_and_edited(tmp_path: Path):
    f = tmp_path / "chat.txt"
    f.write_text(
        "31/12/20, 21:40 - Messages and calls are end-to-end encrypted.\n"
        "31/12/20, 21:41 - Sam: This message was deleted\n"
        "31/12/20, 21:42 - Ana: ok mañana <This message was edited>\n",
        encoding="utf-8",
    )
    items = list(WhatsAppParser().stream(f, []))
    conv, *msgs = items
    assert conv.messages == [] and conv.participants == ["Sam", "Ana"]
    assert [m.system for m in msgs] == [True, False, False]
    assert msgs[1].deleted and not msgs[2].deleted
    assert msgs[2].edited and msgs[2].text == "ok mañana"
    assert {m.conversation for m in msgs} == {"chat"}
    assert msgs[1].time_original == "31/12/20 21:41"
