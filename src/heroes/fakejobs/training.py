"""Training, cross-validation and evaluation of the shipped fake-job model.

Cross-validation is stratified and grouped by near-duplicate template (grouping.py) so a scam
template is never on both sides of a split. Decision thresholds are chosen inside each training
fold (on its own out-of-fold calibration scores), never on the fold being scored.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline

from heroes.fakejobs.ad import Ad
from heroes.fakejobs.engine import Combination
from heroes.fakejobs.grouping import template_groups
from heroes.fakejobs.indicators import find_indicators
from heroes.fakejobs.model import MODEL_DIR, FakeJobClassifier, save

SEED = 13
DEFAULT_DATA = Path("../shared/data/jobs/dev.jsonl")
Progress = Callable[[str], None]


class DataError(ValueError):
    """The training or evaluation file cannot be read."""


@dataclass
class Dataset:
    texts: list[str]
    labels: np.ndarray
    sha256: str


def load_dataset(path: Path) -> Dataset:
    if not path.exists():
        raise DataError(f"{path} does not exist; give the path of a .jsonl file with 'text' and 'label'.")
    payload = path.read_bytes()
    texts, labels = [], []
    for number, line in enumerate(payload.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            texts.append(str(row["text"]))
            labels.append(int(row["label"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise DataError(f"{path}:{number}: expected a JSON object with 'text' and 'label' ({exc}).") from exc
    if len(set(labels)) < 2:
        raise DataError(f"{path}: needs both labels 0 and 1.")
    return Dataset(texts, np.array(labels), hashlib.sha256(payload).hexdigest())


def best_f1_threshold(probabilities: np.ndarray, labels: np.ndarray) -> float:
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = [_f1(labels, probabilities >= t) for t in grid]
    return float(grid[int(np.argmax(scores))])


def precision_threshold(scores: np.ndarray, labels: np.ndarray, target: float = 0.9) -> float:
    """The lowest score from which at least `target` of the ads scored that high are fraudulent."""
    order = np.argsort(-scores)
    precision = np.cumsum(labels[order] == 1) / np.arange(1, len(order) + 1)
    reaching = np.nonzero(precision >= target)[0]
    if reaching.size == 0:
        return 1.0
    return float(np.round(scores[order][reaching[-1]], 4))


def _f1(labels: np.ndarray, predicted: np.ndarray) -> float:
    tp = float(np.sum(predicted & (labels == 1)))
    fp = float(np.sum(predicted & (labels == 0)))
    fn = float(np.sum(~predicted & (labels == 1)))
    return 2 * tp / max(2 * tp + fp + fn, 1.0)


def metrics(labels: np.ndarray, scores: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    p, r, f, _ = precision_recall_fscore_support(labels, predicted, average="binary", zero_division=0)
    return {
        "precision": round(float(p), 4),
        "recall": round(float(r), 4),
        "f1": round(float(f), 4),
        "pr_auc": round(float(average_precision_score(labels, scores)), 4),
        "confusion_matrix": confusion_matrix(labels, predicted, labels=[0, 1]).tolist(),
        "n": len(labels),
        "positives": int(labels.sum()),
    }


def indicator_weights(texts: Sequence[str]) -> list[list[float]]:
    return [[h.indicator.weight for h in find_indicators(Ad(text=t))] for t in texts]


def combined_scores(probabilities: np.ndarray, weights: list[list[float]], combination: Combination) -> np.ndarray:
    return np.array([combination.combine(float(p), w) for p, w in zip(probabilities, weights, strict=True)])


def baseline() -> Any:
    """The plain reference: scikit-learn defaults, TF-IDF words + logistic regression, 0.5 cut."""
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))


def cross_validate(
    data: Dataset,
    folds: int = 5,
    seed: int = SEED,
    progress: Progress | None = None,
    predictions: dict[str, np.ndarray] | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Baseline, classifier and classifier + indicators, scored on the same grouped folds."""
    groups = template_groups(data.texts)
    weights = indicator_weights(data.texts)
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
    y = data.labels
    n = len(y)
    out = {k: np.zeros(n) for k in ("baseline", "classifier", "combined")}
    predicted = {k: np.zeros(n, dtype=bool) for k in out}
    thresholds: list[dict[str, float]] = []
    started = time.perf_counter()
    for k, (train, test) in enumerate(splitter.split(data.texts, y, groups), start=1):
        train_texts = [data.texts[i] for i in train]
        test_texts = [data.texts[i] for i in test]
        base = baseline().fit(train_texts, y[train])
        out["baseline"][test] = base.predict_proba(test_texts)[:, 1]
        predicted["baseline"][test] = out["baseline"][test] >= 0.5

        clf = FakeJobClassifier(random_state=seed, **params).fit(train_texts, y[train], groups=groups[train])
        t_clf = best_f1_threshold(clf.oof_proba_, y[train])
        proba = clf.predict_proba(test_texts)[:, 1]
        out["classifier"][test] = proba
        predicted["classifier"][test] = proba >= t_clf

        probe = Combination(threshold=0.5, high_threshold=0.75)
        train_combined = combined_scores(clf.oof_proba_, [weights[i] for i in train], probe)
        t_comb = best_f1_threshold(train_combined, y[train])
        out["combined"][test] = combined_scores(proba, [weights[i] for i in test], probe)
        predicted["combined"][test] = out["combined"][test] >= t_comb
        thresholds.append({"classifier": t_clf, "combined": t_comb})
        if progress:
            progress(f"fold {k}/{folds} done ({time.perf_counter() - started:.0f} s)")
    result: dict[str, Any] = {name: metrics(y, out[name], predicted[name]) for name in out}
    if predictions is not None:  # out-of-fold scores and decisions, for the benchmark's breakdowns
        predictions.update({f"{k}_score": v for k, v in out.items()})
        predictions.update({f"{k}_label": v for k, v in predicted.items()})
    result["folds"] = folds
    result["groups"] = len(set(groups.tolist()))
    result["thresholds_per_fold"] = thresholds
    return result


