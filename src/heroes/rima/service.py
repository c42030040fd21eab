"""RIMA's engine tied to the platform: custody records in the audit log, the package register, tags.

The CLI, the web pages and the background job all go through these functions.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from heroes.core.db import is_read_only, read_scope, session_scope
from heroes.core.errors import HeroesError
from heroes.core.evidence import FileHashes, record_custody
from heroes.core.i18n import gettext as _
from heroes.core.models import CustodyRecord
from heroes.rima import package
from heroes.rima.models import RimaPackage, RimaTag

MAX_TAG = 60


def custody_item(package_id: str, item: str) -> str:
    return f"rima:{package_id}:{item}"


def _recorder(actor: str) -> tuple[package.Custody, dict[str, str]]:
    state: dict[str, str] = {}

    def record(step: str, item: str, hashes: FileHashes | None, details: dict[str, Any]) -> None:
        pid = str(details.get("package", ""))
        state["package"] = pid
        with session_scope() as session:
            record_custody(session, actor, f"rima.{step}", custody_item(pid, item), hashes, hashes, details)

    return record, state


def acquire(
    inputs: list[Path],
    out: Path,
    *,
    actor: str,
    case: str,
    examiner: str,
    tz: ZoneInfo | None = None,
    tsa_url: str | None = None,
    on_progress: package.ProgressFn | None = None,
) -> dict[str, Any]:
    """Acquire into a package, with a custody record per copy, per parse and for the seal; register it."""
    record, _state = _recorder(actor)
    manifest = package.acquire(
        inputs, out, case=case, examiner=examiner, tz=tz, tsa_url=tsa_url, custody=record, on_progress=on_progress
    )
    check = package.verify(out)
    with session_scope() as session:
        session.add(
            RimaPackage(
                id=manifest["package_id"],
                case=case,
                examiner=examiner,
                path=str(out.resolve()),
                owner=actor,
                manifest_sha256=check.manifest_sha256,
                messages=manifest["messages"],
                conversations=manifest["conversations"],
            )
        )
    return manifest


def sealed_hash(session: Session, package_id: str) -> str | None:
    """The manifest hash written in the custody record when the package was sealed."""
    row = session.execute(
        select(CustodyRecord.sha256_after)
        .where(CustodyRecord.item == custody_item(package_id, package.MANIFEST), CustodyRecord.action == "rima.seal")
        .order_by(CustodyRecord.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return row


def verify(path: Path, actor: str, session: Session | None = None) -> package.Verification:
    """Recompute every hash, compare the manifest with its custody record too, and record the check.

    The hashing runs outside any transaction. The custody record is written in `session` when it is
    a write session, else (none given, or a web read's read-only session) in its own short write
    transaction, so a read never holds the write lock while files are hashed.
    """
    first = package.verify(path)
    if first.package_id:
        if session is not None:
            expected = sealed_hash(session, first.package_id)
        else:
            with read_scope() as reader:
                expected = sealed_hash(reader, first.package_id)
    else:
        expected = None
    result = package.verify(path, expected) if expected else first
    with contextlib.ExitStack() as stack:
        writable = session is not None and not is_read_only(session)
        s = session if writable and session is not None else stack.enter_context(session_scope())
        record_custody(
            s,
            actor,
            "rima.verify",
            custody_item(result.package_id, package.MANIFEST),
            None,
            None,
            {
                "ok": result.ok,
                "changed": result.changed[:50],
                "missing": result.missing[:50],
                "unexpected": result.unexpected[:50],
                "custody_record_found": bool(expected),
            },
        )
    return result


def record_read(session: Session, actor: str, package_id: str, what: str) -> None:
    """Audit a read of a package's content (in a read-only session, through the batch writer)."""
    from heroes.core import audit

    audit.record(session, actor, "rima.read", f"rima:{package_id}", {"what": what})


def registered(session: Session, package_id: str) -> RimaPackage:
    row = session.get(RimaPackage, package_id)
    if row is None:
        raise HeroesError(_("No such evidence package."), status_code=404)
    return row


def list_packages(session: Session) -> list[RimaPackage]:
    return list(session.execute(select(RimaPackage).order_by(RimaPackage.created_at.desc())).scalars())


def tag(session: Session, package_id: str, message_id: str, name: str, note: str | None, actor: str) -> RimaTag:
    registered(session, package_id)
    name = name.strip()
    if not name or len(name) > MAX_TAG:
        raise HeroesError(_("A tag is 1 to 60 characters."))
    existing = session.execute(
        select(RimaTag).where(RimaTag.package_id == package_id, RimaTag.message_id == message_id, RimaTag.tag == name)
    ).scalar_one_or_none()
    if existing is not None:
        existing.note = note or existing.note
        return existing
    row = RimaTag(package_id=package_id, message_id=message_id, tag=name, note=note or None, author=actor)
    session.add(row)
    session.flush()
    from heroes.core import audit

    audit.record(session, actor, "rima.tag", f"rima:{package_id}:{message_id}", {"tag_id": row.id})
    return row


def tags(session: Session, package_id: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in session.execute(select(RimaTag).where(RimaTag.package_id == package_id).order_by(RimaTag.id)).scalars():
        out.setdefault(row.message_id, []).append(
            {"id": row.id, "tag": row.tag, "note": row.note, "author": row.author, "at": row.at.isoformat()}
        )
    return out
