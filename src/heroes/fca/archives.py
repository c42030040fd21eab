"""Containers inside a source (ZIP, TAR, 7z, Outlook MSG attachments), expanded recursively within a
depth and a size budget.

The size budget counts uncompressed bytes across one source, so a zip or 7z bomb stops at the budget
instead of filling memory. A container that is not expanded (too deep, over the budget, damaged) gets
a problem note naming it and saying why; the rest of the ingest goes on.

A container format is one small class registered in ``CONTAINERS``: ``sniff`` says whether the
content is one, ``members`` yields its members (name, a stream over the content, times).
"""

from __future__ import annotations

import io
import lzma
import tarfile
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, ClassVar

from heroes.fca.sources import Entry

DEFAULT_DEPTH = 3
DEFAULT_BUDGET = 512 * 1024 * 1024

Member = tuple[str, IO[bytes], dict[str, Any]]
# what a damaged member raises whatever the container (a bad deflate or LZMA stream, a short read)
READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError, EOFError, RuntimeError, ValueError, KeyError, lzma.LZMAError, zlib.error
)  # fmt: skip


class BudgetExceeded(Exception):
    """Raised by a container that must decompress ahead (7z solid blocks) when it hits the budget."""


@dataclass
class Budget:
    max_depth: int = DEFAULT_DEPTH
    max_bytes: int = DEFAULT_BUDGET
    used: int = 0
    problems: list[str] = field(default_factory=list)
    # (path of the item, problem): the same notes, kept per item so the item itself shows them
    item_problems: list[tuple[str, str]] = field(default_factory=list)

    def note(self, path: str, problem: str) -> None:
        self.problems.append(f"{path}: {problem}")
        self.item_problems.append((path, problem))


class Container(ABC):
    name: ClassVar[str]

    @abstractmethod
    def sniff(self, data: bytes) -> bool: ...

    @abstractmethod
    def members(self, data: bytes, limit: int) -> Iterator[Member]:
        """The members; ``limit`` is what is left of the size budget (for formats that decompress ahead)."""

    def errors(self) -> tuple[type[BaseException], ...]:
        """What a damaged container of this format raises while it is read (besides OSError and the like)."""
        return ()


CONTAINERS: list[Container] = []


def register(cls: type[Container]) -> type[Container]:
    if any(c.name == cls.name for c in CONTAINERS):
        raise RuntimeError(f"container {cls.name!r} registered twice")
    CONTAINERS.append(cls())
    return cls


def container_for(data: bytes) -> Container | None:
    return next((c for c in CONTAINERS if c.sniff(data)), None)


def is_archive(data: bytes) -> str | None:
    found = container_for(data)
    return found.name if found else None


def _read_limited(stream: IO[bytes], limit: int) -> bytes | None:
    out = bytearray()
    while len(out) <= limit:
        chunk = stream.read(min(1024 * 1024, limit + 1 - len(out)))
        if not chunk:
            return bytes(out)
        out += chunk
    return None  # over the budget


def expand(entry: Entry, data: bytes, budget: Budget) -> Iterator[tuple[Entry, bytes]]:
    """The members of a container (and of containers in it), each with its content."""
    container = container_for(data)
    if container is None:
        return
    if entry.depth >= budget.max_depth:
        budget.note(entry.path, f"{container.name} nested deeper than {budget.max_depth} levels, not expanded")
        return
    over_budget = f"size budget of {budget.max_bytes} bytes exceeded"
    try:
        for name, stream, times in container.members(data, budget.max_bytes - budget.used):
            content = _read_limited(stream, budget.max_bytes - budget.used)
            if content is None:
                budget.note(f"{entry.path}!/{name}", over_budget)
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
    except BudgetExceeded:
        budget.note(entry.path, over_budget)
    except (*READ_ERRORS, *container.errors()) as exc:
        budget.note(entry.path, f"{container.name} could not be read ({type(exc).__name__}: {exc})")


@register
class Zip(Container):
    name = "zip"

    def errors(self) -> tuple[type[BaseException], ...]:
        return (zipfile.BadZipFile,)

    def sniff(self, data: bytes) -> bool:
        return data[:4] == b"PK\x03\x04" and not _is_office(data)

    def members(self, data: bytes, limit: int) -> Iterator[Member]:
        archive = zipfile.ZipFile(io.BytesIO(data))
        for info in archive.infolist():
            if info.is_dir():
                continue
            try:
                when = datetime(*info.date_time, tzinfo=UTC)
            except ValueError:
                when = None
            with archive.open(info) as stream:
                yield info.filename, stream, {"mtime": when}


def _is_office(data: bytes) -> bool:
    head = data[:2000]
    return b"[Content_Types].xml" in head or b"mimetypeapplication/vnd.oasis" in head


