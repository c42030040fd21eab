"""Batch input files: errors by line, including JSON nested too deep to parse safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from heroes.chats.base import ParseError
from heroes.grooming.batch import read_records


def test_records_are_read_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "hi"}\n\n{"id": "b", "text": "hola"}\n', encoding="utf-8")
    assert [(r["id"], r["_line"]) for r in read_records(path)] == [("a", 1), ("b", 3)]


def test_a_line_nested_too_deep_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "hi"}\n' + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    records = read_records(path)
    assert next(records)["id"] == "a"
    with pytest.raises(ParseError, match="line 2"):
        next(records)
