"""The append-only, tamper-evident audit log.

Each entry stores the hash of the entry before it and an HMAC-SHA-256 over its own fields, keyed
with a secret kept outside the database (`audit.key` in the data folder, or HEROES_AUDIT_KEY), so
editing or deleting any row breaks the chain at that row and someone with only the database cannot
recompute it. After every transaction that appended entries, the head (last id and hash) is written
to a file outside the database (`audit-head.json`), so deleting the newest entries is caught too.
Entries carry ids and actions, never personal data (no IP addresses, no report text).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from heroes.core.db import DatabaseBusy, is_read_only, priority_scope, utcnow
from heroes.core.models import AuditEntry
from heroes.core.settings import get_settings

GENESIS = "0" * 64
HEAD_FILE = "audit-head.json"
_PENDING_HEAD = "heroes_audit_head"


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _payload(prev_hash: str, at: datetime, actor: str, action: str, target: str | None, details: str) -> bytes:
    return json.dumps(
        [prev_hash, _timestamp(at), actor, action, target, details], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def entry_digest(prev_hash: str, at: datetime, actor: str, action: str, target: str | None, details: str) -> str:
    """The keyed digest of an entry (HMAC-SHA-256 with the audit key)."""
    key = get_settings().audit_secret.encode()
    return hmac.new(key, _payload(prev_hash, at, actor, action, target, details), hashlib.sha256).hexdigest()


def _legacy_digest(prev_hash: str, at: datetime, actor: str, action: str, target: str | None, details: str) -> str:
    """Entries written before the chain was keyed: plain SHA-256 (accepted only before the first keyed one)."""
    return hashlib.sha256(_payload(prev_hash, at, actor, action, target, details)).hexdigest()


# --- the head, kept outside the database ----------------------------------------------------


def head_path() -> Path:
    settings = get_settings()
    return settings.audit_head_file or settings.ensure_data_dir() / HEAD_FILE


def read_head() -> dict[str, Any] | None:
    try:
        data = json.loads(head_path().read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "id" in data and "hash" in data else None


def write_head(entry_id: int, entry_hash: str) -> None:
    """Move the head forward (never back), atomically, under a file lock shared by every process."""
    path = head_path()
    lock = path.with_name(path.name + ".lock")
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        current = read_head()
        if current is not None and int(current["id"]) >= entry_id:
            return
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"id": entry_id, "hash": entry_hash, "at": _timestamp(utcnow())}, handle)
        os.replace(tmp, path)
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


@event.listens_for(Session, "after_commit")
def _head_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING_HEAD, None)
    if pending is not None:
        with contextlib.suppress(OSError):  # the log itself is committed; verify reports a stale head
            write_head(*pending)


@event.listens_for(Session, "after_rollback")
def _head_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_HEAD, None)


def _lock_chain(session: Session) -> None:
    # Two writers must not both extend the same head. SQLite already serialises writers
    # (BEGIN IMMEDIATE); PostgreSQL needs an explicit transaction-scoped lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4242001)"))


@dataclass
class _Fields:
    actor: str
    action: str
    target: str | None
    details: str
    at: datetime


def _append(session: Session, items: list[_Fields]) -> list[AuditEntry]:
    """Extend the chain by `items`, in order, in the session's transaction."""
    _lock_chain(session)
    last = session.execute(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)).scalar_one_or_none()
    prev_hash = last or GENESIS
    entries = []
    for item in items:
        entry = AuditEntry(
            at=item.at,
            actor=item.actor,
            action=item.action,
            target=item.target,
            details=item.details,
            prev_hash=prev_hash,
            entry_hash=entry_digest(prev_hash, item.at, item.actor, item.action, item.target, item.details),
        )
        session.add(entry)
        entries.append(entry)
        prev_hash = entry.entry_hash
    session.flush()
    session.info[_PENDING_HEAD] = (entries[-1].id, entries[-1].entry_hash)
    return entries


