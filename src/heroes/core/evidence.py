"""Evidence helpers for the investigation tools: streaming file hashes and custody records."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from heroes.core import audit
from heroes.core.errors import HeroesError
from heroes.core.models import CustodyRecord

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileHashes:
    size: int
    md5: str
    sha1: str
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def hash_stream(stream: IO[bytes], chunk_size: int = CHUNK) -> FileHashes:
    """MD5, SHA-1 and SHA-256 in one pass, in constant memory."""
    md5, sha1, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha1(usedforsecurity=False), hashlib.sha256()
    size = 0
    while chunk := stream.read(chunk_size):
        size += len(chunk)
        md5.update(chunk)
        sha1.update(chunk)
        sha256.update(chunk)
    return FileHashes(size, md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest())


def hash_file(path: str | Path) -> FileHashes:
    try:
        with open(path, "rb") as handle:
            return hash_stream(handle)
    except FileNotFoundError as exc:
        raise HeroesError(f"No such file: {path}") from exc
    except IsADirectoryError as exc:
        raise HeroesError(f"{path} is a folder, not a file.") from exc
    except PermissionError as exc:
        raise HeroesError(f"Cannot read {path}: permission denied.") from exc


def record_custody(
    session: Session,
    actor: str,
    action: str,
    item: str,
    before: FileHashes | None = None,
    after: FileHashes | None = None,
    details: dict[str, Any] | None = None,
) -> CustodyRecord:
    """Write who did what to an evidence item, with its hashes before and after, via the audit log.

    When both hashes are given and differ, the record says so: the item changed in our hands.
    """
    current = after or before
    details = dict(details or {})
    if before and after and before.sha256 != after.sha256:
        details["changed"] = True
    entry = audit.record(
        session,
        actor,
        f"custody.{action}",
        f"evidence:{item}"[:255],
        {"sha256_before": before.sha256 if before else None, "sha256_after": after.sha256 if after else None},
    )
    record = CustodyRecord(
        actor=actor,
        action=action,
        item=item,
        size=current.size if current else None,
        sha256_before=before.sha256 if before else None,
        sha256_after=after.sha256 if after else None,
        hashes=current.as_dict() if current else {},
        details=details,
        audit_entry_id=entry.id,
    )
    session.add(record)
    session.flush()
    return record
