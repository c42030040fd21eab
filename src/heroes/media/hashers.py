"""Hash types: each one small class, registered here and nowhere else.

A hasher says which files it applies to, how list values of its type are normalised, and
how two values are compared (``exact``, ``hamming`` or ``vpdq``). The scanner, the list
importers and the index only go through this registry, so a licensed hash (PhotoDNA, say)
plugs in as one more class.
"""

from __future__ import annotations

import hashlib
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, ClassVar, Protocol

import numpy as np
import pdqhash  # type: ignore[import-untyped]
from PIL import Image

from heroes.media.filetype import IMAGE, VIDEO

# Meta's reference practice: PDQ hashes of quality below 50 are too flat to match on.
PDQ_MIN_QUALITY = 50
PDQ_BITS = 256

_HEX = re.compile(r"^[0-9a-f]+$")


class HashError(ValueError):
    """A file or a list value that cannot be hashed or parsed as this hash type."""


@dataclass
class Content:
    """What a content hasher may look at: decoded lazily, at most once per file."""

    kind: str
    fmt: str
    data: bytes | None  # the whole file for images (they are small); None for videos
    open: Callable[[], IO[bytes]]  # a fresh readable stream, for videos


@dataclass
class HashValue:
    hash_type: str
    value: str
    quality: int | None = None
    frames: list[VideoFrameHash] = field(default_factory=list)


@dataclass(frozen=True)
class VideoFrameHash:
    """One vPDQ feature: the PDQ of a frame sampled once a second."""

    pdq: str
    quality: int
    timestamp: float

    def __str__(self) -> str:
        # Same serialisation as python-threatexchange's VpdqCompactFeature.
        return f"{self.pdq},{self.quality},{self.timestamp:.3}"


class Digest(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


class Hasher(ABC):
    name: ClassVar[str]
    # "exact": equal values match; "hamming": bit distance; "vpdq": frame sets.
    match: ClassVar[str] = "exact"
    # File kinds this hasher applies to; empty means every file.
    kinds: ClassVar[frozenset[str]] = frozenset()

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    @abstractmethod
    def normalize(self, value: str) -> str:
        """Canonical text form of a list value; raises HashError if malformed."""


class StreamingHasher(Hasher):
    """Hashes the raw bytes while the file is read once."""

    digest_size: ClassVar[int]

    @abstractmethod
    def start(self) -> Digest: ...

    def normalize(self, value: str) -> str:
        v = value.strip().lower()
        if len(v) != self.digest_size * 2 or not _HEX.match(v):
            raise HashError(f"not a {self.name} hash: {value[:80]!r}")
        return v


class ContentHasher(Hasher):
    """Hashes the decoded picture(s), not the bytes."""

    @abstractmethod
    def hash_content(self, content: Content) -> HashValue: ...


HASHERS: dict[str, Hasher] = {}


def register(cls: type[Hasher]) -> type[Hasher]:
    HASHERS[cls.name] = cls()
    return cls


def get_hasher(name: str) -> Hasher:
    try:
        return HASHERS[name.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(HASHERS))
        raise HashError(f"unknown hash type {name!r} (known: {known})") from None


def streaming_hashers() -> list[StreamingHasher]:
    return [h for h in HASHERS.values() if isinstance(h, StreamingHasher)]


def content_hashers() -> list[ContentHasher]:
    return [h for h in HASHERS.values() if isinstance(h, ContentHasher)]


class _HashlibHasher(StreamingHasher):
    def start(self) -> Digest:
        return hashlib.new(self.name)


@register
class Md5Hasher(_HashlibHasher):
    name = "md5"
    digest_size = 16


@register
class Sha1Hasher(_HashlibHasher):
    name = "sha1"
    digest_size = 20


@register
class Sha256Hasher(_HashlibHasher):
    name = "sha256"
    digest_size = 32


def pdq_bits_to_hex(bits: np.ndarray) -> str:
    # Most significant bit first, lower-case: the form python-threatexchange writes.
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def normalize_pdq(value: str) -> str:
    v = value.strip().lower()
    if len(v) != PDQ_BITS // 4 or not _HEX.match(v):
        raise HashError(f"not a PDQ hash (64 hex digits): {value[:80]!r}")
    return v


def image_to_array(img: Image.Image) -> np.ndarray:
    """RGB uint8 array as pdqhash expects it."""
    if img.mode != "RGB":
        img = img.convert("RGB")
    return np.asarray(img)


def decode_image(data: bytes) -> Image.Image:
    # Full resolution, as python-threatexchange hashes: list hashes are made that way, and a
    # reduced decode (JPEG draft) would drift 3-5 bits from them for a ~2x speed-up.
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def pdq_of_image(img: Image.Image) -> tuple[str, int]:
    bits, quality = pdqhash.compute(image_to_array(img))
    return pdq_bits_to_hex(bits), int(quality)


def pdq_dihedral_of_image(img: Image.Image) -> tuple[list[str], int]:
    """The 8 rotations/flips of an image's PDQ, computed in one pass."""
    hashes, quality = pdqhash.compute_dihedral(image_to_array(img))
    return [pdq_bits_to_hex(h) for h in hashes], int(quality)


@register
class PdqHasher(ContentHasher):
    name = "pdq"
    match = "hamming"
    kinds = frozenset({IMAGE})

    def normalize(self, value: str) -> str:
        return normalize_pdq(value)

    def hash_content(self, content: Content) -> HashValue:
        if content.data is None:
            raise HashError("image bytes missing")
        try:
            img = decode_image(content.data)
        except Exception as exc:  # Pillow raises many types for broken files
            # Pillow's messages name an in-memory buffer by its address: give the kind of error instead.
            raise HashError(f"corrupt or unsupported image ({type(exc).__name__})") from exc
        value, quality = pdq_of_image(img)
        return HashValue(self.name, value, quality)


@register
class VpdqHasher(ContentHasher):
    name = "vpdq"
    match = "vpdq"
    kinds = frozenset({VIDEO})

    def normalize(self, value: str) -> str:
        from heroes.media.vpdq import format_frames, parse_frames

        return format_frames(parse_frames(value))

    def hash_content(self, content: Content) -> HashValue:
        from heroes.media.vpdq import format_frames, hash_video

        with content.open() as stream:
            frames = hash_video(stream)
        return HashValue(self.name, format_frames(frames), frames=frames)
