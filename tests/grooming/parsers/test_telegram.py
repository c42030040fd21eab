import json

import pytest

from heroes.grooming.parsers import ParseError, parse_bytes

CHAT = {
    "name": "Sam",
    "type": "personal_chat",
    "id": 4242,
    "messages": [
        {"id": 1, "type": "service", "date": "2024-01-01T10:00:00", "action": "phone_call"},
        {"id": 2, "type": "message", "date": "2024-01-01T10:01:00", "from": "Sam", "from_id": "user1", "text": "hello"},
        {
            "id": 3,
            "type": "message",
            "date": "2024-01-01T10:02:00",
            "from": "Alex",
            "from_id": "user2",
            "text": ["look ", {"type": "bold", "text": "here"}],
        },
        {
            "id": 4,
            "type": "message",
            "date": "2024-01-01T10:03:00",
            "from": "Sam",
            "from_id": "user1",
            "photo": "photos/photo_1@01-01-2024.jpg",
            "text": "",
        },
    ],
}


def test_single_chat_export():
    (conv,) = parse_bytes(json.dumps(CHAT).encode(), "result.json")
    assert conv.source_format == "telegram"
    assert conv.id == "4242"
    assert [m.text for m in conv.messages] == ["hello", "look here", ""]
    assert conv.messages[2].attachments == ("photo_1@01-01-2024.jpg",)
    assert conv.messages[0].ref == "2"


def test_full_export_with_chat_list():
    doc = {"about": "export", "chats": {"about": "", "list": [CHAT, dict(CHAT, id=7)]}}
    convs = parse_bytes(json.dumps(doc).encode(), "result.json")
    assert [c.id for c in convs] == ["4242", "7"]


def test_message_without_sender_names_the_message():
    bad = dict(CHAT, messages=[{"id": 9, "type": "message", "text": "x"}])
    with pytest.raises(ParseError, match=r"chat 0: message 0 \(id 9\): no 'from'"):
        parse_bytes(json.dumps(bad).encode(), "result.json", fmt="telegram")


def test_truncated_export_names_the_line():
    text = json.dumps(CHAT, indent=1)[:200]
    with pytest.raises(ParseError, match=r"result.json: line \d+: invalid JSON"):
        parse_bytes(text.encode(), "result.json", fmt="telegram")
