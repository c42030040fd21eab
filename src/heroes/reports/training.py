"""Training and grouped cross-validation of the report category model, and the urgency check.

Cross-validation is stratified by category and grouped: reports whose sentence vectors are nearly
the same (one story told twice, a translation) stay on one side of every split. The urgency rules
are not trained; they are measured on the same folds with the category predicted out of fold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from heroes.core.errors import HeroesError
from heroes.reports.model import CategoryClassifier, embed, phrase_features, save
from heroes.text import iter_jsonl

SEED = 13
FOLDS = 5
LEVELS = ("critical", "high", "medium", "low")
GROUP_SIMILARITY = 0.8  # vectors this close are one story: kept in one fold


@dataclass
class Dataset:
    ids: list[str]
    texts: list[str]
    languages: list[str]
    categories: list[str]
    urgencies: list[str]
    sha256: str


def load_dataset(paths: Sequence[Path]) -> Dataset:
    """JSON lines with `text`, `category`, and optionally `lang`, `urgency`, `id`."""
    rows: list[dict[str, Any]] = []
    digest = hashlib.sha256()
    for path in paths:
        if not path.is_file():
            raise HeroesError(f"No such file: {path}")
        raw = path.read_bytes()
        digest.update(raw)
        for item in iter_jsonl(raw):
            number, row = item.line, item.value
            if item.error is not None:
                raise HeroesError(f"{path}:{number}: {item.error}.")
            if not isinstance(row, dict) or not row.get("text") or not row.get("category"):
                raise HeroesError(f"{path}:{number}: each line needs a text and a category.")
            rows.append(row)
    if len(rows) < FOLDS * 2:
        raise HeroesError("Too few labelled reports to train on.")
    return Dataset(
        ids=[str(r.get("id", i)) for i, r in enumerate(rows)],
        texts=[str(r["text"]) for r in rows],
        languages=[str(r.get("lang") or "en") for r in rows],
        categories=[str(r["category"]) for r in rows],
        urgencies=[str(r.get("urgency") or "") for r in rows],
        sha256=digest.hexdigest(),
    )


def groups_of(vectors: np.ndarray, threshold: float = GROUP_SIMILARITY) -> np.ndarray:
    """Connected components of the "nearly the same text" graph."""
    n = len(vectors)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    similarity = vectors @ vectors.T
    for i, j in zip(*np.nonzero(np.triu(similarity, 1) >= threshold), strict=True):
        parent[root(int(i))] = root(int(j))
    return np.array([root(i) for i in range(n)])


@dataclass
class Features:
    vectors: np.ndarray
    phrases: np.ndarray
    classes: list[str]
    groups: np.ndarray


WRITTEN_CASES = Path(__file__).parent / "data" / "written_cases.jsonl"


def features_of(data: Dataset, classes: list[str] | None = None) -> Features:
    classes = classes or sorted(set(data.categories))
    vectors = embed(data.texts)
    return Features(vectors, phrase_features(data.texts, classes), classes, groups_of(vectors))


# Chosen inside each training fold by an inner grouped CV (nested), never on the scored fold.
GRID: dict[str, tuple[float, ...]] = {"C": (10.0, 30.0, 100.0), "neighbour_weight": (0.0, 0.25, 0.5)}
INNER_FOLDS = 4


def _with_extra(
    vectors: np.ndarray, phrases: np.ndarray, y: np.ndarray, extra: tuple[Features, Sequence[str]] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if extra is None:
        return vectors, phrases, y
    return (
        np.vstack([vectors, extra[0].vectors]),
        np.vstack([phrases, extra[0].phrases]),
        np.concatenate([y, np.asarray(extra[1])]),
    )


def _balanced_accuracy(labels: np.ndarray, predicted: np.ndarray, languages: np.ndarray) -> float:
    """Mean over languages of the accuracy in each: the target is per language."""
    return float(np.mean([np.mean(predicted[languages == lg] == labels[languages == lg]) for lg in set(languages)]))


def select_params(
    feats: Features,
    labels: np.ndarray,
    languages: np.ndarray,
    extra: tuple[Features, Sequence[str]] | None,
    seed: int = SEED,
    grid: dict[str, tuple[float, ...]] | None = None,
) -> dict[str, float]:
    """C and the neighbours' share with the best inner grouped-CV accuracy (mean of the languages);
    ties go to the first in grid order (the simpler model)."""
    grid = grid or GRID
    folds = min(INNER_FOLDS, int(np.min(np.unique(labels, return_counts=True)[1])))
    if folds < 2:
        return {"C": grid["C"][0], "neighbour_weight": grid["neighbour_weight"][0]}
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(feats.vectors, labels, feats.groups))
    scores: dict[tuple[float, float], float] = {}
    for c in grid["C"]:
        linear: list[np.ndarray] = []
        votes: list[np.ndarray] = []
        classes = np.array([])
        for train, test in splits:
            clf = CategoryClassifier(C=c, random_state=seed)
            clf.fit_features(*_with_extra(feats.vectors[train], feats.phrases[train], labels[train], extra))
            linear.append(clf.linear_proba(feats.vectors[test], feats.phrases[test]))
            votes.append(clf.neighbour_vote(feats.vectors[test]))
            classes = clf.classes_
        order = np.concatenate([test for _, test in splits])
        for weight in grid["neighbour_weight"]:
            proba = np.vstack([(1 - weight) * lin + weight * vote for lin, vote in zip(linear, votes, strict=True)])
            scores[(c, weight)] = _balanced_accuracy(labels[order], classes[proba.argmax(axis=1)], languages[order])
    best = max(scores, key=lambda key: (scores[key], -list(scores).index(key)))
    return {"C": best[0], "neighbour_weight": best[1]}


def cross_validate(
    data: Dataset,
    features: Features | None = None,
    extra: tuple[Features, Sequence[str]] | None = None,
    seed: int = SEED,
    folds: int = FOLDS,
    progress: Callable[[str], None] | None = None,
    chosen: list[dict[str, float]] | None = None,
    **params: Any,
) -> np.ndarray:
    """Out-of-fold category predictions (grouped, stratified folds). `extra` labelled cases (the
    ones written for the project) join every training fold and are never scored. Without explicit
    `params`, C and the neighbours' share are chosen per fold by an inner CV of that fold's
    training part (nested); the choices are appended to `chosen` when given."""
    feats = features or features_of(data)
    labels = np.array(data.categories)
    languages = np.array(data.languages)
    predicted = np.empty(len(labels), dtype=object)
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
    for fold, (train, test) in enumerate(splitter.split(feats.vectors, labels, feats.groups), 1):
        fold_params = dict(params)
        if not params:
            inner = Features(feats.vectors[train], feats.phrases[train], feats.classes, feats.groups[train])
            fold_params.update(select_params(inner, labels[train], languages[train], extra, seed))
            if chosen is not None:
                chosen.append(fold_params)
        clf = CategoryClassifier(random_state=seed, **fold_params)
        clf.fit_features(*_with_extra(feats.vectors[train], feats.phrases[train], labels[train], extra))
        proba = clf.predict_proba_features(feats.vectors[test], feats.phrases[test])
        predicted[test] = clf.classes_[proba.argmax(axis=1)]
        if progress:
            progress(f"fold {fold}/{folds}")
    return predicted.astype(str)


def accuracy_by_language(data: Dataset, predicted: Sequence[str] | np.ndarray) -> dict[str, float]:
    out: dict[str, float] = {}
    for lang in sorted(set(data.languages)):
        rows = [i for i, lg in enumerate(data.languages) if lg == lang]
        out[lang] = round(sum(predicted[i] == data.categories[i] for i in rows) / len(rows), 3)
    out["all"] = round(sum(p == c for p, c in zip(predicted, data.categories, strict=True)) / len(predicted), 3)
    return out


def urgency_metrics(expected: Sequence[str], found: Sequence[str]) -> dict[str, Any]:
    """Exact agreement, how many were one or two levels too low, and critical recall."""
    rank = {lv: i for i, lv in enumerate(LEVELS)}  # 0 = critical
    pairs = [(rank[e], rank[f]) for e, f in zip(expected, found, strict=True) if e in rank]
    critical = [f for e, f in pairs if e == 0]
    return {
        "n": len(pairs),
        "exact": round(sum(e == f for e, f in pairs) / max(1, len(pairs)), 3),
        "one_too_low": sum(f - e == 1 for e, f in pairs),
        "two_or_more_too_low": sum(f - e >= 2 for e, f in pairs),
        "too_high": sum(f < e for e, f in pairs),
        "critical_recall": round(sum(f == 0 for f in critical) / max(1, len(critical)), 3),
    }


def train(
    paths: Sequence[Path],
    out_dir: Path | None = None,
    seed: int = SEED,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Cross-validate, then fit on everything and save the model with its metrics."""
    evaluated = [p for p in paths if p != WRITTEN_CASES]
    data = load_dataset(evaluated)
    feats = features_of(data)
    extra = None
    written_sha256 = None
    if WRITTEN_CASES in paths:
        written = load_dataset([WRITTEN_CASES])
        written_sha256 = written.sha256
        extra = (features_of(written, feats.classes), written.categories)
    chosen: list[dict[str, float]] = []
    predicted = cross_validate(data, feats, extra, seed=seed, progress=progress, chosen=chosen)
    labels = np.array(data.categories)
    params = select_params(feats, labels, np.array(data.languages), extra, seed)
    metrics = {
        "category_accuracy": accuracy_by_language(data, predicted),
        "folds": FOLDS,
        "grouped": True,
        "nested_choices": chosen,
    }
    clf = CategoryClassifier(C=params["C"], neighbour_weight=params["neighbour_weight"], random_state=seed)
    vectors, phrases, labels = _with_extra(feats.vectors, feats.phrases, labels, extra)
    clf.fit_features(vectors, phrases, labels)
    from heroes.embeddings.encoder import DEFAULT as ENCODER

    metadata = {
        "seed": seed,
        "encoder": ENCODER,
        "training_rows": len(labels),
        "training_sha256": data.sha256,
        "written_cases_sha256": written_sha256,
        "chosen_by_cv": params,
        "training_files": [p.name for p in paths],
        "metrics": metrics,
    }
    kwargs = {"directory": out_dir} if out_dir else {}
    path = save(clf, metadata, **kwargs)
    return {"model": str(path), **metadata}