@register
class Tar(Container):
    name = "tar"

    def errors(self) -> tuple[type[BaseException], ...]:
        return (tarfile.TarError,)

    def sniff(self, data: bytes) -> bool:
        if len(data) > 262 and data[257:262] == b"ustar":
            return True
        # tried as a compressed tar; a plain compressed file is left alone (see members)
        return data[:2] == b"\x1f\x8b" or data[:3] == b"BZh" or data[:6] == b"\xfd7zXZ\x00"

    def members(self, data: bytes, limit: int) -> Iterator[Member]:
        try:
            archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 - in memory
        except (tarfile.TarError, EOFError, OSError):
            return  # a compressed file that is not a tar
        for info in archive:
            if not info.isfile():
                continue
            stream = archive.extractfile(info)
            if stream is None:
                continue
            yield info.name, stream, {"mtime": datetime.fromtimestamp(info.mtime, UTC) if info.mtime else None}


class _BudgetWriter:
    """py7zr writes each member here; the shared counter stops a bomb at the budget."""

    def __init__(self, counter: list[int], limit: int) -> None:
        self.buffer = io.BytesIO()
        self.counter, self.limit = counter, limit

    def write(self, s: bytes | bytearray) -> int:
        self.counter[0] += len(s)
        if self.counter[0] > self.limit:
            raise BudgetExceeded
        return self.buffer.write(s)

    def read(self, size: int | None = None) -> bytes:
        return self.buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.buffer.seek(offset, whence)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None  # the content is read after extraction

    def size(self) -> int:
        return self.buffer.getbuffer().nbytes


@register
class SevenZip(Container):
    """7z through py7zr. Solid archives decompress ahead, so the budget is enforced while writing."""

    name = "7z"

    def errors(self) -> tuple[type[BaseException], ...]:
        import py7zr.exceptions

        return (py7zr.exceptions.ArchiveError, py7zr.exceptions.PasswordRequired)

    def sniff(self, data: bytes) -> bool:
        return data[:6] == b"7z\xbc\xaf\x27\x1c"

    def members(self, data: bytes, limit: int) -> Iterator[Member]:
        import py7zr
        from py7zr.exceptions import DecompressionBombError
        from py7zr.io import Py7zIO, WriterFactory

        counter = [0]
        written: dict[str, _BudgetWriter] = {}

        class Factory(WriterFactory):
            def create(self, filename: str) -> Py7zIO:
                written[filename] = _BudgetWriter(counter, limit)
                return written[filename]  # type: ignore[return-value]

        with py7zr.SevenZipFile(io.BytesIO(data), mode="r", max_extract_size=limit) as archive:
            if archive.needs_password():
                raise py7zr.exceptions.PasswordRequired("encrypted 7z archive: no password")
            infos = [i for i in archive.list() if i.is_file]
            if sum(i.uncompressed for i in infos) > limit:
                raise BudgetExceeded  # the header already says so: nothing is decompressed
            try:
                archive.extractall(factory=Factory())  # noqa: S202 - into memory, names never touch the disk
            except DecompressionBombError as exc:
                raise BudgetExceeded from exc
        mtimes = {i.filename: i.creationtime for i in infos}  # py7zr names the last-write time so
        for filename, out in written.items():  # in archive order
            out.buffer.seek(0)
            when = mtimes.get(filename)
            yield filename, out.buffer, {"mtime": when.astimezone(UTC) if isinstance(when, datetime) else None}


@register
class OutlookAttachments(Container):
    """The attachments of an Outlook MSG message, as child items (embedded messages as .msg)."""

    name = "msg"

    def errors(self) -> tuple[type[BaseException], ...]:
        from heroes.fca.extractors import msg_errors

        return msg_errors()

    def sniff(self, data: bytes) -> bool:
        from heroes.fca.extractors import is_outlook_msg

        return is_outlook_msg(data)

    def members(self, data: bytes, limit: int) -> Iterator[Member]:
        from heroes.fca.extractors import msg_attachments

        for name, content in msg_attachments(data):
            yield name, io.BytesIO(content), {}


@register
class MailAttachments(Container):
    """The attachments of an e-mail (EML), as child items like an Outlook message's; a forwarded
    message (message/rfc822) comes back as a .eml of its own."""

    name = "eml"

    def sniff(self, data: bytes) -> bool:
        from heroes.fca.detect import text_kind

        return b"multipart/" in data[:16384].lower() and text_kind(data) == "eml"

    def members(self, data: bytes, limit: int) -> Iterator[Member]:
        import email
        import email.policy

        message = email.message_from_bytes(data, policy=email.policy.compat32)
        seen: set[str] = set()
        for n, part in enumerate(_mail_parts(message)):
            forwarded = part.get_content_type() == "message/rfc822"
            if part.get_content_disposition() != "attachment" and not forwarded:
                continue
            name = (part.get_filename() or f"attachment{n}").replace("/", "_")
            if forwarded:
                inner = part.get_payload()
                content = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
                name = name if name.lower().endswith(".eml") else f"{name}.eml"
            else:
                payload = part.get_payload(decode=True)
                content = payload if isinstance(payload, bytes) else b""
            while name in seen:
                name = f"_{name}"
            seen.add(name)
            yield name, io.BytesIO(content), {}


def _mail_parts(message: Any) -> Iterator[Any]:
    """The leaf parts of a message, and forwarded messages whole (their own parts stay inside them)."""
    for part in message.get_payload() if message.is_multipart() else []:
        if part.get_content_type() == "message/rfc822" or not part.is_multipart():
            yield part
        else:
            yield from _mail_parts(part)