def record(
    session: Session,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the work).

    In a read-only session (heroes.core.db.read_scope, ReadDbSession: a read that changes nothing)
    the entry goes to the batch writer instead, and this returns once it is committed: the read
    is answered only after its entry is durable.

    `at` lets anonymous actions be recorded at coarse precision (the day); the chain's order is
    its ids, not its times."""
    details_text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
    item = _Fields(actor, action, target, details_text, at or utcnow())
    if is_read_only(session):
        return _batch_writer().append(item)
    return _append(session, [item])[0]


# --- reads: entries committed in batches ------------------------------------------------------


class _Waiting:
    def __init__(self, item: _Fields) -> None:
        self.item = item
        self.done = threading.Event()
        self.entry: AuditEntry | None = None
        self.error: BaseException | None = None


class BatchWriter:
    """Audit entries of reads, committed together in one short transaction.

    Every audited read used to append its entry in its own write transaction, so during a burst of
    submissions each staff read queued for SQLite's single writer (on PostgreSQL, for the chain's
    advisory lock) while holding its request open. Reads now run in read-only transactions and hand
    their entry to this writer; its thread commits everything that has arrived in one transaction
    (the chain extended in arrival order, the head file moved once) and wakes the readers. Entries
    gather while a commit waits for the lock, so the busier the database, the larger the batches;
    an idle server commits at once, adding no delay. On SQLite the batch also goes before the
    queue of ordinary writers (heroes.core.db.priority_scope): it is short, and readers wait on it.

    The trade-off: a reader waits for its batch's commit (never answered before its entry is
    durable, so nothing is lost at a crash or shutdown), but no longer holds a write transaction
    of its own. A commit that fails fails every read of its batch (503, nothing shown)."""

    def __init__(self, max_batch: int = 500) -> None:
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._queue: list[_Waiting] = []
        self._thread: threading.Thread | None = None
        self._stopping = False

    def append(self, item: _Fields) -> AuditEntry:
        waiting = _Waiting(item)
        with self._cond:
            if self._thread is None or not self._thread.is_alive():  # not started, or lost in a fork
                self._stopping = False
                self._thread = threading.Thread(target=self._run, name="heroes-audit-writer", daemon=True)
                self._thread.start()
            self._queue.append(waiting)
            self._cond.notify()
        if not waiting.done.wait(get_settings().db_busy_timeout + 30):
            raise DatabaseBusy()
        if waiting.error is not None or waiting.entry is None:
            raise DatabaseBusy() from waiting.error
        return waiting.entry

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if not self._queue:
                    self._thread = None  # under the lock: the next entry starts a new thread
                    return
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            self._commit(batch)

    def _commit(self, batch: list[_Waiting]) -> None:
        try:
            with priority_scope() as session:
                entries = _append(session, [w.item for w in batch])
            for waiting, entry in zip(batch, entries, strict=True):
                waiting.entry = entry
        except BaseException as exc:  # every reader of the batch must hear of it, whatever it was
            for waiting in batch:
                waiting.error = exc
        finally:
            for waiting in batch:
                waiting.done.set()

    def flush(self) -> None:
        """Commit what is queued and stop the thread (the next entry starts it again)."""
        with self._cond:
            thread, self._stopping = self._thread, True
            self._cond.notify()
        if thread is not None:
            thread.join()


_writer: BatchWriter | None = None
_writer_lock = threading.Lock()


def _batch_writer() -> BatchWriter:
    global _writer
    with _writer_lock:
        if _writer is None:
            _writer = BatchWriter()
        return _writer


def flush() -> None:
    """Commit every read's entry still queued (the web app calls this when it stops)."""
    with _writer_lock:
        writer = _writer
    if writer is not None:
        writer.flush()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head: str
    broken_at: int | None = None
    reason: str = ""


def _entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        rows = (
            session.execute(select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch))
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify(session: Session) -> VerifyResult:
    """Walk the chain from the first entry; name the first entry whose link is broken, then check
    that the newest entry recorded outside the database is still there, unchanged."""
    expected_prev = GENESIS
    count = 0
    keyed_seen = False
    last_id = 0
    head = read_head()
    head_found = head is None
    for entry in _entries(session):
        count += 1
        if entry.prev_hash != expected_prev:
            return VerifyResult(
                False,
                count,
                expected_prev,
                entry.id,
                "the entry before it was changed or deleted (previous-hash link does not match)",
            )
        fields = (entry.prev_hash, entry.at, entry.actor, entry.action, entry.target, entry.details)
        if hmac.compare_digest(entry_digest(*fields), entry.entry_hash):
            keyed_seen = True
        elif keyed_seen or not hmac.compare_digest(_legacy_digest(*fields), entry.entry_hash):
            return VerifyResult(
                False, count, expected_prev, entry.id, "this entry was edited (or the chain recomputed)"
            )
        if head is not None and entry.id == int(head["id"]):
            if entry.entry_hash != head["hash"]:
                return VerifyResult(False, count, expected_prev, entry.id, "the recorded head was rewritten")
            head_found = True
        expected_prev = entry.entry_hash
        last_id = entry.id
    if not head_found:
        assert head is not None
        reason = f"entries up to {head['id']} were recorded, the log ends at {last_id}: the newest were deleted"
        return VerifyResult(False, count, expected_prev, last_id + 1, reason)
    return VerifyResult(True, count, expected_prev)


def count(session: Session, action: str, target: str | None = None, since: datetime | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    if target is not None:
        query = query.where(AuditEntry.target == target)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    return int(session.execute(query).scalar_one())


def recent(session: Session, limit: int = 200, offset: int = 0) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(session.execute(query).scalars())
