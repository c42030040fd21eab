"""Batch scoring: .jsonl or .csv in, .jsonl out, one object per input row in the same order.

A row that cannot be scored (bad JSON, no id, no text, a broken CSV record) is reported with its
line number, written out as {"id": ..., "line": n, "error": "..."} in its place, and the batch
goes on.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from heroes.fakejobs.ad import Ad
from heroes.text import iter_jsonl

if TYPE_CHECKING:  # the engine (and scikit-learn) load when a batch is scored, not at start-up
    from heroes.fakejobs.engine import Checker

FORMATS = (".jsonl", ".csv")
CHUNK = 500
ProgressCallback = Callable[[int, int], None]


class BatchError(ValueError):
    """The batch as a whole cannot be read (unknown format, missing file)."""


@dataclass
class Row:
    line: int
    id: Any
    ad: Ad | None = None
    error: str | None = None


@dataclass
class Summary:
    rows: int = 0
    scored: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    levels: dict[str, int] = field(default_factory=lambda: {"low": 0, "medium": 0, "high": 0})


def _ad_from_fields(record: dict[str, Any]) -> Ad:
    from heroes.fakejobs.engine import as_ad

    record = {k: v for k, v in record.items() if k is not None and k != "id"}
    return as_ad(record)


def _row(line: int, record: Any) -> Row:
    from heroes.fakejobs.engine import AdError

    if not isinstance(record, dict):
        return Row(line, None, error="expected an object with an id and the ad's text or fields")
    ident = record.get("id")
    if ident is None or str(ident).strip() == "":
        return Row(line, None, error="the row has no id")
    try:
        return Row(line, ident, ad=_ad_from_fields(record))
    except AdError as exc:
        return Row(line, ident, error=str(exc))


def read_jsonl(handle: IO[str]) -> Iterator[Row]:
    for row in iter_jsonl(handle):
        yield Row(row.line, None, error=row.error) if row.error is not None else _row(row.line, row.value)


def read_csv(handle: IO[str]) -> Iterator[Row]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.reader(handle)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        raise BatchError(f"line 1: the CSV header cannot be read ({exc}).") from exc
    if "id" not in header:
        raise BatchError("The CSV has no 'id' column.")
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(start, None, error=f"broken CSV record ({exc})")
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            ident = values[header.index("id")] if len(values) > header.index("id") else None
            yield Row(line, ident, error=f"expected {len(header)} columns, found {len(values)}")
            continue
        yield _row(line, dict(zip(header, values, strict=True)))


def check_source(path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise BatchError(f"{path.name}: use a .jsonl or .csv file.")
    if not path.is_file():
        raise BatchError(f"{path} does not exist.")


def read_rows(path: Path) -> Iterator[Row]:
    check_source(path)
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        yield from (read_jsonl(handle) if suffix == ".jsonl" else read_csv(handle))


def count_rows(path: Path) -> int:
    """Physical lines, an upper bound on the rows, for the progress bar."""
    with path.open("rb") as handle:
        return sum(1 for _ in handle) - (1 if path.suffix.lower() == ".csv" else 0)


def score_file(
    source: Path,
    target: Path,
    checker: Checker | None = None,
    progress: ProgressCallback | None = None,
) -> Summary:
    from heroes.fakejobs.engine import default_checker

    check_source(source)
    checker = checker or default_checker()
    total = count_rows(source)
    summary = Summary()
    with target.open("w", encoding="utf-8") as out:
        chunk: list[Row] = []

        def flush() -> None:
            _write_chunk(chunk, checker, out, summary)
            chunk.clear()
            if progress:
                progress(summary.rows, max(total, summary.rows))

        for row in read_rows(source):
            chunk.append(row)
            if len(chunk) >= CHUNK:
                flush()
        flush()
    return summary


def _write_chunk(rows: list[Row], checker: Checker, out: IO[str], summary: Summary) -> None:
    good = [r for r in rows if r.ad is not None]
    scored = iter(checker.score_many([r.ad for r in good if r.ad is not None]))
    for row in rows:
        summary.rows += 1
        if row.ad is None:
            summary.errors.append((row.line, row.error or "unreadable row"))
            result: dict[str, Any] = {"id": row.id, "line": row.line, "error": row.error}
        else:
            result = {"id": row.id, **next(scored)}
            summary.scored += 1
            summary.levels[result["level"]] += 1
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
