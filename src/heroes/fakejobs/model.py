"""The shipped fake-job model, saved as NPZ arrays + JSON metadata (format version, sha256 of the
arrays) and loaded without pickle. Three parts:

- `FakeJobClassifier`, the lexical model: TF-IDF words + character n-grams, a linear model, Platt
  calibration on out-of-fold scores (scikit-learn estimator conventions). English only.
- the semantic head: a logistic regression over the multilingual sentence encoder's vector of the
  ad (semantic.py); it scores English and Spanish alike.
- two stackers, logistic regressions fitted on out-of-fold scores of the parts plus the
  indicators' log-odds: `en` (lexical + semantic + indicators) for English ads, `xl` (semantic +
  indicators) for every other language. Their output is the calibrated probability of fraud at
  the development data's base rate; thresholds chosen by grouped cross-validation are stored with
  them.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from heroes.fakejobs.features import CharTfidf, FeatureSpace, WordTfidf
from heroes.fakejobs.lang import uninformative_words
from heroes.fakejobs.text import normalise

FORMAT_VERSION = 2
MODEL_DIR = Path(__file__).parent / "model"


class ModelError(Exception):
    """The shipped model is missing, altered or from an incompatible version."""


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -40, 40))))


def fit_platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept mapping a decision value to a probability (Platt scaling)."""
    lr = LogisticRegression(C=1e4)
    lr.fit(scores.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


class FakeJobClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Scores the description text of a job posting; X is a sequence of raw strings."""

    def __init__(
        self,
        C: float = 100.0,  # noqa: N803 - scikit-learn naming
        char_weight: float = 1.0,
        char_ngrams: tuple[int, ...] = (3, 4, 5),
        n_buckets: int = 2**19,
        min_df: int = 2,
        calibration_folds: int = 4,
        random_state: int = 13,
    ) -> None:
        self.C = C
        self.char_weight = char_weight
        self.char_ngrams = char_ngrams
        self.n_buckets = n_buckets
        self.min_df = min_df
        self.calibration_folds = calibration_folds
        self.random_state = random_state

    def _new_space(self) -> FeatureSpace:
        return FeatureSpace(
            WordTfidf(min_df=self.min_df),
            CharTfidf(self.char_ngrams, self.n_buckets),
            self.char_weight,
        )

    def _fit_linear(self, texts: Sequence[str], y: np.ndarray) -> tuple[FeatureSpace, np.ndarray, float]:
        space = self._new_space().fit(texts)
        lr = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", random_state=self.random_state)
        lr.fit(space.transform(texts), y)
        return space, lr.coef_.ravel().astype(np.float32), float(lr.intercept_[0])

    def fit(self, X: Sequence[str], y: Any, groups: Any = None) -> FakeJobClassifier:  # noqa: N803
        texts = [normalise(t) for t in X]
        labels = np.asarray(y, dtype=np.int64)
        self.classes_ = np.array([0, 1])
        # Out-of-fold decision values for calibration: the final model never scores its own
        # training rows, and templates stay on one side of each split when groups are known.
        oof = np.zeros(len(texts))
        if groups is not None:
            splitter: Any = StratifiedGroupKFold(self.calibration_folds, shuffle=True, random_state=self.random_state)
            splits = splitter.split(texts, labels, groups)
        else:
            splitter = StratifiedKFold(self.calibration_folds, shuffle=True, random_state=self.random_state)
            splits = splitter.split(texts, labels)
        for train, test in splits:
            space, coef, intercept = self._fit_linear([texts[i] for i in train], labels[train])
            oof[test] = space.transform([texts[i] for i in test]) @ coef + intercept
        self.platt_ = fit_platt(oof, labels)
        self.oof_proba_ = _sigmoid(self.platt_[0] * oof + self.platt_[1])
        self.space_, self.coef_, self.intercept_ = self._fit_linear(texts, labels)
        return self

    def decision_function(self, X: Sequence[str]) -> np.ndarray:  # noqa: N803
        return self.decision_function_normalised([normalise(t) for t in X])

    def decision_function_normalised(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.space_.transform(texts) @ self.coef_ + self.intercept_, dtype=np.float64)

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:  # noqa: N803
        return self.predict_proba_normalised([normalise(t) for t in X])

    def predict_proba_normalised(self, texts: Sequence[str]) -> np.ndarray:
        """`predict_proba` of texts already passed through text.normalise."""
        p = _sigmoid(self.platt_[0] * self.decision_function_normalised(texts) + self.platt_[1])
        return np.column_stack([1 - p, p])

    def predict(self, X: Sequence[str]) -> np.ndarray:  # noqa: N803
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)

    def contributions(self, text: str, top: int = 8) -> list[dict[str, Any]]:
        """The word terms of `text` that pushed its score most towards fraud; terms made of stop
        words or of the everyday words of honest ads (languages.yaml) are never listed."""
        normalised = normalise(text)
        row = self.space_.word.transform([normalised])
        weights = row.data * self.coef_[row.indices]
        order = np.argsort(-weights)
        quiet = uninformative_words("en") | uninformative_words("es")
        found: list[dict[str, Any]] = []
        for i in order:
            term = str(self.space_.word.terms[row.indices[i]])
            if weights[i] <= 0 or len(found) >= top:
                break
            if not set(term.split()) & quiet and not term.isdigit():
                found.append({"term": term, "weight": round(float(weights[i]), 4)})
        return found

    def term_weights(self, text: str) -> dict[str, float]:
        """Contribution of each word unigram of `text` to the decision value (for sentence scores)."""
        row = self.space_.word.transform([normalise(text)])
        return {
            str(self.space_.word.terms[j]): float(v * self.coef_[j])
            for j, v in zip(row.indices, row.data, strict=True)
            if " " not in str(self.space_.word.terms[j])
        }

    # --- safe persistence -------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "word_terms": self.space_.word.terms,
            "word_idf": self.space_.word.idf,
            "char_idf": self.space_.char.idf,
            "coef": self.coef_,
            "intercept": np.array([self.intercept_], dtype=np.float64),
            "platt": np.array(self.platt_, dtype=np.float64),
        }

    def params(self) -> dict[str, Any]:
        p: dict[str, Any] = dict(self.get_params())
        p["char_ngrams"] = list(p["char_ngrams"])
        return p


STACK_FEATURES = {"en": ("lexical", "semantic", "indicators", "brevity"), "xl": ("semantic", "indicators", "brevity")}
BREVITY_WORDS = 100


def brevity(texts: Sequence[str]) -> np.ndarray:
    """1 for an empty text, falling to 0 at `BREVITY_WORDS` words: lets the stacker trust the
    learned scores less on a few words than on a whole posting."""
    counts = np.array([len(t.split()) for t in texts], dtype=np.float64)
    return np.asarray(np.clip(1.0 - counts / BREVITY_WORDS, 0.0, 1.0))


SHORT_WORDS = 50
SHORT_PRECISION = 0.8


def plain_short(texts: Sequence[str], indicators: np.ndarray, max_words: int = SHORT_WORDS) -> np.ndarray:
    """True for an ad of fewer than `max_words` words on which no indicator fired: the learned
    scores rest on a handful of words there (a waiter, a cleaner, a warehouse shift), so `label`
    asks more of them (`Decision.short_threshold`)."""
    counts = np.array([len(t.split()) for t in texts], dtype=np.int64)
    return np.asarray((counts < max_words) & (np.asarray(indicators, dtype=np.float64) <= 0))


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.asarray(np.log(q / (1 - q)))


def to_base_rate(p: np.ndarray | float, trained: float, target: float) -> np.ndarray:
    """Bayes' rule for a new prior: a probability calibrated where `trained` of the ads were
    fraudulent, re-expressed for a population where `target` of them are."""
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-9, 1 - 1e-9)
    odds = q / (1 - q) * (target / (1 - target)) / (trained / (1 - trained))
    return np.asarray(odds / (1 + odds))


@dataclass
class Stacker:
    """Logistic regression over the named scores (log-odds scale)."""

    features: tuple[str, ...]
    coef: np.ndarray
    intercept: float

    def proba(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        z = sum(
            float(w) * np.asarray(columns[f], dtype=np.float64) for f, w in zip(self.features, self.coef, strict=True)
        )
        return _sigmoid(np.asarray(z) + self.intercept)

    @classmethod
    def fit(cls, features: tuple[str, ...], columns: dict[str, np.ndarray], y: np.ndarray) -> Stacker:
        lr = LogisticRegression(C=1.0)
        lr.fit(np.column_stack([columns[f] for f in features]), y)
        return cls(features, lr.coef_.ravel().astype(np.float64), float(lr.intercept_[0]))


@dataclass
class Decision:
    """Where `label` turns to 1 (best F1 of the fraud class in grouped CV) and where "high" starts
    (the lowest score with precision >= 0.9 in grouped CV), for one stacker. A short ad with no
    indicator (`plain_short`) is labelled from `short_threshold` instead: the lowest score from
    which at least `SHORT_PRECISION` of such ads were fraudulent in grouped CV (never below
    `threshold`)."""

    threshold: float
    high_threshold: float
    short_threshold: float | None = None

    def cut(self, plain_short: bool = False) -> float:
        """The score from which an ad is labelled fraudulent."""
        if plain_short and self.short_threshold is not None:
            return max(self.threshold, self.short_threshold)
        return self.threshold

    def label(self, score: float, plain_short: bool = False) -> int:
        return int(score >= self.cut(plain_short))

    def level(self, score: float, plain_short: bool = False) -> str:
        cut = self.cut(plain_short)
        if score >= max(self.high_threshold, cut):
            return "high"
        return "medium" if score >= cut else "low"


@dataclass
class SavedModel:
    classifier: FakeJobClassifier
    metadata: dict[str, Any]
    semantic_coef: np.ndarray
    semantic_intercept: float
    stackers: dict[str, Stacker]

    @property
    def decisions(self) -> dict[str, Decision]:
        return {
            k: Decision(
                float(v["threshold"]),
                float(v["high_threshold"]),
                None if v.get("short_threshold") is None else float(v["short_threshold"]),
            )
            for k, v in self.metadata["decision"].items()
        }

    @property
    def short_words(self) -> int:
        """Below how many words an ad without indicators counts as short (`plain_short`)."""
        return int(self.metadata.get("short_ads", {}).get("max_words", SHORT_WORDS))

    @property
    def threshold(self) -> float:
        return float(self.metadata["decision"]["en"]["threshold"])

    @property
    def training_base_rate(self) -> float:
        return float(self.metadata["base_rate"]["training"])

    @property
    def shown_base_rate(self) -> float:
        return float(self.metadata["base_rate"]["shown"])

    def semantic_scores(self, embeddings: np.ndarray) -> np.ndarray:
        return np.asarray(embeddings.astype(np.float64) @ self.semantic_coef + self.semantic_intercept)

    def arrays(self) -> dict[str, np.ndarray]:
        arrays = self.classifier.arrays()
        arrays["semantic_coef"] = self.semantic_coef.astype(np.float32)
        arrays["semantic_intercept"] = np.array([self.semantic_intercept], dtype=np.float64)
        for name, stacker in self.stackers.items():
            arrays[f"stack_{name}"] = np.append(stacker.coef, stacker.intercept).astype(np.float64)
        return arrays


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def save(model: SavedModel, directory: Path = MODEL_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    payload = _npz_bytes(model.arrays())
    (directory / "fakejobs.npz").write_bytes(payload)
    meta = {
        **model.metadata,
        "format_version": FORMAT_VERSION,
        "arrays_sha256": hashlib.sha256(payload).hexdigest(),
        "params": model.classifier.params(),
        "stack_features": {k: list(v.features) for k, v in model.stackers.items()},
    }
    model.metadata = meta
    path = directory / "fakejobs.json"
    path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load(directory: Path = MODEL_DIR) -> SavedModel:
    try:
        meta = json.loads((directory / "fakejobs.json").read_text(encoding="utf-8"))
        payload = (directory / "fakejobs.npz").read_bytes()
    except FileNotFoundError as exc:
        raise ModelError(f"No fake-job model in {directory}: run `heroes fakejobs train`.") from exc
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"Model format {meta.get('format_version')} is not {FORMAT_VERSION}; retrain it.")
    if hashlib.sha256(payload).hexdigest() != meta["arrays_sha256"]:
        raise ModelError("The model arrays do not match their checksum; reinstall or retrain the model.")
    arrays = np.load(io.BytesIO(payload), allow_pickle=False)
    params = dict(meta["params"])
    params["char_ngrams"] = tuple(params["char_ngrams"])
    clf = FakeJobClassifier(**params)
    word = WordTfidf(min_df=clf.min_df).set_state(arrays["word_terms"], arrays["word_idf"])
    char = CharTfidf(clf.char_ngrams, clf.n_buckets)
    char.idf = arrays["char_idf"].astype(np.float32)
    clf.space_ = FeatureSpace(word, char, clf.char_weight)
    clf.coef_ = arrays["coef"].astype(np.float32)
    clf.intercept_ = float(arrays["intercept"][0])
    clf.platt_ = (float(arrays["platt"][0]), float(arrays["platt"][1]))
    clf.classes_ = np.array([0, 1])
    stackers = {}
    for name, features in meta["stack_features"].items():
        values = arrays[f"stack_{name}"]
        stackers[name] = Stacker(tuple(features), values[:-1].astype(np.float64), float(values[-1]))
    return SavedModel(
        clf,
        meta,
        arrays["semantic_coef"].astype(np.float64),
        float(arrays["semantic_intercept"][0]),
        stackers,
    )