def train(
    data_path: Path = DEFAULT_DATA,
    out_dir: Path = MODEL_DIR,
    seed: int = SEED,
    run_cv: bool = True,
    progress: Progress | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Fit the shipped model on all of `data_path` and save it with its cross-validated metrics."""
    data = load_dataset(data_path)
    cv = cross_validate(data, seed=seed, progress=progress, **params) if run_cv else None
    groups = template_groups(data.texts)
    clf = FakeJobClassifier(random_state=seed, **params).fit(data.texts, data.labels, groups=groups)
    probe = Combination(threshold=0.5, high_threshold=0.75)
    combined = combined_scores(clf.oof_proba_, indicator_weights(data.texts), probe)
    threshold = best_f1_threshold(combined, data.labels)
    metadata = {
        "model": "fakejobs-description-classifier",
        "trained_at": time.strftime("%Y-%m-%d", time.gmtime()),
        "seed": seed,
        "training_data": {"file": data_path.name, "sha256": data.sha256, "rows": len(data.texts)},
        "threshold": threshold,
        "high_threshold": max(threshold, precision_threshold(combined, data.labels)),
        "classifier_threshold": best_f1_threshold(clf.oof_proba_, data.labels),
        "combination": {"decay": probe.decay, "prior_other_languages": probe.prior_other_languages},
        "cv": cv,
    }
    save(clf, metadata, out_dir)
    return metadata


def evaluate(data_path: Path, checker: Any | None = None) -> dict[str, Any]:
    """Metrics of the shipped model (classifier + indicators, shipped threshold) on a labelled file."""
    from heroes.fakejobs.engine import default_checker

    data = load_dataset(data_path)
    checker = checker or default_checker()
    rows = checker.score_many([Ad(text=t) for t in data.texts])
    scores = np.array([r["score"] for r in rows])
    predicted = np.array([r["label"] == 1 for r in rows])
    result = metrics(data.labels, scores, predicted)
    result["threshold"] = checker.combination.threshold
    return result
