"""Hash types: each one small class, registered once.

A hasher says which files it applies to, how list values of its type are normalised, and owns
the index of its type and the rule two values match by (``build_index``: exact equality for byte
hashes, Hamming distance for PDQ, frame sets for vPDQ). The scanner, the list importers and the
matcher only go through this registry, so a licensed hash (PhotoDNA, say) plugs in as one class.

The byte hashes live here; PDQ (``media/pdq.py``) and vPDQ (``media/vpdq.py``) are registered
when the registry is first read, so this module imports neither.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, ClassVar, Protocol

import numpy as np

if TYPE_CHECKING:
    from heroes.media.index import MatchSettings, TypeIndex

# Meta's reference practice: PDQ hashes of quality below 50 are too flat to match on.
PDQ_MIN_QUALITY = 50
# Modules whose hashers are registered on first use of the registry (perceptual hashes need
# Pillow, pdqhash and PyAV: a list import or an exact-only scan does not pay for them up front).
BUILTIN_MODULES = ("heroes.media.pdq", "heroes.media.vpdq")

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
    variants: list[str] = field(default_factory=list)  # other forms to search too (rotations, flips)


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
    # Near matches (a distance above 0 means "looks like"), not the very same bytes.
    perceptual: ClassVar[bool] = False
    # File kinds this hasher applies to; empty means every file.
    kinds: ClassVar[frozenset[str]] = frozenset()

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    @abstractmethod
    def normalize(self, value: str) -> str:
        """Canonical text form of a list value; raises HashError if malformed."""

    @abstractmethod
    def build_index(self, values: Sequence[str], rows: np.ndarray, settings: MatchSettings) -> TypeIndex:
        """The index of this type over list values (normalised), ``rows[i]`` being value i's entry row."""

    @abstractmethod
    def load_index(self, arrays: Mapping[str, np.ndarray], meta: Mapping[str, object]) -> TypeIndex:
        """An index saved by ``TypeIndex.to_arrays``."""


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

    def build_index(self, values: Sequence[str], rows: np.ndarray, settings: MatchSettings) -> TypeIndex:
        from heroes.media.index import ExactTypeIndex

        return ExactTypeIndex.build(values, rows, self.digest_size, self.name)

    def load_index(self, arrays: Mapping[str, np.ndarray], meta: Mapping[str, object]) -> TypeIndex:
        from heroes.media.index import ExactTypeIndex

        return ExactTypeIndex.from_arrays(arrays, meta, self.name)


class ContentHasher(Hasher):
    """Hashes the decoded picture(s), not the bytes."""

    @abstractmethod
    def hash_content(self, content: Content, variants: bool = False) -> HashValue:
        """``variants``: also the forms that find a rotated or mirrored copy, where the type has them."""


class DuplicateHasher(RuntimeError):
    """Two hashers registered under one name: the second would silently replace the first."""


class HasherRegistry(Mapping[str, Hasher]):
    """Name -> hasher, in registration order; the built-in perceptual hashers load on first read."""

    def __init__(self) -> None:
        self._hashers: dict[str, Hasher] = {}
        self._loaded = False

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for module in BUILTIN_MODULES:
                importlib.import_module(module)

    def add(self, hasher: Hasher) -> None:
        if hasher.name in self._hashers:
            raise DuplicateHasher(f"A hasher named {hasher.name!r} is already registered.")
        self._hashers[hasher.name] = hasher

    def remove(self, name: str) -> None:
        self._hashers.pop(name, None)

    def __getitem__(self, name: str) -> Hasher:
        self._load()
        return self._hashers[name]

    def __iter__(self) -> Iterator[str]:
        self._load()
        return iter(list(self._hashers))

    def __len__(self) -> int:
        self._load()
        return len(self._hashers)


HASHERS = HasherRegistry()


def register(cls: type[Hasher]) -> type[Hasher]:
    HASHERS.add(cls())
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
