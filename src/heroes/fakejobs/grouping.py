"""Near-duplicate template groups, so that cross-validation never puts copies of one scam
template on both sides of a split (which would measure memory, not generalisation)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from heroes.fakejobs.text import normalise, words


def shingles(text: str, size: int = 5) -> set[int]:
    tokens = words(normalise(text))
    if len(tokens) < size:
        return {zlib.crc32(" ".join(tokens).encode())}
    return {zlib.crc32(" ".join(tokens[i : i + size]).encode()) for i in range(len(tokens) - size + 1)}


def template_groups(
    texts: Sequence[str],
    jaccard: float = 0.5,
    containment: float = 0.8,
    size: int = 5,
    prefix_words: int = 12,
) -> np.ndarray:
    """Group id per text: texts are linked when their word 5-gram sets overlap by `jaccard`, or
    when one is mostly contained in the other (a template with a paragraph added); groups are the
    connected components of those links. Texts opening with the same `prefix_words` words
    are linked too."""
    sets = [shingles(t, size) for t in texts]
    vocabulary: dict[int, int] = {}
    rows, cols = [], []
    for r, s in enumerate(sets):
        for h in s:
            rows.append(r)
            cols.append(vocabulary.setdefault(h, len(vocabulary)))
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), len(vocabulary)))
    overlap = (m @ m.T).tocoo()
    sizes = np.array([len(s) for s in sets], dtype=np.float64)
    i, j, inter = overlap.row, overlap.col, overlap.data
    union = sizes[i] + sizes[j] - inter
    smaller = np.minimum(sizes[i], sizes[j])
    linked = (inter / union >= jaccard) | ((inter / smaller >= containment) & (smaller >= 10))
    graph = sp.csr_matrix((np.ones(int(linked.sum())), (i[linked], j[linked])), shape=(len(texts), len(texts)))
    # Same opening words: one template re-posted with another city or pay.
    prefixes: dict[str, int] = {}
    extra_i, extra_j = [], []
    for r, t in enumerate(texts):
        key = " ".join(words(normalise(t))[:prefix_words])
        first = prefixes.setdefault(key, r)
        if first != r and len(key.split()) >= prefix_words:
            extra_i.append(first)
            extra_j.append(r)
    graph = graph + sp.csr_matrix((np.ones(len(extra_i)), (extra_i, extra_j)), shape=graph.shape)
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels)
