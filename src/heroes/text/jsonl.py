"""JSON lines, read with errors that name the line ("data.jsonl:12: not valid JSON (...)")."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heroes.text.jsondepth import JsonTooDeep, loads


class JsonlError(ValueError):
    """A line that is not valid JSON; `line` is its number (from 1), `source` the file's name."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        self.source, self.line, self.reason = source, line, reason
        super().__init__(f"{source}:{line}: {reason}" if source else f"line {line}: {reason}")


@dataclass(frozen=True)
class JsonlRow:
    line: int
    value: Any = None
    error: str | None = None  # "not valid JSON (...)" when the line could not be read


def _lines(source: Path | str | bytes | Iterable[str]) -> Iterable[str]:
    if isinstance(source, Path):
        return source.read_text(encoding="utf-8").splitlines()
    if isinstance(source, bytes):
        return source.decode("utf-8").splitlines()
    if isinstance(source, str):
        return source.splitlines()
    return source


def iter_jsonl(source: Path | str | bytes | Iterable[str]) -> Iterator[JsonlRow]:
    """Every non-blank line as a JsonlRow, never raising on a bad line (the row carries the error).

    `source` is a Path (read as UTF-8), the text or bytes themselves, or any iterable of lines
    (an open file)."""
    for number, line in enumerate(_lines(source), start=1):
        if not line.strip():
            continue
        try:
            yield JsonlRow(number, loads(line))
        except JsonTooDeep as exc:
            yield JsonlRow(number, error=f"not readable ({exc})")
        except json.JSONDecodeError as exc:
            yield JsonlRow(number, error=f"not valid JSON ({exc.msg})")


def read_jsonl(source: Path | str | bytes | Iterable[str], name: str | None = None) -> Iterator[tuple[int, Any]]:
    """(line number, value) for every non-blank line; JsonlError at the first bad line.

    `name` is how errors call the source (by default the path, or nothing)."""
    label = name if name is not None else (str(source) if isinstance(source, Path) else "")
    for row in iter_jsonl(source):
        if row.error is not None:
            raise JsonlError(label, row.line, row.error)
        yield row.line, row.value
