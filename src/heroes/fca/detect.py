"""File type by content (puremagic), with an "extension does not match content" flag."""

from __future__ import annotations

from pathlib import PurePosixPath

import puremagic

from heroes.fca.extractors import is_outlook_msg

# Extensions that are the same family as the detected one (a .docx is a zip, a .txt has no magic).
EQUIVALENT = {
    "zip": {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "jar", "apk", "epub"},
    "jpg": {"jpg", "jpeg", "jpe", "jfif"},
    "tif": {"tif", "tiff"},
    "htm": {"htm", "html"},
    "html": {"htm", "html"},
    "sqlite": {"sqlite", "db", "sqlite3", "sqlitedb"},
    "gz": {"gz", "tgz"},
    "mbox": {"mbox", "mbx"},
    "msg": {"msg", "oft"},
    "7z": {"7z"},
}
CANONICAL = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/tiff": "tif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/gzip": "gz",
    "application/x-gzip": "gz",
}
TEXT_EXTENSIONS = {"txt", "csv", "json", "log", "md", "xml", "html", "htm", "eml", "mbox", "tsv", "ini", "cfg", "yaml"}


def text_kind(data: bytes) -> str | None:
    head = data[:4096]
    if not head or b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover
            return None
    stripped = text.lstrip().lower()
    if stripped.startswith(("<!doctype html", "<html")):
        return "html"
    if stripped.startswith("from ") and "\n" in stripped and stripped.split("\n", 1)[0].count(" ") >= 2:
        return "mbox"
    if any(stripped.startswith(h) for h in ("received:", "return-path:", "message-id:", "mime-version:")) or (
        "\nsubject:" in stripped and ("\nfrom:" in stripped or stripped.startswith("from:"))
    ):
        return "eml"
    if stripped.startswith(("{", "[")):
        return "json"
    return "txt"


def detect(name: str, data: bytes) -> tuple[str, str, bool]:
    """(extension the content says, MIME type, extension mismatch)."""
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    kind, mime = "", ""
    if data[:16] == b"SQLite format 3\x00":
        kind, mime = "sqlite", "application/vnd.sqlite3"
    elif data[:5] == b"{\\rtf":
        kind, mime = "rtf", "application/rtf"
    elif is_outlook_msg(data):
        kind, mime = "msg", "application/vnd.ms-outlook"
    elif data[:4] == b"PK\x03\x04":
        kind, mime = _zip_kind(data)
    else:
        try:
            found = puremagic.magic_string(data[:8192])
        except (puremagic.PureError, ValueError):
            found = []
        # Text has no signature: a weak magic hit at the start of a text file ("This is " = GNU info)
        # must not beat the text itself.
        if found and not (text_kind(data) and found[0].confidence < 0.9):
            best = found[0]
            mime = best.mime_type or ""
            kind = CANONICAL.get(mime, best.extension.lstrip(".").lower())
            # Every extension the equally likely readings allow (.jpg, .jpeg, .jfif for a JPEG).
            alike = {f.extension.lstrip(".").lower() for f in found if f.confidence >= best.confidence}
            allowed = EQUIVALENT.get(kind, {kind}) | alike
            return kind, mime, bool(ext) and ext not in allowed
    if not kind:
        text = text_kind(data)
        if text:
            kind, mime = text, {"html": "text/html", "json": "application/json", "eml": "message/rfc822",
                                "mbox": "application/mbox"}.get(text, "text/plain")  # fmt: skip
            # Plain text has no signature: any text extension fits it.
            return kind, mime, bool(ext) and ext not in TEXT_EXTENSIONS and ext not in {kind}
        return "bin", "application/octet-stream", False
    allowed = EQUIVALENT.get(kind, {kind})
    mismatch = bool(ext) and ext not in allowed and kind != "bin"
    return kind, mime, mismatch


def _zip_kind(data: bytes) -> tuple[str, str]:
    head = data[:4000]
    if b"mimetypeapplication/vnd.oasis.opendocument.text" in head:
        return "odt", "application/vnd.oasis.opendocument.text"
    if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head:
        return "ods", "application/vnd.oasis.opendocument.spreadsheet"
    if b"mimetypeapplication/vnd.oasis.opendocument.presentation" in head:
        return "odp", "application/vnd.oasis.opendocument.presentation"
    import io
    import zipfile

    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError):
        return "zip", "application/zip"
    if "word/document.xml" in names:
        return "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "xl/workbook.xml" in names:
        return "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if "ppt/presentation.xml" in names:
        return "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    return "zip", "application/zip"
