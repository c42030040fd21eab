"""The learned category classifier: the multilingual sentence encoder's vector of the report plus
the phrase rules' evidence per category, into a multinomial logistic regression, blended with a
vote of the most similar labelled reports (k nearest neighbours, weighted by similarity).

Follows scikit-learn's estimator conventions (X is a sequence of texts). Saved as NPZ arrays + JSON
metadata (format version, sha256 of the arrays, seed, data checksum, metrics) and loaded without
pickle. The arrays keep the labelled examples' vectors and categories (never their text) so the
triage can say which kinds of report the new one most resembles.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

FORMAT_VERSION = 2  # 2: the neighbours' vote is part of the prediction
MODEL_DIR = Path(__file__).parent / "model"
NAME = "reports-category"


class ModelError(Exception):
    """The shipped model is missing, altered or from an incompatible version."""


class ModelMissing(ModelError):
    """No model has been trained into this folder."""


def embed(texts: Sequence[str]) -> np.ndarray:
    from heroes.embeddings import encode

    return encode(list(texts))


def phrase_features(texts: Sequence[str], categories: Sequence[str]) -> np.ndarray:
    """Per category, the phrase rules' points for each text, squashed to 0..1."""
    from heroes.reports.triage import phrase_evidence

    out = np.zeros((len(texts), len(categories)), dtype=np.float32)
    index = {c: i for i, c in enumerate(categories)}
    for row, text in enumerate(texts):
        for item in phrase_evidence(text).ranking:
            if item.category in index:
                out[row, index[item.category]] = item.score / (item.score + 3.0)
    return out


class CategoryClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Sentence vector + phrase evidence -> category. `fit_features`/`predict_proba_features`
    take precomputed (vectors, phrase features) so training and batch triage encode once."""

    def __init__(
        self,
        C: float = 30.0,  # noqa: N803
        phrase_weight: float = 1.5,
        neighbour_weight: float = 0.4,
        k: int = 7,
        random_state: int = 13,
    ) -> None:
        self.C = C
        self.phrase_weight = phrase_weight
        self.neighbour_weight = neighbour_weight  # share of the neighbours' vote in the probabilities
        self.k = k
        self.random_state = random_state

    def _design(self, vectors: np.ndarray, phrases: np.ndarray) -> np.ndarray:
        return np.hstack([vectors, self.phrase_weight * phrases]).astype(np.float32)

    def fit_features(
        self, vectors: np.ndarray, phrases: np.ndarray, y: Sequence[str] | np.ndarray
    ) -> CategoryClassifier:
        labels = np.asarray(y)
        self.classes_ = np.array(sorted(set(labels.tolist())))
        lr = LogisticRegression(C=self.C, max_iter=2000, random_state=self.random_state)
        lr.fit(self._design(vectors, phrases), labels)
        order = [list(lr.classes_).index(c) for c in self.classes_]
        self.coef_ = lr.coef_[order].astype(np.float32)
        self.intercept_ = lr.intercept_[order].astype(np.float32)
        self.examples_ = vectors.astype(np.float16)
        self._examples32: np.ndarray | None = None
        self._label_index_cache: np.ndarray | None = None
        self.example_labels_ = labels.astype(str)
        return self

    def fit(self, X: Sequence[str], y: Sequence[str]) -> CategoryClassifier:  # noqa: N803
        classes = sorted(set(y))
        return self.fit_features(embed(X), phrase_features(X, classes), y)

    def predict_proba_features(self, vectors: np.ndarray, phrases: np.ndarray) -> np.ndarray:
        linear = self.linear_proba(vectors, phrases)
        if self.neighbour_weight <= 0:
            return linear
        return (1 - self.neighbour_weight) * linear + self.neighbour_weight * self.neighbour_vote(vectors)

    def linear_proba(self, vectors: np.ndarray, phrases: np.ndarray) -> np.ndarray:
        logits = self._design(vectors, phrases) @ self.coef_.T + self.intercept_
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def _examples(self) -> np.ndarray:
        examples: np.ndarray | None = getattr(self, "_examples32", None)
        if examples is None or len(examples) != len(self.examples_):
            examples = self._examples32 = self.examples_.astype(np.float32)  # once, not per report
        return examples

    def _label_index(self) -> np.ndarray:
        """Each example's class position, computed once (it was rebuilt for every report)."""
        cached: np.ndarray | None = getattr(self, "_label_index_cache", None)
        if cached is None or len(cached) != len(self.example_labels_):
            index = {c: i for i, c in enumerate(self.classes_)}
            cached = self._label_index_cache = np.array([index[c] for c in self.example_labels_], dtype=np.int64)
        return cached

    def neighbour_vote(self, vectors: np.ndarray) -> np.ndarray:
        """Per category, the similarity-weighted share of the k most similar labelled reports
        (weights exp(10 x cosine): a near-identical report counts far more than a loose match)."""
        similarity = vectors.astype(np.float32) @ self._examples().T
        k = min(self.k, similarity.shape[1])
        top = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        weights = np.exp(10.0 * (np.take_along_axis(similarity, top, axis=1) - 1.0))
        n_classes = len(self.classes_)
        # One float64 sum per (row, class), adding the weights in the same order as np.add.at did.
        cells = (np.repeat(np.arange(len(vectors)), k) * n_classes + self._label_index()[top].ravel()).astype(np.intp)
        votes = np.bincount(cells, weights=weights.ravel(), minlength=len(vectors) * n_classes)
        votes = votes.reshape(len(vectors), n_classes)
        return np.asarray(votes / np.maximum(votes.sum(axis=1, keepdims=True), 1e-12))

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:  # noqa: N803
        return self.predict_proba_features(embed(X), phrase_features(X, list(self.classes_)))

    def predict(self, X: Sequence[str]) -> np.ndarray:  # noqa: N803
        return np.asarray(self.classes_[self.predict_proba(X).argmax(axis=1)])

    def neighbours(self, vector: np.ndarray, k: int = 3) -> list[tuple[str, float]]:
        """The categories of the k labelled examples closest to this vector, with their similarity."""
        similarity = self._examples() @ vector.astype(np.float32)
        top = np.argsort(-similarity)[:k]
        return [(str(self.example_labels_[i]), round(float(similarity[i]), 3)) for i in top]

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "coef": self.coef_,
            "intercept": self.intercept_,
            "examples": self.examples_,
            "example_labels": np.array([list(self.classes_).index(c) for c in self.example_labels_], dtype=np.int16),
        }


