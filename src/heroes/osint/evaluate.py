"""Pairwise precision, recall and F1 of a clustering against reference groups, and a text baseline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer


def _pairs(counts: Counter[object]) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    f1: float
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int


def pairwise(predicted: Sequence[str], truth: Sequence[str]) -> PairScores:
    """Every pair of items is same-cluster or not; scores over the pairs, without listing them."""
    correct = _pairs(Counter(zip(predicted, truth, strict=True)))
    pred = _pairs(Counter(predicted))
    true = _pairs(Counter(truth))
    p = correct / pred if pred else 1.0
    r = correct / true if true else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PairScores(p, r, f, pred, true, correct)


def tfidf_components(texts: Sequence[str], threshold: float = 0.7) -> list[str]:
    """Baseline: TF-IDF (word 1-2 grams) cosine at or above ``threshold`` links; clusters are components."""
    matrix = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True).fit_transform(texts)
    similar = (matrix @ matrix.T).tocsr()
    similar.data = (similar.data >= threshold).astype(np.int8)
    similar.eliminate_zeros()
    _, labels = connected_components(similar, directed=False)
    return [f"b{label}" for label in labels]
