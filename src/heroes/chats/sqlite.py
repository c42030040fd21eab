"""Reading app databases safely: on a private copy (with its -wal and -shm), row by row, past damage.

The original is never opened by SQLite: opening a database can replay and truncate its write-ahead
log, which would change the evidence. The copy is opened normally so SQLite applies the WAL, which
holds the most recent messages.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from heroes.chats.base import ParseError

SQLITE_MAGIC = b"SQLite format 3\x00"
SCHEMA_SCAN_BYTES = 512 * 1024


def is_sqlite(head: bytes) -> bool:
    return head.startswith(SQLITE_MAGIC)


def schema_text(path: Path) -> bytes:
    """The first bytes of the file, where SQLite usually keeps its schema (read as bytes, not opened)."""
    with open(path, "rb") as handle:
        return handle.read(SCHEMA_SCAN_BYTES)


@contextmanager
def working_copy(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a throw-away copy of `path` and its WAL/SHM companions."""
    with tempfile.TemporaryDirectory(prefix="heroes-chats-") as tmp:
        copy = Path(tmp) / path.name
        shutil.copyfile(path, copy)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.is_file():
                shutil.copyfile(side, Path(tmp) / side.name)
        try:
            conn = sqlite3.connect(copy)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ParseError(f"{path.name}: not a readable SQLite database ({exc})") from exc
        conn.row_factory = sqlite3.Row
        conn.text_factory = lambda b: b.decode("utf-8", "replace")
        try:
            yield conn
        finally:
            conn.close()


def tables(conn: sqlite3.Connection) -> set[str]:
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        return set()


def columns(conn: sqlite3.Connection, table: str) -> set[str]:
    try:
        return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
    except sqlite3.DatabaseError:
        return set()


def index_on(conn: sqlite3.Connection, table: str, column: str, problems: list[str]) -> None:
    """Index a column of the working copy (never the original) so per-message look-ups stay fast."""
    try:
        conn.execute(f'CREATE INDEX IF NOT EXISTS "heroes_{table}_{column}" ON "{table}" ("{column}")')
    except sqlite3.DatabaseError as exc:
        problems.append(f"index on {table}.{column} not built ({exc}); reading will be slower")


def col(available: set[str], name: str, alias: str, table: str = "m", default: str = "NULL") -> str:
    """`table.name AS alias` when the column exists in this schema version, else a default."""
    return f"{table}.{name} AS {alias}" if name in available else f"{default} AS {alias}"


def rows(
    conn: sqlite3.Connection,
    select: str,
    key: str,
    label: str,
    problems: list[str],
    params: tuple[Any, ...] = (),
) -> Iterator[sqlite3.Row]:
    """Rows of `select ... WHERE key > ? ORDER BY key`, streamed; damaged stretches are skipped and listed.

    `select` must not end in WHERE/ORDER BY; it may contain `{where}` where the key condition goes.
    """
    sql = select.format(where=f"{key} > ?") + f" ORDER BY {key}"
    last = -(2**62)
    step = 1
    skipping_from: int | None = None
    while True:
        try:
            cursor = conn.execute(sql, (*params, last))
            for row in cursor:
                if skipping_from is not None:
                    problems.append(f"{label}: rows with id {skipping_from} to {row['_k'] - 1} could not be read")
                    skipping_from, step = None, 1
                last = row["_k"]
                yield row
            if skipping_from is not None:
                problems.append(f"{label}: rows after id {skipping_from - 1} could not be read")
            return
        except sqlite3.DatabaseError as exc:
            if skipping_from is None:
                skipping_from = last + 1 if last > -(2**62) else 0
                problems.append(f"{label}: damaged after id {last if last > -(2**62) else 'start'} ({exc})")
            if step > 2**40:
                problems.append(f"{label}: rows after id {skipping_from - 1} could not be read")
                return
            last = max(last, skipping_from - 1) + step
            step *= 2
