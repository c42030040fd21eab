"""Text and metadata extractors: one small class per format, registered in ``EXTRACTORS``.

``kinds`` are the content types (from detect.py) an extractor reads; ``extract`` returns the text
and a metadata dict, and raises nothing for a damaged file: it returns what it could read and a problem.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import mailbox
import re
import sqlite3
import struct
import tempfile
import zipfile
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

MAX_TEXT = 2_000_000  # characters kept per item


@dataclass
class Extracted:
    text: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # per page, for paged formats (not stored): OCR fills gaps


class Extractor(ABC):
    kinds: ClassVar[tuple[str, ...]]

    @abstractmethod
    def extract(self, data: bytes) -> Extracted: ...


EXTRACTORS: dict[str, Extractor] = {}


def register(cls: type[Extractor]) -> type[Extractor]:
    for kind in cls.kinds:
        if kind in EXTRACTORS:
            raise RuntimeError(f"two extractors for {kind!r}")
        EXTRACTORS[kind] = cls()
    return cls


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", "replace")


@register
class PlainText(Extractor):
    kinds = ("txt", "csv", "json", "log")

    def extract(self, data: bytes) -> Extracted:
        return Extracted(decode(data))


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        self._in_title = tag == "title"
        if tag == "a":
            href = dict(attrs).get("href")
            if href and href.startswith(("http", "mailto:")):
                self.parts.append(f" {href.removeprefix('mailto:')} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag in ("p", "div", "br", "li", "tr", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            self._in_title = False
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    parser = _HTMLText()
    parser.feed(html)
    return re.sub(r"[ \t]+", " ", "".join(parser.parts)).strip(), parser.title.strip()


@register
class Html(Extractor):
    kinds = ("html", "htm")

    def extract(self, data: bytes) -> Extracted:
        text, title = html_to_text(decode(data))
        return Extracted(text, {"title": title} if title else {})


@register
class Pdf(Extractor):
    kinds = ("pdf",)

    def extract(self, data: bytes) -> Extracted:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        out = Extracted()
        try:
            reader = PdfReader(io.BytesIO(data))
            info: dict[str, Any] = dict(reader.metadata or {})
            out.meta = {k.lstrip("/").lower(): str(v) for k, v in info.items() if isinstance(v, str | int | float)}
            out.meta["pages"] = len(reader.pages)
            out.pages = [page.extract_text() or "" for page in reader.pages]
            out.text = "\n".join(out.pages)
            blank = [n for n, page in enumerate(out.pages) if not page.strip()]
            if blank:
                out.meta["pages_without_text"] = len(blank)  # scanned pages: text only through --ocr
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            out.problems.append(f"pdf: {exc}")
        return out


_XML_TEXT = re.compile(r"<[^>]+>")


def _xml_text(xml: str, breaks: str) -> str:
    xml = re.sub(breaks, "\n", xml)
    return re.sub(r"[ \t]+", " ", _XML_TEXT.sub(" ", xml)).replace("&amp;", "&").replace("&lt;", "<").strip()


@register
class OfficeXml(Extractor):
    """DOCX/XLSX/PPTX and ODF: the text runs of the document's XML parts, plus core properties."""

    kinds = ("docx", "xlsx", "pptx", "odt", "ods", "odp")
    PARTS = re.compile(r"^(word/(document|header\d*|footer\d*)\.xml|xl/sharedStrings\.xml|xl/worksheets/sheet\d+\.xml"
                       r"|ppt/slides/slide\d+\.xml|content\.xml)$")  # fmt: skip

    def extract(self, data: bytes) -> Extracted:
        out = Extracted()
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            parts = []
            for name in sorted(archive.namelist(), key=_natural):
                if self.PARTS.match(name):
                    xml = archive.read(name).decode("utf-8", "replace")
                    parts.append(_xml_text(xml, r"</(w:p|a:p|text:p|text:h|row)>"))
            out.text = "\n".join(p for p in parts if p)
            for meta_part in ("docProps/core.xml", "meta.xml"):
                if meta_part in archive.namelist():
                    xml = archive.read(meta_part).decode("utf-8", "replace")
                    for key in ("creator", "lastModifiedBy", "created", "modified", "title", "initial-creator"):
                        found = re.search(rf"<[\w:]*{key}[^>]*>([^<]*)<", xml)
                        if found:
                            out.meta[key] = found.group(1)
        except (zipfile.BadZipFile, KeyError, OSError) as exc:
            out.problems.append(f"office: {exc}")
        return out


