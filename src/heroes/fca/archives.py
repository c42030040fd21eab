"""Archives inside a source (ZIP, TAR), expanded recursively within a depth and a size budget.

The size budget counts uncompressed bytes across one archive tree, so a zip bomb stops at the budget
instead of filling memory; the archive gets a problem note saying why it was not expanded further.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from heroes.fca.sources import Entry

DEFAULT_DEPTH = 3
DEFAULT_BUDGET = 512 * 1024 * 1024


@dataclass
class Budget:
    max_depth: int = DEFAULT_DEPTH
    max_bytes: int = DEFAULT_BUDGET
    used: int = 0
    problems: list[str] = field(default_factory=list)


def is_archive(data: bytes) -> str | None:
    if data[:4] == b"PK\x03\x04" and not _is_office(data):
        return "zip"
    if len(data) > 262 and data[257:262] == b"ustar":
        return "tar"
    if data[:2] == b"\x1f\x8b" or data[:3] == b"BZh" or data[:6] == b"\xfd7zXZ\x00":
        return "tar"  # tried as a compressed tar; a plain compressed file is left alone
    return None


def _is_office(data: bytes) -> bool:
    head = data[:2000]
    return b"[Content_Types].xml" in head or b"mimetypeapplication/vnd.oasis" in head


def _read_limited(stream: IO[bytes], limit: int) -> bytes | None:
    out = bytearray()
    while len(out) <= limit:
        chunk = stream.read(min(1024 * 1024, limit + 1 - len(out)))
        if not chunk:
            return bytes(out)
        out += chunk
    return None  # over the budget


def expand(entry: Entry, data: bytes, budget: Budget) -> Iterator[tuple[Entry, bytes]]:
    """The members of an archive (and of archives in it), each with its content."""
    kind = is_archive(data)
    if kind is None:
        return
    if entry.depth >= budget.max_depth:
        budget.problems.append(f"{entry.path}: archive nested deeper than {budget.max_depth} levels, not expanded")
        return
    members = _zip_members(data) if kind == "zip" else _tar_members(data)
    try:
        for name, stream, times in members:
            remaining = budget.max_bytes - budget.used
            content = _read_limited(stream, remaining)
            if content is None:
                budget.problems.append(f"{entry.path}!/{name}: size budget of {budget.max_bytes} bytes exceeded")
                return
            budget.used += len(content)
            child = Entry(
                path=f"{entry.path}!/{name}",
                size=len(content),
                read=lambda c=content: c,  # type: ignore[misc]
                inode="",
                deleted=entry.deleted,
                times=times,
                depth=entry.depth + 1,
            )
            yield child, content
            yield from expand(child, content, budget)
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, RuntimeError) as exc:
        budget.problems.append(f"{entry.path}: archive could not be read ({exc})")


def _zip_members(data: bytes) -> Iterator[tuple[str, IO[bytes], dict[str, Any]]]:
    from datetime import UTC, datetime

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return
    for info in archive.infolist():
        if info.is_dir():
            continue
        try:
            when = datetime(*info.date_time, tzinfo=UTC)
        except ValueError:
            when = None
        with archive.open(info) as stream:
            yield info.filename, stream, {"mtime": when}


def _tar_members(data: bytes) -> Iterator[tuple[str, IO[bytes], dict[str, Any]]]:
    from datetime import UTC, datetime

    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 - in memory
    except (tarfile.TarError, EOFError, OSError):
        return
    for info in archive:
        if not info.isfile():
            continue
        stream = archive.extractfile(info)
        if stream is None:
            continue
        yield info.name, stream, {"mtime": datetime.fromtimestamp(info.mtime, UTC) if info.mtime else None}
