import json

import pytest

from heroes.grooming.parsers import ParseError, parse_bytes

GOOD = {
    "format": "heroes-chat",
    "version": 1,
    "id": "demo-1",
    "participants": [{"id": "adult"}, {"id": "kid"}],
    "messages": [
        {"author": "adult", "text": "hi", "time": "2024-05-01T18:00:00"},
        {"author": "kid", "text": "", "attachments": ["cat.jpg"]},
    ],
}


def test_single_conversation():
    (conv,) = parse_bytes(json.dumps(GOOD).encode(), "c.json")
    assert conv.id == "demo-1"
    assert conv.participants == ["adult", "kid"]
    assert conv.messages[0].time is not None and conv.messages[0].time.hour == 18
    assert conv.messages[1].attachments == ("cat.jpg",)


def test_list_of_conversations():
    doc = {"format": "heroes-chat", "conversations": [GOOD, dict(GOOD, id="demo-2")]}
    convs = parse_bytes(json.dumps(doc).encode(), "c.json")
    assert [c.id for c in convs] == ["demo-1", "demo-2"]


def test_invalid_json_names_the_line():
    with pytest.raises(ParseError, match=r"c.json: line 3: invalid JSON"):
        parse_bytes(b'{"format": "heroes-chat",\n"messages": [\n  {"author": }]}', "c.json")


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ({"text": "no author"}, r"message 1: 'author' must be"),
        ({"author": "a", "text": 5}, r"message 1: 'text' must be a string"),
        ({"author": "a", "text": "x", "time": "yesterday"}, r"message 1: time 'yesterday'"),
        ({"author": "a", "text": "x", "attachments": "f.jpg"}, r"message 1: 'attachments'"),
    ],
)
def test_bad_messages_name_the_message(message, error):
    doc = dict(GOOD, messages=[GOOD["messages"][0], message])
    with pytest.raises(ParseError, match=error):
        parse_bytes(json.dumps(doc).encode(), "c.json", fmt="json")


def test_recognised_without_the_tag():
    doc = {"messages": [{"author": "a", "text": "hi"}]}
    (conv,) = parse_bytes(json.dumps(doc).encode(), "plain.json")
    assert conv.source_format == "heroes-chat" and conv.messages[0].author == "a"