@dataclass
class SavedModel:
    classifier: CategoryClassifier
    metadata: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", ""))


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def save(classifier: CategoryClassifier, metadata: dict[str, Any], directory: Path = MODEL_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    payload = _npz_bytes(classifier.arrays())
    digest = hashlib.sha256(payload).hexdigest()
    (directory / f"{NAME}.npz").write_bytes(payload)
    meta = {
        "format_version": FORMAT_VERSION,
        "arrays_sha256": digest,
        "version": digest[:12],  # what the reports record as the model that triaged them
        "classes": [str(c) for c in classifier.classes_],
        "params": classifier.get_params(),
        **metadata,
    }
    path = directory / f"{NAME}.json"
    path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load(directory: Path = MODEL_DIR) -> SavedModel:
    try:
        meta = json.loads((directory / f"{NAME}.json").read_text(encoding="utf-8"))
        payload = (directory / f"{NAME}.npz").read_bytes()
    except FileNotFoundError as exc:
        raise ModelMissing(f"No report category model in {directory}: run `heroes reports train`.") from exc
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"Model format {meta.get('format_version')} is not {FORMAT_VERSION}; retrain it.")
    if hashlib.sha256(payload).hexdigest() != meta.get("arrays_sha256"):
        raise ModelError("The report model arrays do not match their checksum; reinstall or retrain the model.")
    arrays = np.load(io.BytesIO(payload), allow_pickle=False)
    clf = CategoryClassifier(**meta["params"])
    clf.classes_ = np.array(meta["classes"])
    clf.coef_ = arrays["coef"].astype(np.float32)
    clf.intercept_ = arrays["intercept"].astype(np.float32)
    clf.examples_ = arrays["examples"]
    clf.example_labels_ = clf.classes_[arrays["example_labels"].astype(np.int64)]
    return SavedModel(clf, meta)


@cache
def shipped() -> SavedModel | None:
    """The model in the package, or None when there is none (triage then uses the phrases alone).
    An altered or incompatible model is an error, not a silent fallback."""
    try:
        return load()
    except ModelMissing:
        return None
