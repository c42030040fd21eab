"""Tell what a file is from its first bytes, never from its name.

Offenders rename files (``holiday.txt`` that is a JPEG), so the extension is not evidence.
A table of signatures decides; Pillow is asked only about what the table does not know.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

IMAGE = "image"
VIDEO = "video"
ARCHIVE = "archive"
OTHER = "other"
EMPTY = "empty"

# How many leading bytes the sniffers need; the reader keeps at least this much.
SNIFF_BYTES = 64


@dataclass(frozen=True)
class Signature:
    kind: str
    fmt: str
    offset: int
    magic: bytes
    # A second check for containers shared by several formats (RIFF, ISO BMFF).
    extra_offset: int = -1
    extra: bytes = b""

    def matches(self, head: bytes) -> bool:
        if head[self.offset : self.offset + len(self.magic)] != self.magic:
            return False
        if self.extra_offset >= 0:
            return head[self.extra_offset : self.extra_offset + len(self.extra)] == self.extra
        return True


SIGNATURES: tuple[Signature, ...] = (
    Signature(IMAGE, "jpeg", 0, b"\xff\xd8\xff"),
    Signature(IMAGE, "png", 0, b"\x89PNG\r\n\x1a\n"),
    Signature(IMAGE, "gif", 0, b"GIF87a"),
    Signature(IMAGE, "gif", 0, b"GIF89a"),
    Signature(IMAGE, "webp", 0, b"RIFF", 8, b"WEBP"),
    Signature(IMAGE, "bmp", 0, b"BM"),
    Signature(IMAGE, "tiff", 0, b"II*\x00"),
    Signature(IMAGE, "tiff", 0, b"MM\x00*"),
    # HEIC/AVIF are ISO BMFF like MP4; their brand decides.
    Signature(IMAGE, "heic", 4, b"ftypheic"),
    Signature(IMAGE, "avif", 4, b"ftypavif"),
    Signature(VIDEO, "avi", 0, b"RIFF", 8, b"AVI "),
    Signature(VIDEO, "mp4", 4, b"ftyp"),
    Signature(VIDEO, "mov", 4, b"moov"),
    Signature(VIDEO, "mov", 4, b"mdat"),
    Signature(VIDEO, "mov", 4, b"wide"),
    Signature(VIDEO, "mkv", 0, b"\x1a\x45\xdf\xa3"),
    Signature(VIDEO, "flv", 0, b"FLV\x01"),
    Signature(VIDEO, "asf", 0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"),
    Signature(VIDEO, "mpeg", 0, b"\x00\x00\x01\xba"),
    Signature(VIDEO, "mpeg", 0, b"\x00\x00\x01\xb3"),
    Signature(VIDEO, "ts", 0, b"\x47", 188, b"\x47"),
    Signature(ARCHIVE, "zip", 0, b"PK\x03\x04"),
    Signature(ARCHIVE, "zip", 0, b"PK\x05\x06"),
    Signature(ARCHIVE, "gzip", 0, b"\x1f\x8b"),
    Signature(ARCHIVE, "bzip2", 0, b"BZh"),
    Signature(ARCHIVE, "xz", 0, b"\xfd7zXZ\x00"),
    Signature(ARCHIVE, "tar", 257, b"ustar"),
)

# The longest signature reach decides how much of the head the sniffer needs.
SNIFF_BYTES = max(SNIFF_BYTES, max(s.offset + len(s.magic) for s in SIGNATURES), 189)


@dataclass(frozen=True)
class FileType:
    kind: str
    fmt: str

    def __str__(self) -> str:
        return self.kind


def sniff(head: bytes) -> FileType:
    """Classify a file from its first ``SNIFF_BYTES`` bytes (fewer for short files)."""
    if not head:
        return FileType(EMPTY, "")
    for sig in SIGNATURES:
        if sig.matches(head):
            return FileType(sig.kind, sig.fmt)
    return _ask_pillow(head)


def _ask_pillow(head: bytes) -> FileType:
    # Pillow's identify step only reads the header, so a truncated head is enough for the
    # formats it knows by header (ICO, PPM, TGA ...). Anything it rejects is "other".
    try:
        with Image.open(io.BytesIO(head)) as img:
            fmt = (img.format or "").upper()
    except Exception:
        return FileType(OTHER, "")
    # TGA and a few others have no magic number: Pillow accepts some plain text as TGA.
    if not fmt or fmt in _FORMATS_WITHOUT_MAGIC:
        return FileType(OTHER, "")
    return FileType(IMAGE, fmt.lower())


_FORMATS_WITHOUT_MAGIC = frozenset({"TGA", "MPEG", "SPIDER", "XBM", "PCD"})
