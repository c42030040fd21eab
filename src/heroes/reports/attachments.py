"""Checking an uploaded file by its content, and cleaning it before it is stored.

The file name and the browser's content type are ignored: the first bytes decide what a file is,
and only kinds we can check and clean are accepted. Images are decoded and re-encoded from their
pixels, which drops EXIF (with GPS), XMP, IPTC and comments; PDFs are rebuilt from their pages'
content with every image re-encoded (annotations, actions, scripts, embedded files, XMP, /PieceInfo
and the document information left behind); text must be UTF-8. Anything else is refused, with a
message that says what is accepted.

Each kind is one small class in `KINDS`; adding a kind is adding a class there.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from PIL import Image, ImageOps, UnidentifiedImageError

from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _

MAX_BYTES = 10 * 1024 * 1024  # per file
MAX_FILES = 5
MAX_PIXELS = 40_000_000  # about 7,300 x 5,500: larger is refused (and guards against pixel bombs)
MAX_PIXELS_PER_REPORT = 60_000_000  # all images of one submission together, checked before decoding any
MAX_PDF_PAGES = 200


class AttachmentRefused(HeroesError):
    """The file cannot be accepted; the message says why and what is accepted."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=400)


@dataclass(frozen=True)
class CleanFile:
    kind: str
    content_type: str
    extension: str
    data: bytes
    sha256: str  # of the cleaned bytes: what is stored
    original_sha256: str  # of the upload as received (for custody), never stored as file
    width: int | None = None
    height: int | None = None
    removed: list[str] = field(default_factory=list)  # metadata removed, for the explanation

    @property
    def size(self) -> int:
        return len(self.data)


class FileKind:
    name: ClassVar[str]
    content_type: ClassVar[str]
    extension: ClassVar[str]

    def sniff(self, head: bytes) -> bool:
        raise NotImplementedError

    def clean(self, data: bytes) -> tuple[bytes, dict[str, object]]:
        raise NotImplementedError


class _ImageKind(FileKind):
    pillow_format: ClassVar[str]
    save_as: ClassVar[str]

    def clean(self, data: bytes) -> tuple[bytes, dict[str, object]]:
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != self.pillow_format:
                    raise AttachmentRefused(_("The image content does not match its format."))
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise AttachmentRefused(_("This image is too large. Send a smaller photo or screenshot."))
                removed = sorted(k for k in probe.info if k in _METADATA_KEYS)
                if probe.getexif():
                    removed = sorted({*removed, "exif"})
                probe.load()
                image = ImageOps.exif_transpose(probe)  # keep the photo upright once EXIF is gone
        except AttachmentRefused:
            raise
        except (
            UnidentifiedImageError,
            OSError,
            ValueError,
            Image.DecompressionBombError,
        ) as exc:
            raise AttachmentRefused(_("This image is damaged or not what it claims to be.")) from exc
        # Rebuilt from pixels only: no info dict, no EXIF, no ICC profile, no text chunks.
        if image.mode in ("P", "PA"):
            image = image.convert("RGBA" if "transparency" in image.info or image.mode == "PA" else "RGB")
        pixels = Image.frombytes(image.mode, image.size, image.tobytes())
        out = io.BytesIO()
        self._save(pixels, out)
        return out.getvalue(), {
            "width": image.width,
            "height": image.height,
            "removed": removed,
        }

    def _save(self, image: Image.Image, out: io.BytesIO) -> None:
        image.save(out, format=self.save_as)


_METADATA_KEYS = frozenset(
    {
        "exif",
        "xmp",
        "XML:com.adobe.xmp",
        "icc_profile",
        "comment",
        "photoshop",
        "adobe",
        "iptc",
    }
)


class Jpeg(_ImageKind):
    name = "jpeg"
    content_type = "image/jpeg"
    extension = "jpg"
    pillow_format = "JPEG"
    save_as = "JPEG"

    def sniff(self, head: bytes) -> bool:
        return head.startswith(b"\xff\xd8\xff")

    def _save(self, image: Image.Image, out: io.BytesIO) -> None:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=90)


class Png(_ImageKind):
    name = "png"
    content_type = "image/png"
    extension = "png"
    pillow_format = "PNG"
    save_as = "PNG"

    def sniff(self, head: bytes) -> bool:
        return head.startswith(b"\x89PNG\r\n\x1a\n")


class Gif(_ImageKind):
    """Stored as a PNG of its first frame: animation is not evidence we need to keep."""

    name = "gif"
    content_type = "image/png"
    extension = "png"
    pillow_format = "GIF"
    save_as = "PNG"

    def sniff(self, head: bytes) -> bool:
        return head[:6] in (b"GIF87a", b"GIF89a")


