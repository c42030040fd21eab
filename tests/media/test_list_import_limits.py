"""Hash lists imported through the web: read in a budgeted worker process, refused clearly over the
budget or the size limit, a malformed file named by its line, and never half imported."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from heroes.core import workers
from heroes.core.db import session_scope
from heroes.core.settings import get_settings
from heroes.media.hashers import HashError
from heroes.media.hashlists import ListFormatError, parse_list
from heroes.media.models import MediaHashEntry, MediaHashList
from heroes.media.vpdq import parse_frames
from heroes.text import MAX_JSON_DEPTH
from tests.conftest import csrf_of

DEEP = 100_000
ROWS = 5


def _csv(rows: int = ROWS) -> bytes:
    return ("hash_type,hash,category,label\n" + "".join(f"md5,{i:032x},A,r{i}\n" for i in range(rows))).encode()


def _stored() -> tuple[int, int]:
    with session_scope() as session:
        lists = session.execute(select(func.count()).select_from(MediaHashList)).scalar_one()
        entries = session.execute(select(func.count()).select_from(MediaHashEntry)).scalar_one()
    return int(lists), int(entries)


@pytest.fixture
def upload(client: Any, login_as: Any) -> Any:
    login_as("investigator")
    headers = {"X-CSRF-Token": csrf_of(client)}

    def post(content: bytes, filename: str = "list.csv", name: str = "national") -> Any:
        return client.post(
            "/api/media/lists", files={"file": (filename, content, "text/plain")}, data={"name": name}, headers=headers
        )

    return post


@pytest.fixture
def process_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real worker pool (the tests otherwise run CPU work inline, without a budget)."""
    monkeypatch.setattr(get_settings(), "job_runner", "process")
    monkeypatch.setattr(get_settings(), "cpu_workers", 1)
    workers.shutdown()
    yield
    workers.shutdown()


def test_a_list_over_the_size_limit_is_refused_and_nothing_is_stored(upload: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(get_settings(), "media_list_web_max_entries", ROWS - 1)
    response = upload(_csv())
    assert response.status_code == 413, response.text
    detail = response.json()["detail"]
    assert f"holds {ROWS} hashes" in detail and "heroes media lists import" in detail
    assert _stored() == (0, 0)
    monkeypatch.setattr(get_settings(), "media_list_web_max_entries", ROWS)
    assert upload(_csv()).status_code == 201
    assert _stored() == (1, ROWS)


def test_a_list_read_past_the_cpu_budget_is_refused_and_nothing_is_stored(
    upload: Any, monkeypatch: Any, process_pool: None
) -> None:
    # A worker process cannot even start within 10 ms: the import runs past its budget.
    monkeypatch.setattr(get_settings(), "cpu_budget_seconds", 0.01)
    response = upload(_csv())
    assert response.status_code == 413, response.text
    assert "heroes media lists import" in response.json()["detail"]
    assert _stored() == (0, 0)


@pytest.mark.slow
def test_a_list_is_read_in_a_worker_process(upload: Any, monkeypatch: Any, process_pool: None) -> None:
    monkeypatch.setattr(get_settings(), "cpu_budget_seconds", 120.0)
    seen: list[int] = []
    original = workers.run_bounded

    def spy(function: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(1)
        return original(function, *args, **kwargs)

    monkeypatch.setattr(workers, "run_bounded", spy)
    response = upload(_csv(), name="via-worker")
    assert response.status_code == 201, response.text
    assert response.json()["entries"] == ROWS and seen == [1]
    assert _stored() == (1, ROWS)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"odata.metadata": "x", "value": [\n {"MD5": "ab"},\n {oops}\n]}', "line 3: not valid JSON"),
        (b'{"odata.metadata": "x", "value": ' + b"[" * DEEP + b"]" * DEEP + b"}", "nested more than"),
        ('{"odata.metadata": "x", "value": []}'.encode("utf-16")[:-1] + b"\xff\xfe\x00\xd8", "not UTF-8 or UTF-16"),
    ],
    ids=["bad-json-line", "deep", "not-text"],
)
def test_a_malformed_list_is_a_400_naming_the_problem_and_nothing_is_stored(
    upload: Any, content: bytes, expected: str
) -> None:
    response = upload(content, filename="list.json")
    assert response.status_code == 400, response.text
    assert expected in response.json()["detail"]
    assert _stored() == (0, 0)


def test_deep_vics_is_refused_by_the_pre_scan_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the decoder must not see this input")

    monkeypatch.setattr(json.JSONDecoder, "decode", never)
    deep = '{"@odata.context": "x", "value": ' + "[" * DEEP + "]" * DEEP + "}"
    with pytest.raises(ListFormatError, match=f"nested more than {MAX_JSON_DEPTH} levels deep"):
        parse_list(deep, "deep", "vics")


def test_deep_vpdq_value_is_refused() -> None:
    with pytest.raises(HashError, match="nested more than"):
        parse_frames("[" * DEEP + "]" * DEEP)
