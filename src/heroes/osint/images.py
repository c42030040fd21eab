"""Photos of ads as PDQ hashes, through the media tool's public hasher registry: a re-posted photo
links ads even when it was resized or re-encoded. Only the hash is kept; the picture is not."""

from __future__ import annotations

import io
from pathlib import Path

MIN_QUALITY = 50  # PDQ's own advice: below this the picture is too flat to compare


def _pdq() -> object:
    from heroes.media import hashers

    return hashers.get_hasher("pdq")


def pdq_of_bytes(data: bytes) -> str | None:
    """The PDQ hash of a picture, or None when it is unreadable or too flat to compare."""
    from heroes.media.hashers import Content, ContentHasher, HashError

    hasher = _pdq()
    assert isinstance(hasher, ContentHasher)
    try:
        value = hasher.hash_content(Content("image", "", data, lambda: io.BytesIO(data)))
    except HashError:
        return None
    return value.value if (value.quality or 0) >= MIN_QUALITY else None


def pdq_of_file(path: Path) -> str | None:
    try:
        return pdq_of_bytes(path.read_bytes())
    except OSError:
        return None


def normalize_pdq(value: str) -> str | None:
    from heroes.media.hashers import HashError

    hasher = _pdq()
    try:
        return hasher.normalize(value)  # type: ignore[attr-defined, no-any-return]
    except HashError:
        return None
