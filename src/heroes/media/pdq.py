"""PDQ, Meta's perceptual hash of pictures: the hasher, and its index (Hamming distance).

A file matches a list hash when their 256 bits differ in at most ``distance`` bits and the file's
hash has quality ``min_quality`` or more (flatter pictures hash alike whatever they show).
"""

from __future__ import annotations

import contextlib
import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pdqhash  # type: ignore[import-untyped]
from PIL import Image

from heroes.media.filetype import IMAGE
from heroes.media.hashers import _HEX, Content, ContentHasher, HashError, HashValue, register
from heroes.media.index import PDQ_BYTES, Hit, MatchSettings, PdqIndex, Query, TypeIndex, hex_to_codes

PDQ_BITS = 256


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


class HammingIndex(TypeIndex):
    """Hashes within ``settings.distance`` bits; each file's hash and its variants, all files of a
    batch in one index query."""

    def __init__(self, hash_type: str, index: PdqIndex, rows: np.ndarray) -> None:
        self.hash_type = hash_type
        self.index = index
        self.rows = rows

    def __len__(self) -> int:
        return len(self.index)

    def search(self, queries: Sequence[Query], settings: MatchSettings) -> list[list[Hit]]:
        out: list[list[Hit]] = [[] for _ in queries]
        if not len(self.index):
            return out
        values: list[str] = []
        owner: list[int] = []
        for i, query in enumerate(queries):
            hv = query.hashes.get(self.hash_type)
            if hv is None or (hv.quality or 0) < settings.min_quality:
                continue
            for value in dict.fromkeys([hv.value, *hv.variants, *query.variants]):
                values.append(value)
                owner.append(i)
        if not values:
            return out
        best: dict[int, dict[int, int]] = defaultdict(dict)
        found = self.index.search(hex_to_codes(values, PDQ_BYTES), settings.distance)
        for i, hits in zip(owner, found, strict=True):
            for at, d in hits:
                best[i][at] = min(d, best[i].get(at, 10**6))
        for i, nearest in best.items():
            for at, d in sorted(nearest.items(), key=lambda kv: kv[1]):
                out[i].append(Hit(int(self.rows[at]), self.index.codes[at].tobytes().hex(), int(d)))
        return out

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        return {"codes": self.index.codes, "rows": self.rows}, {}


@register
class PdqHasher(ContentHasher):
    name = "pdq"
    perceptual = True
    kinds = frozenset({IMAGE})

    def normalize(self, value: str) -> str:
        return normalize_pdq(value)

    def hash_content(self, content: Content, variants: bool = False) -> HashValue:
        if content.data is None:
            raise HashError("image bytes missing")
        try:
            img = decode_image(content.data)
        except Exception as exc:  # Pillow raises many types for broken files
            # Pillow's messages name an in-memory buffer by its address: give the kind of error instead.
            raise HashError(f"corrupt or unsupported image ({type(exc).__name__})") from exc
        value, quality = pdq_of_image(img)
        result = HashValue(self.name, value, quality)
        if variants:
            with contextlib.suppress(Exception):  # the plain hash stands; rotations are a bonus
                result.variants = pdq_dihedral_of_image(img)[0][1:]
        return result

    def build_index(self, values: Sequence[str], rows: np.ndarray, settings: MatchSettings) -> TypeIndex:
        return HammingIndex(self.name, PdqIndex(hex_to_codes(list(values), PDQ_BYTES)), np.asarray(rows, np.int64))

    def load_index(self, arrays: Mapping[str, np.ndarray], meta: Mapping[str, object]) -> TypeIndex:
        return HammingIndex(self.name, PdqIndex(arrays["codes"]), arrays["rows"])