class Webp(_ImageKind):
    name = "webp"
    content_type = "image/webp"
    extension = "webp"
    pillow_format = "WEBP"
    save_as = "WEBP"

    def sniff(self, head: bytes) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"

    def _save(self, image: Image.Image, out: io.BytesIO) -> None:
        image.save(out, format="WEBP", quality=90)


_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA|SubmitForm|GoToR|URI|OpenAction|AA)\b")
# What a rebuilt page keeps: how it looks, nothing that acts, calls out or names anyone.
_PAGE_KEYS = frozenset({"/Type", "/MediaBox", "/CropBox", "/Rotate", "/Resources", "/Contents", "/UserUnit"})
# Removed from every dictionary the pages reach (fonts, form XObjects, resources...).
_PDF_DROP = {
    "/AA": "actions",
    "/A": "actions",
    "/OpenAction": "actions",
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/EmbeddedFiles": "embedded files",
    "/EmbeddedFile": "embedded files",
    "/RichMedia": "embedded files",
    "/Annots": "annotations",
    "/Metadata": "xmp",
    "/PieceInfo": "piece info",
    "/LastModified": "piece info",
    "/StructParents": "structure",
    "/OPI": "external references",
}
_IMAGE_KEYS = frozenset(
    {"/Type", "/Subtype", "/Width", "/Height", "/ColorSpace", "/BitsPerComponent", "/Filter", "/Length"}
)


