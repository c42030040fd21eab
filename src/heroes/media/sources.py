"""What a scan walks: folders, archives read in place, lists of files.

Every item carries a display path and an ``open()`` that gives a fresh read-only stream;
nothing is extracted or copied. Archive members are named ``archive.zip!inner/path.jpg``.
Archives are opened one level deep: an archive inside an archive is hashed as a file.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ARCHIVE_SEP = "!"


@dataclass
class Item:
    path: str
    size: int | None
    open: Callable[[], IO[bytes]]
    error: str | None = None  # set when the item cannot even be listed


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: open(path, "rb")


def _error_item(path: str, message: str) -> Item:
    def fail() -> IO[bytes]:
        raise OSError(message)

    return Item(path, None, fail, error=message)


def _is_archive(path: Path) -> str | None:
    try:
        if zipfile.is_zipfile(path):
            return "zip"
        if tarfile.is_tarfile(path):
            return "tar"
    except OSError:
        return None
    return None


def _zip_members(path: Path, display: str) -> Iterator[Item]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield _error_item(display + ARCHIVE_SEP, f"unreadable zip archive: {exc}")
        return
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            yield Item(
                f"{display}{ARCHIVE_SEP}{info.filename}",
                info.file_size,
                lambda info=info: zf.open(info),  # type: ignore[misc]
            )


def _tar_members(path: Path, display: str) -> Iterator[Item]:
    try:
        tf = tarfile.open(path, "r:*")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError) as exc:
        yield _error_item(display + ARCHIVE_SEP, f"unreadable tar archive: {exc}")
        return
    with tf:
        try:
            for member in tf:
                if not member.isfile():
                    continue

                def open_member(member: tarfile.TarInfo = member) -> IO[bytes]:
                    stream = tf.extractfile(member)
                    if stream is None:
                        raise OSError("tar member has no data")
                    return stream

                yield Item(f"{display}{ARCHIVE_SEP}{member.name}", member.size, open_member)
        except (tarfile.TarError, OSError, EOFError) as exc:
            yield _error_item(display + ARCHIVE_SEP, f"tar archive damaged: {exc}")


def _file_items(path: Path, display: str, archives: bool) -> Iterator[Item]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield _error_item(display, f"cannot read: {exc.strerror}")
        return
    # The archive itself is a file that may be on a list, so it is hashed too.
    yield Item(display, size, _opener(path))
    if archives and size:
        kind = _is_archive(path)
        if kind == "zip":
            yield from _zip_members(path, display)
        elif kind == "tar":
            yield from _tar_members(path, display)


def iter_files(paths: list[str | Path]) -> Iterator[str]:
    """The files under ``paths`` in a stable order (sorted walk): the work units of a scan.

    A root that does not exist is listed too, so that its error is reported where it stands.
    """
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root, onerror=None):
                dirnames.sort()
                for name in sorted(filenames):
                    full = Path(dirpath) / name
                    if full.is_symlink():
                        continue  # a link may lead out of the seized media
                    yield str(full)
        else:
            yield str(root)


def items_of(path: str, archives: bool = True) -> Iterator[Item]:
    """One file listed by ``iter_files``, and the members of it when it is an archive."""
    root = Path(path)
    if root.exists():
        yield from _file_items(root, path, archives)
    else:
        yield _error_item(path, "no such file or folder")


def iter_items(paths: list[str | Path], archives: bool = True) -> Iterator[Item]:
    """Every file under ``paths`` in a stable order (sorted walk), archives opened in place."""
    for path in iter_files(paths):
        yield from items_of(path, archives)


def read_file_list(list_path: str | Path) -> list[str]:
    """A text file with one path per line (blank lines and ``#`` comments skipped)."""
    lines = Path(list_path).read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
