"""TF-IDF features over words and character n-grams, written in numpy so that a saved model is
plain arrays (no pickle) and ten thousand ads are vectorised in a few seconds on one core.

Words (unigrams and bigrams) use an explicit vocabulary, which keeps them explainable: the
classifier's strongest terms are read back from it. Character n-grams are hashed into a fixed
number of buckets with a vectorised rolling hash over the whole batch at once; they catch spelling,
morphology and formatting habits that word features miss.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import pairwise

import numpy as np
import scipy.sparse as sp

from heroes.fakejobs.text import words

_MIX = np.uint64(0x9E3779B97F4A7C15)
_BASE = np.uint64(1_000_003)


def word_terms(tokens: list[str]) -> list[str]:
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def _sublinear_l2(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """(1 + log tf) * idf, each row scaled to unit length; done on the CSR arrays directly, which
    is several times faster than scipy's diagonal products."""
    counts = counts.tocsr()
    counts.sum_duplicates()
    data = (1.0 + np.log(counts.data.astype(np.float32))) * idf[counts.indices].astype(np.float32)
    row_lengths = np.diff(counts.indptr)
    squares = np.zeros(counts.shape[0], dtype=np.float64)
    filled = row_lengths > 0
    if filled.any():
        squares[filled] = np.add.reduceat((data * data).astype(np.float64), counts.indptr[:-1][filled])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    data /= np.repeat(norms, row_lengths).astype(np.float32)
    return sp.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)


def _smooth_idf(document_frequency: np.ndarray, n_documents: int) -> np.ndarray:
    return (np.log((1.0 + n_documents) / (1.0 + document_frequency)) + 1.0).astype(np.float32)


class WordTfidf:
    """Unigram + bigram TF-IDF with a vocabulary of terms seen in at least `min_df` documents."""

    def __init__(self, min_df: int = 2, max_terms: int = 200_000) -> None:
        self.min_df = min_df
        self.max_terms = max_terms
        self.terms: np.ndarray = np.array([], dtype=str)
        self.idf: np.ndarray = np.array([], dtype=np.float32)
        self._index: dict[str, int] = {}

    def fit(self, documents: Sequence[str]) -> WordTfidf:
        df: Counter[str] = Counter()
        for doc in documents:
            df.update(set(word_terms(words(doc))))
        kept = [(t, n) for t, n in df.items() if n >= self.min_df]
        kept.sort(key=lambda item: (-item[1], item[0]))
        kept = sorted(kept[: self.max_terms])
        self.terms = np.array([t for t, _ in kept], dtype=str)
        self.idf = _smooth_idf(np.array([n for _, n in kept], dtype=np.float64), len(documents))
        self._index = {t: i for i, t in enumerate(self.terms.tolist())}
        return self

    def set_state(self, terms: np.ndarray, idf: np.ndarray) -> WordTfidf:
        self.terms, self.idf = terms, idf
        self._index = {t: i for i, t in enumerate(terms.tolist())}
        return self

    def transform(self, documents: Sequence[str]) -> sp.csr_matrix:
        index = self._index
        indptr = [0]
        indices: list[int] = []
        for doc in documents:
            indices.extend(c for c in map(index.get, word_terms(words(doc))) if c is not None)
            indptr.append(len(indices))
        counts = sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), np.array(indices, dtype=np.int64), indptr),
            shape=(len(documents), len(self.terms)),
        )
        return _sublinear_l2(counts, self.idf)


def char_ngram_buckets(
    documents: Sequence[str], n_values: Sequence[int], n_buckets: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row, bucket) of every character n-gram of every document, computed for the whole batch
    with array operations; n-grams never cross a document boundary."""
    lengths = np.fromiter((len(d) for d in documents), dtype=np.int64, count=len(documents))
    if lengths.sum() == 0 or not n_values:
        empty = np.array([], dtype=np.int64)
        return empty, empty
    codes = np.frombuffer("".join(documents).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    ends = np.cumsum(lengths)
    row_of = np.repeat(np.arange(len(documents), dtype=np.int64), lengths)
    room = ends[row_of] - np.arange(codes.size, dtype=np.int64)  # characters left in the document
    rows, buckets = [], []
    for n in n_values:
        count = codes.size - n + 1
        if count <= 0:
            continue
        # Contiguous slices instead of gathers: the same hash, several times faster.
        h = np.full(count, np.uint64(n), dtype=np.uint64)
        for k in range(n):
            h *= _BASE
            h += codes[k : k + count]  # wraps modulo 2**64 on purpose
        h ^= h >> np.uint64(29)
        h *= _MIX
        h ^= h >> np.uint64(32)
        valid = room[:count] >= n
        rows.append(row_of[:count][valid])
        buckets.append((h[valid] % np.uint64(n_buckets)).astype(np.int64))
    if not rows:
        empty = np.array([], dtype=np.int64)
        return empty, empty
    return np.concatenate(rows), np.concatenate(buckets)


class CharTfidf:
    """Hashed character n-gram TF-IDF (n in `n_values`, `n_buckets` columns)."""

    def __init__(self, n_values: Sequence[int] = (3, 4, 5), n_buckets: int = 2**19) -> None:
        self.n_values = tuple(n_values)
        self.n_buckets = n_buckets
        self.idf: np.ndarray = np.ones(n_buckets, dtype=np.float32)

    def _chunks(self, documents: Sequence[str], chunk: int = 500) -> Iterator[sp.csr_matrix]:
        # Chunks bound the memory of the position arrays on large batches.
        for start in range(0, len(documents), chunk):
            part = documents[start : start + chunk]
            rows, buckets = char_ngram_buckets(part, self.n_values, self.n_buckets)
            yield sp.csr_matrix(
                (np.ones(rows.size, dtype=np.float32), (rows, buckets)),
                shape=(len(part), self.n_buckets),
            )

    def fit(self, documents: Sequence[str]) -> CharTfidf:
        df = np.zeros(self.n_buckets, dtype=np.int64)
        for counts in self._chunks(documents):
            counts.sum_duplicates()
            df += np.bincount(counts.indices, minlength=self.n_buckets)
        self.idf = _smooth_idf(df.astype(np.float64), len(documents))
        return self

    def transform(self, documents: Sequence[str]) -> sp.csr_matrix:
        parts = [_sublinear_l2(counts, self.idf) for counts in self._chunks(documents)]
        if not parts:
            return sp.csr_matrix((0, self.n_buckets), dtype=np.float32)
        return sp.vstack(parts, format="csr")


class FeatureSpace:
    """Words and character n-grams side by side; `char_weight` scales the character block."""

    def __init__(self, word: WordTfidf, char: CharTfidf, char_weight: float = 1.0) -> None:
        self.word = word
        self.char = char
        self.char_weight = char_weight

    def fit(self, documents: Sequence[str]) -> FeatureSpace:
        self.word.fit(documents)
        self.char.fit(documents)
        return self

    def transform(self, documents: Sequence[str]) -> sp.csr_matrix:
        blocks = [self.word.transform(documents), self.char.transform(documents) * self.char_weight]
        return sp.hstack(blocks, format="csr", dtype=np.float32)