class Pdf(FileKind):
    """Rebuilt with pikepdf: a new document gets each page's look (contents, resources, size) and
    nothing else. Annotations, actions (open, page and link actions: /GoToR, /SubmitForm, /URI,
    /Launch), JavaScript, embedded files, forms, XMP, /PieceInfo and the document information are
    left behind; every image is decoded and re-encoded from its pixels, so EXIF (with GPS) and
    any other metadata inside it are gone too."""

    name = "pdf"
    content_type = "application/pdf"
    extension = "pdf"

    def sniff(self, head: bytes) -> bool:
        return head.startswith(b"%PDF-")

    def clean(self, data: bytes) -> tuple[bytes, dict[str, object]]:
        import pikepdf

        removed: set[str] = set()
        try:
            with pikepdf.open(io.BytesIO(data)) as source:
                if len(source.pages) > MAX_PDF_PAGES:
                    raise AttachmentRefused(_("PDF files may have at most %(pages)s pages.", pages=MAX_PDF_PAGES))
                if source.docinfo.keys():
                    removed.add("document information")
                for key in ("/Metadata", "/OpenAction", "/AA", "/Names", "/AcroForm", "/PieceInfo"):
                    if key in source.Root:
                        removed.add(_PDF_DROP.get(key, "forms and names"))
                rebuilt = pikepdf.new()
                seen: set[tuple[int, int]] = set()
                for page in source.pages:
                    for key in list(page.obj.keys()):
                        if key not in _PAGE_KEYS:
                            removed.add(_PDF_DROP.get(key, "page extras"))
                            del page.obj[key]
                    _scrub(page.obj, removed, seen, pikepdf)
                    rebuilt.pages.append(page)
                out = io.BytesIO()
                rebuilt.save(out, fix_metadata_version=False, deterministic_id=True)
        except pikepdf.PasswordError as exc:
            raise AttachmentRefused(_("Password-protected PDF files are not accepted.")) from exc
        except AttachmentRefused:
            raise
        except (pikepdf.PdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
            raise AttachmentRefused(_("This PDF is damaged and cannot be checked.")) from exc
        cleaned = out.getvalue()
        if _PDF_ACTIVE.search(cleaned):  # defence in depth: nothing active may survive the rebuild
            raise AttachmentRefused(_("PDF files with scripts or embedded files are not accepted."))
        return cleaned, {"removed": sorted(removed)}


def _scrub(obj: Any, removed: set[str], seen: set[tuple[int, int]], pikepdf: Any, depth: int = 0) -> None:
    """Walk everything a page reaches; drop what acts or identifies; re-encode each image."""
    if depth > 64:
        raise AttachmentRefused(_("This PDF is nested too deeply to be checked."))
    if isinstance(obj, pikepdf.Array):
        for item in obj:
            _scrub(item, removed, seen, pikepdf, depth + 1)
        return
    if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        return
    if obj.is_indirect:
        if obj.objgen in seen:
            return
        seen.add(obj.objgen)
    for key in list(obj.keys()):
        if (key in _PDF_DROP and key not in ("/Metadata",)) or key == "/Metadata":
            removed.add(_PDF_DROP[key])
            del obj[key]
    if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
        _reencode_image(obj, removed, pikepdf)
        return
    for key in list(obj.keys()):
        if key != "/Parent":
            _scrub(obj[key], removed, seen, pikepdf, depth + 1)


def _reencode_image(stream: Any, removed: set[str], pikepdf: Any) -> None:
    width, height = int(stream.get("/Width", 0)), int(stream.get("/Height", 0))
    if width * height > MAX_PIXELS:  # checked on the declared size, before decoding a pixel
        raise AttachmentRefused(_("This image is too large. Send a smaller photo or screenshot."))
    image = pikepdf.PdfImage(stream).as_pil_image()
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    pixels = Image.frombytes(image.mode, image.size, image.tobytes())  # nothing but pixels
    out = io.BytesIO()
    pixels.save(out, format="JPEG", quality=90)
    for key in list(stream.keys()):
        if key not in _IMAGE_KEYS:
            del stream[key]  # masks, decode arrays, ICC, private data: gone with the old encoding
    stream.write(out.getvalue(), filter=pikepdf.Name.DCTDecode)
    stream.ColorSpace = pikepdf.Name.DeviceRGB if pixels.mode == "RGB" else pikepdf.Name.DeviceGray
    stream.BitsPerComponent = 8
    stream.Width, stream.Height = pixels.size
    removed.add("image metadata")


class Text(FileKind):
    name = "text"
    content_type = "text/plain; charset=utf-8"
    extension = "txt"

    def sniff(self, head: bytes) -> bool:
        if b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            return exc.start >= len(head) - 3  # a multi-byte character cut by the sniff window
        return True

    def clean(self, data: bytes) -> tuple[bytes, dict[str, object]]:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AttachmentRefused(_("Text files must be UTF-8.")) from exc
        if "\x00" in text:
            raise AttachmentRefused(_("This is not a text file."))
        return text.encode("utf-8"), {"removed": []}


KINDS: tuple[FileKind, ...] = (Jpeg(), Png(), Gif(), Webp(), Pdf(), Text())
ACCEPTED = "JPEG, PNG, GIF, WebP, PDF, plain text"
SNIFF_BYTES = 512


def detect_kind(data: bytes) -> FileKind | None:
    head = data[:SNIFF_BYTES]
    return next((kind for kind in KINDS if kind.sniff(head)), None)


def check_attachment(data: bytes, max_bytes: int = MAX_BYTES) -> CleanFile:
    """Accept and clean one uploaded file, or raise AttachmentRefused saying why."""
    if not data:
        raise AttachmentRefused(_("The file is empty."))
    if len(data) > max_bytes:
        raise AttachmentRefused(_("Files may be at most %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    kind = detect_kind(data)
    if kind is None:
        raise AttachmentRefused(_("This type of file is not accepted. Accepted: %(kinds)s.", kinds=ACCEPTED))
    cleaned, info = kind.clean(data)
    width = info.get("width")
    height = info.get("height")
    removed = info.get("removed") or []
    return CleanFile(
        kind=kind.name,
        content_type=kind.content_type,
        extension=kind.extension,
        data=cleaned,
        sha256=hashlib.sha256(cleaned).hexdigest(),
        original_sha256=hashlib.sha256(data).hexdigest(),
        width=width if isinstance(width, int) else None,
        height=height if isinstance(height, int) else None,
        removed=[str(item) for item in removed] if isinstance(removed, list) else [],
    )


def declared_pixels(data: bytes) -> int:
    """The pixel count an image file declares in its header (nothing is decoded); 0 if not an image."""
    kind = detect_kind(data)
    if not isinstance(kind, _ImageKind):
        return 0
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return 0  # refused, with its reason, when it is checked
    return int(width) * int(height)


def check_pixel_budget(files: list[bytes]) -> None:
    """Refuse a set of images whose pixels together would take too much memory to decode."""
    if sum(declared_pixels(data) for data in files) > MAX_PIXELS_PER_REPORT:
        raise AttachmentRefused(
            _("These pictures are too large together. Send fewer or smaller photos or screenshots.")
        )


def safe_filename(name: str | None, extension: str) -> str:
    """A display name: the stem the reporter gave (letters, digits, - and _) and our extension."""
    stem = re.sub(r"[^\w-]+", "_", (name or "").rsplit(".", 1)[0]).strip("_")[:60] or "attachment"
    return f"{stem}.{extension}"
