"""Hostile uploads to the parsers behind the web: deep nesting and wrong types are a clear 400,
never a 500, and a chat upload is analysed off the event loop."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import csrf_of

DEEP = 100_000


def _deep(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


@pytest.mark.parametrize(
    "content",
    [
        _deep(DEEP),
        b'{"messages": ' + _deep(DEEP) + b"}",
        json.dumps({"chats": {"list": [{"messages": [{"id": 1, "type": "message", "text": {"x": 1}}]}]}}).encode(),
        json.dumps(
            {"name": "x", "type": "personal_chat", "messages": [{"id": 1, "from": 5, "text": [1, None]}]}
        ).encode(),
        json.dumps({"messages": [{"author": "a", "text": "hi"}], "participants": [{"name": "no id"}]}).encode(),
        json.dumps({"messages": "not a list"}).encode(),
    ],
)
def test_malformed_chat_exports_are_a_clear_400(client: Any, login_as: Any, content: bytes) -> None:
    login_as("caseworker")
    response = client.post(
        "/api/grooming/analyze/file",
        files={"file": ("chat.json", content, "application/json")},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert response.status_code == 400, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "content",
    [
        b'{"odata.metadata": "x", "value": ' + _deep(DEEP) + b"}",
        json.dumps({"@odata.context": "x", "value": [{"Media": [{"MD5": 5, "Category": {"a": 1}}]}]}).encode(),
        json.dumps({"@odata.context": "x", "value": [{"Media": "nope"}, 7, None]}).encode(),
    ],
)
def test_malformed_vics_lists_are_a_clear_400(client: Any, login_as: Any, content: bytes) -> None:
    login_as("investigator")
    response = client.post(
        "/api/media/lists",
        files={"file": ("list.json", content, "application/json")},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("chunked", [False, True])
def test_json_api_body_nested_deep_is_refused_before_parsing(client: Any, chunked: bool, monkeypatch: Any) -> None:
    def never(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("no parser may see this body")

    monkeypatch.setattr(json, "loads", never)
    body = b'{"description": ' + _deep(DEEP) + b"}"
    content: Any = body
    if chunked:  # no Content-Length: the depth is measured piece by piece as the body arrives

        def pieces() -> Any:
            for start in range(0, len(body), 4096):
                yield body[start : start + 4096]

        content = pieces()
    response = client.post("/api/reports", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert "nested too deeply" in response.text
