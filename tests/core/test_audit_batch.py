"""Reads' audit entries committed in batches: none lost, the keyed chain and its head file still
verify, a read returns only once its entry is committed, and entries that queue while the log is
locked go in together."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from heroes.core import audit
from heroes.core.db import DatabaseBusy, read_scope, session_scope
from heroes.core.models import AuditEntry


def _count(action: str) -> int:
    with session_scope() as session:
        return audit.count(session, action)


def _read(actor: str, n: int) -> AuditEntry:
    with read_scope() as session:
        return audit.record(session, actor, "test.read", f"thing:{n}", {"n": n})


def test_a_read_returns_once_its_entry_is_committed_and_the_chain_verifies(heroes_db: Any) -> None:
    entry = _read("reader", 1)
    assert entry.id is not None
    with session_scope() as session:  # another transaction sees it: committed, not just queued
        stored = session.get(AuditEntry, entry.id)
        assert stored is not None and stored.action == "test.read" and stored.target == "thing:1"
        result = audit.verify(session)
    assert result.ok, result.reason
    head = audit.read_head()
    assert head is not None and int(head["id"]) == entry.id and head["hash"] == entry.entry_hash


def test_concurrent_reads_lose_nothing_and_keep_one_chain(heroes_db: Any) -> None:
    with session_scope() as session:
        audit.record(session, "writer", "test.write")  # an ordinary entry before them
    threads = [threading.Thread(target=_read, args=(f"reader-{i % 5}", i)) for i in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _count("test.read") == 60
    with session_scope() as session:
        assert audit.verify(session).ok
        targets = session.execute(select(AuditEntry.target).where(AuditEntry.action == "test.read")).scalars()
        assert sorted(targets) == sorted(f"thing:{i}" for i in range(60))
        last = session.execute(select(func.max(AuditEntry.id))).scalar_one()
    head = audit.read_head()
    assert head is not None and int(head["id"]) == last


def test_reads_that_queue_behind_a_writer_are_committed_together(heroes_db: Any, monkeypatch: Any) -> None:
    sizes: list[int] = []
    original = audit._append

    def counting(session: Any, items: list[Any]) -> list[AuditEntry]:
        sizes.append(len(items))
        return original(session, items)

    monkeypatch.setattr(audit, "_append", counting)
    threads = [threading.Thread(target=_read, args=("reader", i)) for i in range(20)]
    with session_scope() as session:
        audit.record(session, "writer", "test.write")  # holds the chain (SQLite's write lock, or the advisory lock)
        for thread in threads:
            thread.start()
        give_up = time.monotonic() + 20
        while len(audit._batch_writer()._queue) < 15 and time.monotonic() < give_up:
            time.sleep(0.02)  # the first reads wait at the lock; the others queue behind them
    for thread in threads:
        thread.join()
    assert _count("test.read") == 20
    reads = sizes[1:]  # the writer's own entry was the first call
    assert sum(reads) == 20 and len(reads) <= 3 and max(reads) >= 15, sizes
    with session_scope() as session:
        assert audit.verify(session).ok


def test_a_failed_batch_fails_its_reads(heroes_db: Any, monkeypatch: Any) -> None:
    def broken(session: Any, items: list[Any]) -> list[AuditEntry]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "_append", broken)
    with pytest.raises(DatabaseBusy):
        _read("reader", 1)
    monkeypatch.undo()
    assert _count("test.read") == 0
    assert _read("reader", 2).id is not None  # the writer goes on after a failure


def test_flush_stops_the_writer_and_the_next_read_starts_it_again(heroes_db: Any) -> None:
    _read("reader", 1)
    audit.flush()
    assert audit._batch_writer()._thread is None
    _read("reader", 2)
    assert _count("test.read") == 2


def test_staff_reads_through_the_web_are_audited(client: Any, login_as: Any) -> None:
    login_as("investigator")
    before = _count("media.list.read")
    assert client.get("/api/media/lists").status_code == 200
    assert _count("media.list.read") == before + 1


def test_the_writer_gate_hands_over_in_order_and_lets_priority_batches_go_first() -> None:
    from heroes.core.db import WriterGate

    gate, order = WriterGate(), []

    def writer(name: str, priority: bool) -> None:
        assert gate.acquire(10, priority=priority)
        order.append(name)
        gate.release()

    assert gate.acquire(1)
    first = threading.Thread(target=writer, args=("ordinary-1", False))
    first.start()
    while len(gate._ordinary) < 1:
        time.sleep(0.005)
    second = threading.Thread(target=writer, args=("ordinary-2", False))
    second.start()
    while len(gate._ordinary) < 2:
        time.sleep(0.005)
    batch = threading.Thread(target=writer, args=("audit-batch", True))
    batch.start()
    while len(gate._urgent) < 1:
        time.sleep(0.005)
    assert not gate.acquire(0.05)  # held: a newcomer waits (and gives up here)
    gate.release()
    for thread in (first, second, batch):
        thread.join()
    assert order == ["audit-batch", "ordinary-1", "ordinary-2"]
    assert gate.acquire(0.01)  # free again once everyone is through
    gate.release()


def test_a_write_in_a_read_only_session_is_refused_and_nothing_is_kept(heroes_db: Any) -> None:
    from sqlalchemy import insert

    from heroes.core.db import WriteInReadOnly
    from heroes.core.models import User

    with read_scope() as session, pytest.raises(WriteInReadOnly):
        session.add(User(username="sneaky", password_hash="x", role="viewer"))
        session.flush()
    with read_scope() as session, pytest.raises(WriteInReadOnly):
        session.execute(insert(User).values(username="sneaky", password_hash="x", role="viewer"))
    with session_scope() as session:
        assert session.execute(select(User).where(User.username == "sneaky")).first() is None
    _read("reader", 3)  # the audit entry of a read still goes through (the batch writer's own session)


# Read routes of the tools whose reads are audited: none may hold a write session (the entry goes to
# the batch writer). The screening directory page may seed the directory and stays a write.
READ_PREFIXES = ("/cases", "/api/cases", "/fca", "/api/fca", "/rima", "/api/rima", "/reports", "/api/reports/cases")
WRITING_READS = {"/screening/directory"}


def test_audited_read_routes_never_take_a_write_session(app: Any) -> None:
    from heroes.core.db import get_db, get_read_db
    from heroes.core.web.app import api_routes

    def calls(dependant: Any) -> set[Any]:
        found = {dependant.call}
        for sub in dependant.dependencies:
            found |= calls(sub)
        return found

    checked = []
    for route in api_routes(app.routes):
        if "GET" not in route.methods or route.path in WRITING_READS:
            continue
        audited = route.path.startswith(READ_PREFIXES) or route.path.startswith("/screening/")
        used = calls(route.dependant)
        if not audited or not (used & {get_db, get_read_db}):
            continue
        assert get_db not in used, f"GET {route.path} takes a write session"
        checked.append(route.path)
    assert len(checked) >= 35 and "/cases/{case_id}" in checked and "/api/rima/packages/{package_id}" in checked
