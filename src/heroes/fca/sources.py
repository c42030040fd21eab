"""Source openers: plain folders, raw/dd and split raw images, E01 images; partitions and file
systems through The Sleuth Kit (pytsk3), APFS containers through libfsapfs (pyfsapfs), because
pytsk3 does not bind TSK's pool API that TSK's own APFS support needs. Everything is opened read-only.

An opener is one small class registered in ``OPENERS``: ``claims(path)`` says whether it opens the
source, ``entries()`` yields every file in it (allocated and deleted) with its content reader.
"""

from __future__ import annotations

import os
import re
import stat as stat_module
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from heroes.core.errors import HeroesError

MAX_READ = 256 * 1024 * 1024  # larger files are hashed in full but their content is not extracted


def _time(value: float | int | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


@dataclass
class Entry:
    """One file found in a source: where it is, what the file system says about it, how to read it."""

    path: str
    size: int
    read: Callable[[], bytes]
    inode: str = ""
    deleted: bool = False
    times: dict[str, datetime | None] = field(default_factory=dict)  # mtime, atime, ctime, crtime
    depth: int = 0  # archive nesting level
    chunks: Callable[[], Iterator[bytes]] | None = None  # the whole content, for files over MAX_READ


class SourceError(HeroesError):
    """A source that cannot be opened or read: a clear reason, nothing written."""


class Opener(ABC):
    kind: ClassVar[str]

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    @abstractmethod
    def claims(cls, path: Path) -> bool: ...

    @abstractmethod
    def entries(self) -> Iterator[Entry]: ...

    def segments(self) -> list[Path]:
        """The files that make up the source, hashed at intake and at the end."""
        return [self.path]


OPENERS: list[type[Opener]] = []


def register(cls: type[Opener]) -> type[Opener]:
    if any(o.kind == cls.kind for o in OPENERS):
        raise RuntimeError(f"opener {cls.kind!r} registered twice")
    OPENERS.append(cls)
    return cls


@register
class FolderOpener(Opener):
    kind = "folder"

    @classmethod
    def claims(cls, path: Path) -> bool:
        return path.is_dir()

    def segments(self) -> list[Path]:
        return []  # a folder is hashed file by file

    def entries(self) -> Iterator[Entry]:
        for root, dirs, files in os.walk(self.path):
            dirs.sort()
            for name in sorted(files):
                full = Path(root) / name
                try:
                    st = full.lstat()
                except OSError:
                    continue
                if not stat_module.S_ISREG(st.st_mode):
                    continue
                yield Entry(
                    path=full.relative_to(self.path).as_posix(),
                    size=st.st_size,
                    read=_file_reader(full),
                    chunks=_file_chunks(full),
                    inode=str(st.st_ino),
                    times={"mtime": _time(st.st_mtime), "atime": _time(st.st_atime), "ctime": _time(st.st_ctime)},
                )


def _file_chunks(path: Path) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        with open(path, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                yield chunk

    return chunks


def _file_reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        with open(path, "rb") as handle:
            return handle.read(MAX_READ)

    return read


# -- disk images through pytsk3 ---------------------------------------------------------------


def _tsk() -> Any:
    try:
        import pytsk3
    except ImportError as exc:  # pragma: no cover - a dependency
        raise SourceError("Disk images need pytsk3 (pip install pytsk3).") from exc
    return pytsk3


def _split_segments(path: Path) -> list[Path]:
    match = re.fullmatch(r"(.*\.)(\d{3})", path.name)
    if not match:
        return [path]
    stem, width = match.group(1), len(match.group(2))
    out, n = [], int(match.group(2))
    while (candidate := path.with_name(f"{stem}{n:0{width}d}")).exists():
        out.append(candidate)
        n += 1
    return out


def _raw_image(segments: list[Path]) -> Any:
    pytsk3 = _tsk()

    class SplitRaw(pytsk3.Img_Info):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            self.files = [open(p, "rb") for p in segments]  # noqa: SIM115 - closed with the image
            self.sizes = [os.fstat(f.fileno()).st_size for f in self.files]
            super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

        def close(self) -> None:
            for f in self.files:
                f.close()

        def read(self, offset: int, size: int) -> bytes:
            out = bytearray()
            for f, length in zip(self.files, self.sizes, strict=True):
                if offset >= length:
                    offset -= length
                    continue
                f.seek(offset)
                chunk = f.read(min(size - len(out), length - offset))
                out += chunk
                offset = 0
                if len(out) >= size:
                    break
            return bytes(out)

        def get_size(self) -> int:
            return sum(self.sizes)

    return SplitRaw()


def _ewf_image(path: Path) -> Any:
    try:
        import pyewf
    except ImportError as exc:  # pragma: no cover
        raise SourceError("E01 images need libewf-python (pip install libewf-python).") from exc

    try:
        names = pyewf.glob(str(path))
        handle = pyewf.handle()
        handle.open(names, "r")
    except (OSError, RuntimeError, ValueError) as exc:
        raise SourceError(f"{path.name} is not a readable E01 image ({exc}).") from exc
    return _handle_image(handle, path.name), [Path(n) for n in names]


class ImageOpener(Opener):
    """Shared walk: volume system (if any), then every file system found, allocated and deleted."""

    image: Any

    def open_image(self) -> Any:
        raise NotImplementedError

    def entries(self) -> Iterator[Entry]:
        pytsk3 = _tsk()
        img = self.open_image()
        systems = list(self._file_systems(pytsk3, img))
        if not systems:
            raise SourceError(f"{self.path.name}: no file system recognised (corrupt, truncated or unsupported).")
        for prefix, fs in systems:
            if isinstance(fs, ApfsContainer):
                yield from fs.entries(prefix)
            else:
                yield from self._walk(pytsk3, fs, fs.open_dir(path="/"), prefix, set())

    def _file_systems(self, pytsk3: Any, img: Any) -> Iterator[tuple[str, Any]]:
        """TSK's file systems; where TSK finds none, an APFS container (TSK needs its pool API for that)."""
        try:
            volume = pytsk3.Volume_Info(img)
        except OSError:
            volume = None
        if volume is not None:
            block = volume.info.block_size
            for part in volume:
                if part.flags != pytsk3.TSK_VS_PART_FLAG_ALLOC:
                    continue
                offset = part.start * block
                try:
                    yield f"p{part.addr}/", pytsk3.FS_Info(img, offset=offset)
                except OSError:
                    if is_apfs(img.read(offset, 64)):
                        yield f"p{part.addr}/", ApfsContainer(_ImageSlice(img, offset, part.len * block), self.path)
            return
        try:
            yield "", pytsk3.FS_Info(img)
        except OSError:
            if is_apfs(img.read(0, 64)):
                yield "", ApfsContainer(_ImageSlice(img, 0, img.get_size()), self.path)

    def _walk(self, pytsk3: Any, fs: Any, directory: Any, prefix: str, seen: set[int]) -> Iterator[Entry]:
        for f in directory:
            name = f.info.name.name.decode("utf-8", "replace")
            if name in (".", ".."):
                continue
            meta = f.info.meta
            deleted = bool(int(f.info.name.flags) & int(pytsk3.TSK_FS_NAME_FLAG_UNALLOC))
            path = f"{prefix}{name}"
            if meta is None:
                continue
            kind = meta.type
            if kind == pytsk3.TSK_FS_META_TYPE_DIR:
                if meta.addr in seen or (name.startswith("$") and name != "$OrphanFiles"):
                    continue
                seen.add(meta.addr)
                try:
                    sub = f.as_directory()
                except OSError:
                    continue
                yield from self._walk(pytsk3, fs, sub, f"{path}/", seen)
                continue
            if kind != pytsk3.TSK_FS_META_TYPE_REG or name.startswith("$") or name.endswith("(Volume Label Entry)"):
                continue  # file-system metadata ($MFT, $CatalogFile ...), not user files
            deleted = deleted or not (int(meta.flags) & int(pytsk3.TSK_FS_META_FLAG_ALLOC))
            yield Entry(
                path=path,
                size=int(meta.size),
                read=_tsk_reader(f, int(meta.size)),
                chunks=_tsk_chunks(f, int(meta.size)),
                inode=str(meta.addr),
                deleted=deleted,
                times={
                    "mtime": _time(meta.mtime),
                    "atime": _time(meta.atime),
                    "ctime": _time(meta.ctime),
                    "crtime": _time(getattr(meta, "crtime", 0)),
                },
            )


def _tsk_chunks(f: Any, size: int) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        offset = 0
        while offset < size:
            chunk = f.read_random(offset, min(1024 * 1024, size - offset))
            if not chunk:
                return
            yield chunk
            offset += len(chunk)

    return chunks


def _tsk_reader(f: Any, size: int) -> Callable[[], bytes]:
    def read() -> bytes:
        want = min(size, MAX_READ)
        out = bytearray()
        offset = 0
        while offset < want:
            chunk = f.read_random(offset, min(1024 * 1024, want - offset))
            if not chunk:
                break
            out += chunk
            offset += len(chunk)
        return bytes(out)

    return read


# -- APFS through libfsapfs ------------------------------------------------------------------


def is_apfs(head: bytes) -> bool:
    """An APFS container superblock (NXSB) at the start."""
    return head[32:36] == b"NXSB"


class _ImageSlice:
    """A byte range of a TSK image as the file object libyal's bindings read (read/seek/tell/get_size)."""

    def __init__(self, img: Any, offset: int, size: int) -> None:
        self.img, self.offset, self.length, self.position = img, offset, size, 0

    def read(self, size: int = -1) -> bytes:
        if size < 0 or self.position + size > self.length:
            size = max(0, self.length - self.position)
        data = bytes(self.img.read(self.offset + self.position, size)) if size else b""
        self.position += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: self.length}[whence]
        self.position = base + offset
        return self.position

    def tell(self) -> int:
        return self.position

    get_offset = tell

    def get_size(self) -> int:
        return self.length


class ApfsContainer:
    """The volumes of an APFS container and their files. Locked (encrypted) volumes cannot be read
    without the password and are reported; libfsapfs lists no deleted files."""

    def __init__(self, handle: _ImageSlice | Path, source: Path) -> None:
        try:
            import pyfsapfs
        except ImportError as exc:  # pragma: no cover - a dependency
            raise SourceError("APFS needs libfsapfs-python (pip install libfsapfs-python).") from exc
        self.source = source
        self.container = pyfsapfs.container()
        try:
            if isinstance(handle, Path):
                self.container.open(str(handle))
            else:
                self.container.open_file_object(handle)
        except (OSError, RuntimeError, ValueError) as exc:
            raise SourceError(f"{source.name} is not a readable APFS container ({exc}).") from exc

    def entries(self, prefix: str = "") -> Iterator[Entry]:
        volumes = list(self.container.volumes)
        readable = [v for v in volumes if not v.is_locked()]
        if not readable:
            raise SourceError(f"{self.source.name}: every APFS volume is encrypted (locked); nothing can be read.")
        for index, volume in enumerate(readable):
            where = prefix if len(volumes) == 1 else f"{prefix}{volume.name or f'volume{index}'}/"
            yield from self._walk(volume.get_root_directory(), where)

    def _walk(self, directory: Any, prefix: str) -> Iterator[Entry]:
        for entry in directory.sub_file_entries:
            path = f"{prefix}{entry.name}"
            mode = int(entry.file_mode or 0)
            if stat_module.S_ISDIR(mode):
                yield from self._walk(entry, f"{path}/")
                continue
            if not stat_module.S_ISREG(mode):
                continue  # symbolic links, devices
            size = int(entry.size)
            yield Entry(
                path=path,
                size=size,
                read=_apfs_reader(entry, size),
                chunks=_apfs_chunks(entry, size),
                inode=str(entry.identifier),
                times={
                    "mtime": _ns(entry.get_modification_time_as_integer()),
                    "atime": _ns(entry.get_access_time_as_integer()),
                    "ctime": _ns(entry.get_inode_change_time_as_integer()),
                    "crtime": _ns(entry.get_creation_time_as_integer()),
                },
            )


def _ns(value: int | None) -> datetime | None:
    """APFS times are nanoseconds since 1970; kept to the microsecond (a float would round them)."""
    if not value:
        return None
    seconds = _time(value // 1_000_000_000)
    return seconds + timedelta(microseconds=(value % 1_000_000_000) // 1000) if seconds else None


def _apfs_chunks(entry: Any, size: int) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        offset = 0
        while offset < size:
            chunk = entry.read_buffer_at_offset(min(1024 * 1024, size - offset), offset)
            if not chunk:
                return
            yield bytes(chunk)
            offset += len(chunk)

    return chunks


def _apfs_reader(entry: Any, size: int) -> Callable[[], bytes]:
    read_chunks = _apfs_chunks(entry, min(size, MAX_READ))

    def read() -> bytes:
        return b"".join(read_chunks())

    return read


@register
class EwfOpener(ImageOpener):
    kind = "ewf"

    @classmethod
    def claims(cls, path: Path) -> bool:
        return path.is_file() and path.suffix.lower() in (".e01", ".ex01")

    def open_image(self) -> Any:
        img, self._segments = _ewf_image(self.path)
        return img

    def segments(self) -> list[Path]:
        import pyewf

        try:
            return [Path(n) for n in pyewf.glob(str(self.path))]
        except (OSError, RuntimeError, ValueError):
            return [self.path]


def _handle_image(handle: Any, name: str) -> Any:
    """A libyal handle (pyvmdk, pyvhdi, pyqcow: open/seek/read/get_media_size) as a TSK image."""
    pytsk3 = _tsk()

    class Handle(pytsk3.Img_Info):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            self.handle = handle
            super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

        def close(self) -> None:
            self.handle.close()

        def read(self, offset: int, size: int) -> bytes:
            self.handle.seek(offset)
            return bytes(self.handle.read(size))

        def get_size(self) -> int:
            return int(self.handle.get_media_size())

    return Handle()


@register
class VirtualDiskOpener(ImageOpener):
    """VMDK (libvmdk), VHD (libvhdi) and QCOW2 (libqcow) virtual disks."""

    kind = "virtual-disk"
    MODULES: ClassVar[dict[str, str]] = {".vmdk": "pyvmdk", ".vhd": "pyvhdi", ".vhdx": "pyvhdi", ".qcow2": "pyqcow"}

    @classmethod
    def claims(cls, path: Path) -> bool:
        return path.is_file() and path.suffix.lower() in cls.MODULES

    def open_image(self) -> Any:
        import importlib

        name = self.MODULES[self.path.suffix.lower()]
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise SourceError(f"{self.path.name} needs the {name} module (libyal Python bindings).") from exc
        try:
            handle = module.handle() if hasattr(module, "handle") else module.file()
            handle.open(str(self.path))
            if name == "pyvmdk":
                handle.open_extent_data_files()
        except (OSError, RuntimeError, ValueError) as exc:
            raise SourceError(f"{self.path.name} is not a readable virtual disk ({exc}).") from exc
        return _handle_image(handle, self.path.name)


@register
class ArchiveFileOpener(Opener):
    """A ZIP/TAR/7z archive or an Outlook MSG given as the source itself: one entry, expanded like a
    container found inside."""

    kind = "archive"
    SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tar.xz", ".7z", ".msg")

    @classmethod
    def claims(cls, path: Path) -> bool:
        return path.is_file() and path.name.lower().endswith(cls.SUFFIXES)

    def entries(self) -> Iterator[Entry]:
        st = self.path.stat()
        yield Entry(
            path=self.path.name,
            size=st.st_size,
            read=_file_reader(self.path),
            inode=str(st.st_ino),
            times={"mtime": _time(st.st_mtime), "atime": _time(st.st_atime), "ctime": _time(st.st_ctime)},
        )


@register
class ApfsOpener(Opener):
    """An APFS container image (raw). APFS inside a partitioned or E01/virtual disk is found by the
    image openers, which fall back to libfsapfs where TSK recognises no file system."""

    kind = "apfs"

    @classmethod
    def claims(cls, path: Path) -> bool:
        if not path.is_file():
            return False
        with open(path, "rb") as handle:
            return is_apfs(handle.read(64))

    def entries(self) -> Iterator[Entry]:
        yield from ApfsContainer(self.path, self.path).entries()


@register
class RawOpener(ImageOpener):
    """raw/dd images, split raw (name.001, name.002 ...), ISO 9660 and any other image TSK reads."""

    kind = "raw"

    @classmethod
    def claims(cls, path: Path) -> bool:
        return path.is_file()

    def segments(self) -> list[Path]:
        return _split_segments(self.path)

    def open_image(self) -> Any:
        return _raw_image(self.segments())


def open_source(path: str | Path) -> Opener:
    p = Path(path)
    if not p.exists():
        raise SourceError(f"No such source: {p}")
    for cls in OPENERS:
        if cls.claims(p):
            return cls(p)
    raise SourceError(f"No opener recognises {p}.")
