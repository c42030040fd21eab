import numpy as np
import pytest

from heroes.media.index import ExactIndex, FaissMultiHashIndex, PdqIndex, brute_force_search


def _flip(code: np.ndarray, bits: list[int]) -> np.ndarray:
    out = np.unpackbits(code.copy())
    out[bits] ^= 1
    return np.packbits(out)


@pytest.mark.parametrize("method", ["mih", "flat"])
def test_index_finds_exactly_what_brute_force_finds(method: str) -> None:
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 256, (5000, 32), dtype=np.uint8)
    queries = [
        codes[10],
        _flip(codes[20], list(range(0, 256, 9))),
        rng.integers(0, 256, 32, dtype=np.uint8),
    ]
    # Near neighbours planted at distances 5, 31 and 32 of the third query.
    planted = [_flip(queries[2], list(rng.choice(256, d, replace=False))) for d in (5, 31, 32)]
    codes = np.vstack([codes, planted])
    q = np.vstack(queries)
    index = PdqIndex(codes, method=method)
    assert index.method == method
    for threshold in (0, 31, 40, 70):
        got = [sorted(h) for h in index.search(q, threshold)]
        assert got == [sorted(h) for h in brute_force_search(codes, q, threshold)]
    third = dict(index.search(q, 31)[2])
    assert third == {5000: 5, 5001: 31}


def test_empty_index_answers_nothing() -> None:
    index = PdqIndex(np.zeros((0, 32), dtype=np.uint8))
    assert index.search(np.zeros((2, 32), dtype=np.uint8), 31) == [[], []]


def test_exact_index_duplicates_and_misses() -> None:
    values = ["00" * 16, "ff" * 16, "00" * 15 + "01", "ff" * 16]
    index = ExactIndex.from_hex(values, np.arange(4), 16)
    assert sorted(index.lookup("ff" * 16)) == [1, 3]
    assert index.lookup("00" * 16) == [0]
    assert index.lookup("ab" * 16) == []


def test_faiss_multihash_baseline_agrees() -> None:
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 256, (2000, 32), dtype=np.uint8)
    q = np.vstack([_flip(codes[5], list(range(20))), codes[7]])
    got = [sorted(h) for h in FaissMultiHashIndex(codes).search(q, 31)]
    assert got == [sorted(h) for h in brute_force_search(codes, q, 31)] == [[(5, 20)], [(7, 0)]]
