"""The append-only, tamper-evident audit log.

Each entry stores the SHA-256 of the entry before it and a hash over its own fields, so editing or
deleting any row breaks the chain at that row. Entries carry ids and actions, never personal data
(no IP addresses, no report text).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from heroes.core.db import utcnow
from heroes.core.models import AuditEntry

GENESIS = "0" * 64


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_digest(prev_hash: str, at: datetime, actor: str, action: str, target: str | None, details: str) -> str:
    payload = json.dumps(
        [prev_hash, _timestamp(at), actor, action, target, details],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    # Two writers must not both extend the same head. SQLite already serialises writers
    # (BEGIN IMMEDIATE); PostgreSQL needs an explicit transaction-scoped lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4242001)"))


def record(
    session: Session,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the work)."""
    _lock_chain(session)
    last = session.execute(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)).scalar_one_or_none()
    prev_hash = last or GENESIS
    at = utcnow()
    details_text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        target=target,
        details=details_text,
        prev_hash=prev_hash,
        entry_hash=entry_digest(prev_hash, at, actor, action, target, details_text),
    )
    session.add(entry)
    session.flush()
    return entry


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
    """Walk the chain from the first entry; name the first entry whose link is broken."""
    expected_prev = GENESIS
    count = 0
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
        digest = entry_digest(entry.prev_hash, entry.at, entry.actor, entry.action, entry.target, entry.details)
        if digest != entry.entry_hash:
            return VerifyResult(False, count, expected_prev, entry.id, "this entry was edited")
        expected_prev = entry.entry_hash
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
