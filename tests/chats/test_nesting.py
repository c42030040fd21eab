"""Chat exports nested 100,000 deep: every JSON parser refuses them with a clear ParseError from the
depth pre-scan (heroes.text), before json.loads or the streaming reader recurse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from heroes.chats.base import ParseError
from heroes.chats.parsers.telegram import TelegramParser
from heroes.chats.registry import parse_bytes
from heroes.text import MAX_JSON_DEPTH

DEEP = 100_000
NEST = b"[" * DEEP + b"]" * DEEP


@pytest.fixture
def no_json_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("json.loads must not see this input")

    monkeypatch.setattr(json, "loads", never)


@pytest.mark.parametrize(
    ("fmt", "content"),
    [
        ("json", b'{"format": "heroes-chat", "messages": ' + NEST + b"}"),
        ("telegram", b'{"name": "x", "messages": ' + NEST + b"}"),
        (
            "instagram",
            b'{"participants": [], "messages": [{"sender_name": "a", "timestamp_ms": 1, "x": ' + NEST + b"}]}",
        ),
        (None, b'{"format": "heroes-chat", "author": "a", "messages": ' + NEST + b"}"),
    ],
)
def test_deep_exports_are_refused_by_the_pre_scan(fmt: str | None, content: bytes, no_json_loads: None) -> None:
    with pytest.raises(ParseError) as refused:
        parse_bytes(content, "chat.json", fmt)
    assert f"nested more than {MAX_JSON_DEPTH} levels deep" in refused.value.message
    assert "chat.json" in refused.value.message


def test_streamed_telegram_export_stops_at_the_depth_limit(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(b'{"name": "x", "type": "personal_chat", "id": 1, "messages": [{"id": 1, "x": ' + NEST + b"}]}")
    with pytest.raises(ParseError) as refused:
        list(TelegramParser().stream(path, []))
    assert f"nested more than {MAX_JSON_DEPTH} levels deep" in refused.value.message


def test_ordinary_nesting_still_parses() -> None:
    chat = {"format": "heroes-chat", "messages": [{"author": "a", "text": "hi", "attachments": []}], "x": [[[[1]]]]}
    (conversation,) = parse_bytes(json.dumps(chat).encode(), "chat.json", "json")
    assert conversation.messages[0].text == "hi"
