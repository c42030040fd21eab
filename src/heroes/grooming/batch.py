"""Batch input and output for `heroes grooming score` (JSONL or CSV in, JSONL out)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from heroes.chats.base import ParseError
from heroes.text import JsonTooDeep, json_loads


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a .jsonl or .csv file; a bad row raises ParseError naming its line."""
    suffix = path.suffix.lower()
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror})") from exc
    with handle:
        if suffix == ".csv":
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"id", "text"} <= set(reader.fieldnames):
                raise ParseError(f"{path}: line 1: a CSV needs the columns 'id' and 'text'")
            for row in reader:
                yield {
                    "id": row["id"],
                    "text": row["text"] or "",
                    "_line": reader.line_num,
                }
        elif suffix in (".jsonl", ".ndjson"):
            for no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json_loads(line)
                except JsonTooDeep as exc:
                    raise ParseError(f"{path}: line {no}: {exc}") from exc
                except json.JSONDecodeError as exc:
                    raise ParseError(f"{path}: line {no}: invalid JSON ({exc.msg})") from exc
                if not isinstance(obj, dict) or "id" not in obj:
                    raise ParseError(f"{path}: line {no}: each line needs an object with an 'id'")
                if not isinstance(obj.get("text"), str) and not isinstance(obj.get("messages"), list):
                    raise ParseError(f"{path}: line {no}: needs 'text' or a 'messages' list")
                yield obj | {"_line": no}
        else:
            raise ParseError(f"{path}: use a .jsonl or .csv file")


def count_records(path: Path) -> int:
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        n = sum(1 for line in fh if line.strip())
    return n - 1 if path.suffix.lower() == ".csv" else n
