"""Helpers shared by the grooming benchmarks: data, featurisation, the plain baseline."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from heroes.grooming.corpus import DEFAULT_DATA_DIR, Corpus, load_corpus
from heroes.grooming.cues import default_cues
from heroes.grooming.features import Featurizer
from heroes.grooming.training import Featurised, featurise

SEED = 13
FOLDS = 5
T0 = time.time()


def log(msg: str) -> None:
    print(f"[{time.time() - T0:6.0f}s] {msg}", file=sys.stderr, flush=True)


def corpus_or_exit() -> Corpus:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA_DIR
    try:
        return load_corpus(root)
    except FileNotFoundError:
        print(f"no data in {root}: nothing to measure")
        raise SystemExit(0) from None


def featurised(corpus: Corpus) -> list[Featurised]:
    return featurise(corpus.streams, Featurizer(), default_cues(), log)


def baseline() -> tuple[TfidfVectorizer, LogisticRegression]:
    """The plain reference: word 1-2 gram TF-IDF and logistic regression, default settings."""
    return (
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(class_weight="balanced", max_iter=2000),
    )


def f_beta(y: np.ndarray, pred: np.ndarray, beta: float) -> float:
    tp = float(((pred == 1) & (y == 1)).sum())
    fp = float(((pred == 1) & (y == 0)).sum())
    fn = float(((pred == 0) & (y == 1)).sum())
    if tp == 0:
        return 0.0
    p, r = tp / (tp + fp), tp / (tp + fn)
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r)
