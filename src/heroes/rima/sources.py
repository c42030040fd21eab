"""What an investigator hands over: files, folders and ZIP archives, copied bit for bit.

Originals are copied into the package with their hashes computed in the same pass; a database's
`-wal`/`-shm` companions and a WhatsApp `wa.db` beside a `msgstore.db` come along with it. ZIP
archives are copied whole and their members extracted into a private work folder for parsing.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from heroes.core.errors import HeroesError
from heroes.core.evidence import FileHashes, hash_file
from heroes.core.i18n import gettext as _

CHUNK = 1024 * 1024
COMPANIONS = ("-wal", "-shm", "-journal")
MAX_ZIP_MEMBERS = 200_000
MAX_ZIP_RATIO = 200  # a member expanding more than this is a zip bomb, not an export


def copy_hashed(src: Path, dest: Path) -> FileHashes:
    """Copy bit for bit, hashing on the way; then check the copy reads back identical."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    md5, sha1, sha = hashlib.md5(usedforsecurity=False), hashlib.sha1(usedforsecurity=False), hashlib.sha256()
    size = 0
    with open(src, "rb") as fin, open(dest, "xb") as fout:
        while chunk := fin.read(CHUNK):
            size += len(chunk)
            md5.update(chunk)
            sha1.update(chunk)
            sha.update(chunk)
            fout.write(chunk)
    copied = hash_file(dest)
    if copied.sha256 != sha.hexdigest():
        raise HeroesError(_("The copy of {path} differs from the original; the disk may be failing.").format(path=src))
    shutil.copystat(src, dest)
    return FileHashes(size, md5.hexdigest(), sha1.hexdigest(), sha.hexdigest())


def expand(sources: list[Path]) -> Iterator[tuple[Path, str]]:
    """(file, path inside the package's originals/) for every file to copy, companions included."""
    seen: set[Path] = set()
    for n, src in enumerate(sources, start=1):
        if not src.exists():
            raise HeroesError(_("No such file or folder: {path}").format(path=src))
        base = f"originals/{n}"
        if src.is_dir():
            for f in sorted(p for p in src.rglob("*") if p.is_file() and not p.is_symlink()):
                if f.resolve() not in seen:
                    seen.add(f.resolve())
                    yield f, f"{base}/{src.name}/{f.relative_to(src).as_posix()}"
            continue
        names = [src]
        names += [src.with_name(src.name + s) for s in COMPANIONS]
        if src.name.lower().startswith("msgstore"):
            names.append(src.with_name("wa.db"))
            names += [src.with_name("wa.db" + s) for s in COMPANIONS]
        for f in names:
            if f.is_file() and f.resolve() not in seen:
                seen.add(f.resolve())
                yield f, f"{base}/{f.name}"


def safe_extract(archive: Path, into: Path) -> list[tuple[str, Path]]:
    """Extract a ZIP's members under `into`, refusing absolute paths, '..' and zip bombs."""
    out: list[tuple[str, Path]] = []
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if len(infos) > MAX_ZIP_MEMBERS:
                raise HeroesError(_("{path}: too many files in the archive").format(path=archive.name))
            for info in infos:
                name = PurePosixPath(info.filename.replace("\\", "/"))
                if name.is_absolute() or ".." in name.parts:
                    raise HeroesError(
                        _("{path}: unsafe member name {name}").format(path=archive.name, name=info.filename)
                    )
                if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                    raise HeroesError(
                        _("{path}: member {name} expands too much").format(path=archive.name, name=info.filename)
                    )
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as fin, open(target, "wb") as fout:
                    shutil.copyfileobj(fin, fout, CHUNK)
                out.append((name.as_posix(), target))
    except zipfile.BadZipFile as exc:
        raise HeroesError(
            _("{path}: not a readable ZIP archive ({error})").format(path=archive.name, error=exc)
        ) from None
    return out
