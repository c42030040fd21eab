"""How deep JSON nests, measured before it is parsed, so hostile input is refused cheaply.

``json.loads`` recurses once per level: a file of 100,000 ``[`` costs a RecursionError deep in the
parser (or, in parsers written in Python, a crash). ``check_json_depth`` scans the raw bytes with
numpy (no Python loop per character: about as fast as reading the file) and
refuses anything nested deeper than the limit before a parser sees it. Every parser that reads
JSON a user can send goes through ``loads`` or calls ``check_json_depth`` first.

The scan ignores brackets inside strings. On text that is not valid JSON it may count differently
from a parser, but only after the point where the parser itself stops with a syntax error.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 200  # real exports nest a dozen levels; Python's own recursion limit is 1,000
_CHUNK = 1 << 22

_OPEN, _CLOSE, _QUOTE, _BACKSLASH = 1, 2, 3, 4


class JsonTooDeep(ValueError):
    """JSON nested deeper than a parser will go; `depth` is how deep it was found to go (at least)."""

    def __init__(self, depth: int, limit: int) -> None:
        self.depth, self.limit = depth, limit
        super().__init__(f"nested more than {limit} levels deep")


def _opening(data: bytes | str) -> int:
    if isinstance(data, str):
        return data.count("[") + data.count("{")
    return data.count(b"[") + data.count(b"{")


class DepthScanner:
    """The depth scan, fed chunk by chunk (a request body as it arrives); `deepest` so far.

    Carries what crosses a chunk's end: the level, the count of quotes seen, a run of backslashes."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        table = np.zeros(256, dtype=np.uint8)
        table[[ord("["), ord("{")]] = _OPEN
        table[[ord("]"), ord("}")]] = _CLOSE
        table[ord('"')] = _QUOTE
        table[ord("\\")] = _BACKSLASH
        self.table = table
        self.level = self.deepest = 0
        self.quotes = 0  # unescaped quotes so far: odd means inside a string
        self.backslashes = 0  # length of the run of backslashes that ended the previous chunk

    def feed(self, chunk: bytes) -> None:
        np = self.np
        kinds_all = self.table[np.frombuffer(chunk, dtype=np.uint8)]
        where = np.flatnonzero(kinds_all)  # only the few interesting bytes from here on
        kinds = kinds_all[where]
        escaped = self._escaped(where[kinds == _BACKSLASH], len(chunk))
        quotes = where[kinds == _QUOTE]
        if escaped.size:
            quotes = quotes[~np.isin(quotes, escaped, assume_unique=True)]
        is_bracket = (kinds == _OPEN) | (kinds == _CLOSE)
        brackets, steps = where[is_bracket], np.where(kinds[is_bracket] == _OPEN, 1, -1)
        inside = (np.searchsorted(quotes, brackets) + self.quotes) % 2 == 1
        steps = steps[~inside]
        self.quotes += int(quotes.size)
        if steps.size:
            levels = np.cumsum(steps, dtype=np.int64) + self.level
            self.deepest = max(self.deepest, int(levels.max()))
            self.level = int(levels[-1])

    def _escaped(self, backslashes: Any, size: int) -> Any:
        """Positions escaped by a backslash: those after a run of an odd number of backslashes."""
        np = self.np
        carried = self.backslashes
        if not backslashes.size:
            self.backslashes = 0
            return np.array([0] if carried % 2 else [], dtype=np.int64)
        breaks = np.flatnonzero(np.diff(backslashes) != 1)
        starts = backslashes[np.concatenate(([0], breaks + 1))]
        ends = backslashes[np.concatenate((breaks, [backslashes.size - 1]))]
        lengths = ends - starts + 1
        if starts[0] == 0:
            lengths[0] += carried
        escaped = ends[lengths % 2 == 1] + 1
        if carried % 2 and starts[0] != 0:
            escaped = np.concatenate(([0], escaped))
        self.backslashes = int(lengths[-1]) if ends[-1] == size - 1 else 0
        return escaped[escaped < size]


def json_depth(data: bytes | str, stop_above: int | None = None, chunk: int = _CHUNK) -> int:
    """The deepest nesting of arrays and objects in `data` (0 for a scalar).

    With `stop_above`, the scan ends as soon as the depth passes it (the result is then a lower bound).
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    scanner = DepthScanner()
    for start in range(0, len(raw), chunk):
        scanner.feed(raw[start : start + chunk])
        if stop_above is not None and scanner.deepest > stop_above:
            break
    return scanner.deepest


def check_json_depth(data: bytes | str, limit: int = MAX_DEPTH) -> None:
    """Raise JsonTooDeep when `data` nests deeper than `limit`."""
    if _opening(data) <= limit:
        return  # cannot nest deeper than it opens: the common case costs two counts
    depth = json_depth(data, stop_above=limit)
    if depth > limit:
        raise JsonTooDeep(depth, limit)


def loads(data: bytes | str, limit: int = MAX_DEPTH) -> Any:
    """``json.loads`` after the depth check: JsonTooDeep, json.JSONDecodeError (both ValueErrors)."""
    check_json_depth(data, limit)
    return json.loads(data)
