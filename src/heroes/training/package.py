"""Import and export a course as a zip archive of its folder (course.yaml and <lang>/<module>.md files)."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from heroes.core.errors import HeroesError

from .content import PACKAGE_CONTENT, ContentError, get_content, reset, validate_folder
from .settings import imported_content_dir

MAX_ARCHIVE_BYTES = 5_000_000
ALLOWED_SUFFIXES = (".yaml", ".md")


def export_course(course_id: str) -> bytes:
    course = get_content().course(course_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(course.folder.rglob("*")):
            if path.is_file() and path.suffix in ALLOWED_SUFFIXES:
                archive.write(path, f"{course.id}/{path.relative_to(course.folder).as_posix()}")
    return buffer.getvalue()


def import_course(data: bytes, replace: bool = False) -> str:
    """Check an archive's course against the shipped sources, then install it beside the database."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise HeroesError("The archive is larger than 5 MB; a course is text only.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise HeroesError("Not a zip archive.") from None
    names = [n for n in archive.namelist() if not n.endswith("/")]
    roots = {PurePosixPath(n).parts[0] for n in names}
    if len(roots) != 1:
        raise HeroesError("The archive must hold exactly one course folder.")
    course_id = roots.pop()
    for name in names:
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or PurePosixPath(name).suffix not in ALLOWED_SUFFIXES:
            raise HeroesError(
                f"Unexpected file in the archive: {name!r} (only .yaml and .md inside the course folder)."
            )
    if (PACKAGE_CONTENT / course_id).is_dir() and not replace:
        raise HeroesError(f"A shipped course is named {course_id!r}; pass --replace to override it.")
    target = imported_content_dir() / course_id
    if target.exists() and not replace:
        raise HeroesError(f"The course {course_id!r} is already imported; pass --replace to update it.")
    with tempfile.TemporaryDirectory() as tmp:
        archive.extractall(tmp, members=names)
        folder = Path(tmp) / course_id
        problems = validate_folder(folder)
        if problems:
            raise ContentError(problems)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(folder, target)
    reset()
    return course_id