def _natural(name: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _message_text(msg: email.message.Message) -> tuple[str, dict[str, Any]]:
    meta: dict[str, Any] = {
        k.lower(): str(msg.get(k, "")) for k in ("From", "To", "Cc", "Subject", "Date") if msg.get(k)
    }
    bodies = []
    for part in msg.walk() if msg.is_multipart() else [msg]:
        ctype = part.get_content_type()
        if part.get_content_disposition() == "attachment":
            meta.setdefault("attachments", []).append(part.get_filename() or "")
            continue
        if ctype in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                body = payload.decode(part.get_content_charset() or "utf-8", "replace")
                bodies.append(html_to_text(body)[0] if ctype == "text/html" else body)
    header = "\n".join(f"{k}: {v}" for k, v in meta.items() if k != "attachments")
    return header + "\n\n" + "\n".join(bodies), meta


@register
class Eml(Extractor):
    kinds = ("eml", "msg822")

    def extract(self, data: bytes) -> Extracted:
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        text, meta = _message_text(msg)
        return Extracted(text, meta)


@register
class Mbox(Extractor):
    kinds = ("mbox",)

    def extract(self, data: bytes) -> Extracted:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "box"
            path.write_bytes(data)
            box = mailbox.mbox(path, create=False)
            texts, subjects = [], []
            for msg in box:
                text, meta = _message_text(msg)
                texts.append(text)
                subjects.append(meta.get("subject", ""))
            box.close()
        return Extracted("\n\n".join(texts), {"messages": len(texts), "subjects": subjects[:50]})


_RTF_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")


@register
class Rtf(Extractor):
    """RTF through striprtf; \\'xx escapes decoded in the document's own code page (\\ansicpgNNNN)."""

    kinds = ("rtf",)

    def extract(self, data: bytes) -> Extracted:
        from striprtf.striprtf import rtf_to_text

        found = _RTF_CODEPAGE.search(data[:4096])
        encoding = f"cp{found.group(1).decode()}" if found else "cp1252"
        try:
            "".encode(encoding)
        except LookupError:
            encoding = "cp1252"
        out = Extracted()
        try:
            text: str = rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")  # type: ignore[no-untyped-call]
            out.text = text.strip()
        except (ValueError, IndexError, RecursionError) as exc:
            out.problems.append(f"rtf: {exc}")
        return out


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def is_outlook_msg(data: bytes) -> bool:
    """An OLE compound file with the MAPI property stream of an Outlook item (not a .doc or .xls)."""
    if data[:8] != OLE_MAGIC:
        return False
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return bool(ole.exists("__properties_version1.0"))
    except (OSError, ValueError, IndexError):
        return False


def msg_errors() -> tuple[type[BaseException], ...]:
    from extract_msg.exceptions import ExMsgBaseException

    return (ExMsgBaseException, OSError, ValueError, KeyError, IndexError, AttributeError, TypeError, struct.error)


def open_msg(data: bytes) -> Any:
    import logging

    import extract_msg
    import olefile

    # olefile takes bytes shorter than its minimal file size for a *path*: never hand it such content
    if len(data) < olefile.MINIMAL_OLEFILE_SIZE or data[:8] != OLE_MAGIC:
        raise ValueError("not an OLE compound file")

    logging.getLogger("extract_msg").setLevel(logging.ERROR)  # its notes on odd properties are not ours
    return extract_msg.openMsg(data, strict=False, delayAttachments=False)


def msg_attachments(data: bytes) -> list[tuple[str, bytes]]:
    """(file name, content) of each attachment; an embedded message comes back as a .msg of its own."""
    from extract_msg.enums import AttachmentType

    msg = open_msg(data)
    out: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    try:
        for n, att in enumerate(getattr(msg, "attachments", [])):
            name = att.longFilename or att.shortFilename or getattr(att, "displayName", None) or f"attachment{n}"
            if att.type == AttachmentType.MSG or att.type == AttachmentType.SIGNED_EMBEDDED:
                content = att.data.exportBytes()
                name = name if name.lower().endswith(".msg") else f"{name}.msg"
            elif isinstance(att.data, bytes):
                content = att.data
            else:
                continue  # a link to the web, nothing stored
            name = name.replace("/", "_")
            while name in seen:
                name = f"_{name}"
            seen.add(name)
            out.append((name, content))
    finally:
        msg.close()
    return out


@register
class OutlookMsg(Extractor):
    """Outlook .msg (extract-msg): sender, recipients, subject, date and body. The attachments become
    child items (archives.OutlookAttachments), so each is typed, extracted and hashed on its own."""

    kinds = ("msg",)

    def extract(self, data: bytes) -> Extracted:
        out = Extracted()
        try:
            msg = open_msg(data)
        except msg_errors() as exc:
            out.problems.append(f"msg: {type(exc).__name__}: {exc}")
            return out
        try:
            meta: dict[str, Any] = {}
            for key, attr in (("from", "sender"), ("to", "to"), ("cc", "cc"), ("bcc", "bcc"), ("subject", "subject"),
                              ("message_id", "messageId")):  # fmt: skip
                value = getattr(msg, attr, None)
                if value:
                    meta[key] = str(value)
            when = getattr(msg, "date", None)
            if isinstance(when, datetime):
                meta["date"] = when.isoformat()
            names = [a.longFilename or a.shortFilename or "" for a in getattr(msg, "attachments", [])]
            if names:
                meta["attachments"] = names
            body = getattr(msg, "body", None) or ""
            if not body.strip() and getattr(msg, "htmlBody", None):
                body = html_to_text(decode(msg.htmlBody))[0]
            if not body.strip() and getattr(msg, "rtfBody", None):  # Outlook's compressed RTF only
                body = Rtf().extract(msg.rtfBody).text
            header = "\n".join(f"{k.capitalize()}: {v}" for k, v in meta.items() if k not in ("attachments",))
            out.text, out.meta = f"{header}\n\n{body}".strip(), meta
        except msg_errors() as exc:
            out.problems.append(f"msg: {type(exc).__name__}: {exc}")
        finally:
            msg.close()
        return out


@register
class Sqlite(Extractor):
    """Table names and the text columns' values (read from a private copy, never the evidence)."""

    kinds = ("sqlite",)
    MAX_ROWS = 20000

    def extract(self, data: bytes) -> Extracted:
        out = Extracted()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "copy.db"
            path.write_bytes(data)
            try:
                con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
                out.meta["tables"] = tables
                lines: list[str] = []
                for table in tables:
                    quoted = '"' + table.replace('"', '""') + '"'
                    rows = con.execute(f"SELECT * FROM {quoted} LIMIT {self.MAX_ROWS}")  # noqa: S608 - own copy
                    for row in rows:
                        values = [v for v in row if isinstance(v, str) and v.strip()]
                        if values:
                            lines.append(" | ".join(values))
                out.text = "\n".join(lines)
                con.close()
            except sqlite3.DatabaseError as exc:
                out.problems.append(f"sqlite: {exc}")
        return out


def _gps(value: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    out = d + m / 60 + s / 3600
    return -out if str(ref) in ("S", "W") else out


@register
class Image(Extractor):
    """EXIF: camera, dates and GPS position (Pillow). The picture itself is never shown or copied."""

    kinds = ("jpg", "jpeg", "png", "tif", "tiff", "webp", "heic", "gif")

    def extract(self, data: bytes) -> Extracted:
        from PIL import Image as PILImage
        from PIL import UnidentifiedImageError
        from PIL.ExifTags import GPSTAGS, TAGS

        out = Extracted()
        try:
            with PILImage.open(io.BytesIO(data)) as img:
                out.meta["width"], out.meta["height"] = img.size
                exif = img.getexif()
                for tag, value in exif.items():
                    name = TAGS.get(tag, str(tag))
                    if name in ("Make", "Model", "DateTime", "Software", "Artist"):
                        out.meta[name.lower()] = str(value).strip("\x00 ")
                sub = exif.get_ifd(0x8769)
                if 0x9003 in sub:
                    out.meta["datetimeoriginal"] = str(sub[0x9003])
                gps = {GPSTAGS.get(k, k): v for k, v in exif.get_ifd(0x8825).items()}
                if "GPSLatitude" in gps and "GPSLongitude" in gps:
                    lat = _gps(gps["GPSLatitude"], gps.get("GPSLatitudeRef"))
                    lon = _gps(gps["GPSLongitude"], gps.get("GPSLongitudeRef"))
                    if lat is not None and lon is not None:
                        out.meta["gps"] = {"lat": round(lat, 6), "lon": round(lon, 6)}
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            out.problems.append(f"image: {exc}")
        return out


def extract(kind: str, data: bytes) -> Extracted:
    extractor = EXTRACTORS.get(kind)
    if extractor is None:
        return Extracted()
    result = extractor.extract(data)
    result.text = result.text[:MAX_TEXT].replace("\x00", "")
    return result


def json_safe(meta: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(json.dumps(meta, default=str)))
