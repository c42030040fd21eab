"""The JSON depth pre-scan: exact on valid JSON (strings and escapes included), in one piece or fed
in chunks, and it refuses 100,000 levels before any parser recurses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heroes.text import DepthScanner, JsonTooDeep, check_json_depth, iter_jsonl, json_loads
from heroes.text.jsondepth import MAX_DEPTH, json_depth

DEEP = 100_000

# Strings full of what could fool a scanner: brackets, quotes and runs of backslashes.
tricky = st.text(alphabet='[]{}"\\ aé\n', max_size=12)
documents = st.recursive(
    st.none() | st.booleans() | st.integers() | tricky,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(tricky, inner, max_size=4),
    max_leaves=30,
)


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans(), st.integers(min_value=1, max_value=9))
def test_depth_is_exact_on_any_document_in_one_piece_or_in_chunks(value: Any, ascii_only: bool, chunk: int) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert json_depth(text) == depth_of(value)
    assert json_depth(text.encode(), chunk=chunk) == depth_of(value)
    scanner = DepthScanner()
    raw = text.encode()
    for start in range(0, len(raw), chunk):
        scanner.feed(raw[start : start + chunk])
    assert scanner.deepest == depth_of(value)


def test_a_backslash_run_split_across_chunks_keeps_its_parity() -> None:
    closed = '["' + "\\\\" * 7 + '", [1]]'  # an even run of backslashes: the quote after it closes the string
    still_open = '["' + "\\\\" * 7 + '\\"[[[", 1]'  # an odd run: the quote is escaped, the brackets are text
    for chunk in range(1, 12):
        assert json_depth(closed.encode(), chunk=chunk) == 2
        assert json_depth(still_open.encode(), chunk=chunk) == 1


@pytest.mark.parametrize("data", [b"[" * DEEP + b"]" * DEEP, b'{"a":' * DEEP + b"1" + b"}" * DEEP, "[" * DEEP])
def test_deep_input_is_refused_before_parsing(data: bytes | str, monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("json.loads must not be reached")

    monkeypatch.setattr(json, "loads", never)
    with pytest.raises(JsonTooDeep) as refused:
        json_loads(data)
    assert refused.value.depth > MAX_DEPTH
    assert f"nested more than {MAX_DEPTH} levels deep" in str(refused.value)


def test_limit_is_inclusive_and_adjustable() -> None:
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert json_loads(at_limit) is not None
    with pytest.raises(JsonTooDeep):
        check_json_depth("[" + at_limit + "]")
    with pytest.raises(JsonTooDeep):
        check_json_depth("[[[]]]", limit=2)
    check_json_depth('["[[[[", "{{{{"]', limit=1)  # brackets in strings do not count


def test_jsonl_reports_a_deep_line_and_goes_on() -> None:
    rows = list(iter_jsonl("[" * DEEP + "\n" + '{"ok": 1}\n'))
    assert rows[0].line == 1 and rows[0].error and "nested more than" in rows[0].error
    assert rows[1].value == {"ok": 1}
