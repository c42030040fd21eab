"""Training the grooming model reproducibly from ../shared/data/chats (see docs/grooming.md).

1. Every message is featurised once (hashed counts) and its cues found once.
2. The text model learns from chunks of each author's stream (1 to 80 messages and the whole
   stream) plus the VTPAN segments, so it scores single messages, windows and whole chats.
3. The stacker, which combines text scores with cues, learns from out-of-fold replays: the text
   model that scores a chat never saw it.
4. The warning threshold is set on those replays so that under 1% of each negative source's
   streams would ever warn.
"""

# ruff: noqa: N803, N806  (matrix names X, F, S, Q follow scikit-learn and maths usage)

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.model_selection import StratifiedGroupKFold

from heroes.grooming.corpus import Corpus, Segment, Stream
from heroes.grooming.cues import CueHit, CueSet, default_cues
from heroes.grooming.features import DEFAULT_N_FEATURES, Featurizer
from heroes.grooming.model import (
    GroomingModel,
    Stacker,
    StreamConfig,
    TextModel,
    WarningPolicy,
)
from heroes.grooming.stream import AuthorScorer

CHUNK_SIZES = (1, 5, 20, 80)
CHUNKS_PER_SIZE = 12
TARGET_FALSE_WARN = 0.01
Progress = Callable[[str], None]


@dataclass
class Featurised:
    """A stream's messages as a CSR matrix of counts, and each message's cue hits."""

    stream: Stream
    X: sp.csr_matrix
    hits: list[list[CueHit]]


def featurise(streams: Sequence[Stream], featurizer: Featurizer, cues: CueSet, progress: Progress) -> list[Featurised]:
    out = []
    for k, s in enumerate(streams):
        if k % 200 == 0:
            progress(f"featurising stream {k}/{len(streams)}")
        indptr: list[int] = [0]
        indices: list[int] = []
        data: list[int] = []
        hits = []
        for text in s.messages:
            c = featurizer.counts(text)
            indices.extend(c.keys())
            data.extend(c.values())
            indptr.append(len(indices))
            hits.append(cues.find(text))
        X = sp.csr_matrix(
            (
                np.array(data, dtype=np.float32),
                np.array(indices, dtype=np.int32),
                indptr,
            ),
            shape=(len(s.messages), featurizer.n_features),
        )
        out.append(Featurised(s, X, hits))
    return out


def segment_matrix(segments: Sequence[Segment], featurizer: Featurizer) -> sp.csr_matrix:
    rows = [featurizer.counts(s.text) for s in segments]
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int32, count=int(indptr[-1]))
    data = np.fromiter((v for r in rows for v in r.values()), np.float32, int(indptr[-1]))
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), featurizer.n_features))


def chunk_docs(items: Sequence[Featurised], rng: np.random.Generator) -> tuple[sp.csr_matrix, NDArray[np.int_]]:
    """Documents = sums of consecutive message rows: chunks of several sizes + whole streams."""
    mats, labels = [], []
    for f in items:
        n = f.X.shape[0]
        spans = [(0, n)]
        for size in CHUNK_SIZES:
            if size >= n:
                continue
            starts = rng.choice(n - size + 1, size=min(CHUNKS_PER_SIZE, n - size + 1), replace=False)
            spans.extend((int(s), int(s) + size) for s in starts)
        rows: list[int] = []
        cols: list[int] = []
        for r, (a, b) in enumerate(spans):
            rows.extend([r] * (b - a))
            cols.extend(range(a, b))
        agg = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(spans), n))
        mats.append(agg @ f.X)
        labels.extend([f.stream.label] * len(spans))
    return sp.csr_matrix(sp.vstack(mats)), np.array(labels)


def fit_text(
    items: Sequence[Featurised],
    seg_X: sp.csr_matrix | None,
    seg_y: NDArray[np.int_] | None,
    seed: int,
    n_features: int,
) -> TextModel:
    rng = np.random.default_rng(seed)
    X, y = chunk_docs(items, rng)
    if seg_X is not None and seg_y is not None and seg_X.shape[0]:
        X = sp.csr_matrix(sp.vstack([X, seg_X]))
        y = np.concatenate([y, seg_y])
    return TextModel(n_features=n_features, seed=seed).fit(X, y)


def replay(f: Featurised, model: GroomingModel) -> NDArray[np.float64]:
    """The stacker features after each message of one author's stream (as the analyser does)."""
    scorer = AuthorScorer(model)
    X = f.X
    out = np.empty((X.shape[0], 6))
    for i in range(X.shape[0]):
        a, b = X.indptr[i], X.indptr[i + 1]
        counts = dict(zip(X.indices[a:b].tolist(), map(int, X.data[a:b].tolist()), strict=True))
        out[i] = scorer.features(counts, f.hits[i])
    return out


def sustained(risk: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """Running minimum over the last k values: the risk held for k consecutive messages."""
    if len(risk) < k:
        return np.full(len(risk), -1.0)  # too short to ever warn
    win = np.lib.stride_tricks.sliding_window_view(risk, k).min(axis=1)
    return np.concatenate([np.full(k - 1, -1.0), win])


def first_warning(risk: NDArray[np.float64], policy: WarningPolicy) -> int | None:
    hit = np.nonzero(sustained(risk, policy.raise_after) >= policy.raise_at)[0]
    return int(hit[0]) if len(hit) else None


def _stacker_rows(feats: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.int_]:
    n = len(feats)
    fixed = [i for i in (0, 1, 2, 4, 7, 12, 20, 30, 50, 80, 130, 200) if i < n]
    extra = rng.choice(n, size=min(20, n), replace=False).tolist()
    return np.unique(fixed + extra + [n - 1])


def choose_policy(risks: Sequence[NDArray[np.float64]], sources: Sequence[str], labels: Sequence[int]) -> WarningPolicy:
    policy = WarningPolicy()
    peaks: dict[str, list[float]] = {}
    for r, src, y in zip(risks, sources, labels, strict=True):
        if y == 0:
            s = sustained(r, policy.raise_after)
            peaks.setdefault(src, []).append(float(s.max()) if len(s) else -1.0)
    cut = max(float(np.quantile(p, 1 - TARGET_FALSE_WARN)) for p in peaks.values())
    policy.raise_at = round(min(max(cut + 1e-3, 0.5), 0.995), 4)
    policy.clear_below = round(policy.raise_at - 0.25 * (policy.raise_at - 0.0), 4)
    return policy


@dataclass
class Trained:
    model: GroomingModel
    oof_risks: list[NDArray[np.float64]]
    oof_items: list[Featurised]


def train_model(
    items: Sequence[Featurised],
    seg_X: sp.csr_matrix | None = None,
    seg_y: NDArray[np.int_] | None = None,
    seed: int = 13,
    inner_folds: int = 3,
    n_features: int = DEFAULT_N_FEATURES,
    progress: Progress = lambda m: None,
) -> Trained:
    """Text model + stacker + thresholds from featurised streams (and optional segments)."""
    rng = np.random.default_rng(seed)
    labels = np.array([f.stream.label for f in items])
    groups = np.array([f.stream.group for f in items])
    splitter = StratifiedGroupKFold(n_splits=inner_folds, shuffle=True, random_state=seed)
    stream_cfg = StreamConfig()
    oof_feats: list[NDArray[np.float64] | None] = [None] * len(items)
    for k, (tr, te) in enumerate(splitter.split(np.zeros(len(items)), labels, groups)):
        progress(f"inner fold {k + 1}/{inner_folds}: text model")
        text = fit_text([items[i] for i in tr], seg_X, seg_y, seed, n_features)
        probe = GroomingModel(text, _neutral_stacker(), stream=stream_cfg)
        progress(f"inner fold {k + 1}/{inner_folds}: replaying {len(te)} streams")
        for i in te:
            oof_feats[i] = replay(items[i], probe)
    feats = [f for f in oof_feats if f is not None]
    rows_F, rows_y = [], []
    for f, y in zip(feats, labels, strict=True):
        idx = _stacker_rows(f, rng)
        rows_F.append(f[idx])
        rows_y.extend([y] * len(idx))
    progress("stacker")
    stacker = Stacker().fit(np.vstack(rows_F), np.array(rows_y))
    oof_risks = [stacker.predict_proba(f)[:, 1] for f in feats]
    policy = choose_policy(oof_risks, [f.stream.source for f in items], labels.tolist())
    progress(f"final text model (threshold {policy.raise_at})")
    text = fit_text(items, seg_X, seg_y, seed, n_features)
    model = GroomingModel(text, stacker, policy, stream_cfg)
    return Trained(model, oof_risks, list(items))


SEGMENT_CS = (1.0, 4.0, 16.0, 64.0)


def fit_segment_model(seg_X: sp.csr_matrix, seg_y: NDArray[np.int_], seed: int) -> TextModel:
    """The text model for speaker-merged segments (VTPAN), trained on segments only; its
    regularisation is chosen by 3-fold CV (average precision) inside the data it is given."""
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import StratifiedKFold

    n_features = seg_X.shape[1]
    folds = list(StratifiedKFold(n_splits=3, shuffle=True, random_state=seed).split(seg_X, seg_y))
    best_c, best_ap = SEGMENT_CS[0], -1.0
    for c in SEGMENT_CS:
        scores = np.zeros(len(seg_y))
        for tr, te in folds:
            model = TextModel(C=c, n_features=n_features, seed=seed).fit(seg_X[tr], seg_y[tr])
            scores[te] = model.decision_function(seg_X[te])
        ap = float(average_precision_score(seg_y, scores))
        if ap > best_ap:
            best_c, best_ap = c, ap
    return TextModel(C=best_c, n_features=n_features, seed=seed).fit(seg_X, seg_y)


def _neutral_stacker() -> Stacker:
    st = Stacker()
    st.coef_ = np.zeros(6)
    st.intercept_ = 0.0
    return st


def stream_metrics(
    items: Sequence[Featurised],
    risks: Sequence[NDArray[np.float64]],
    policy: WarningPolicy,
) -> dict[str, Any]:
    """Author-level F0.5 and early-warning figures, reported per source."""
    by_source: dict[str, dict[str, Any]] = {}
    tp = fp = fn = 0
    delays: list[int] = []
    for f, r in zip(items, risks, strict=True):
        warn_at = first_warning(r, policy)
        src = by_source.setdefault(f.stream.source, {"streams": 0, "warned": 0})
        src["streams"] += 1
        src["warned"] += warn_at is not None
        if f.stream.label == 1:
            tp += warn_at is not None
            fn += warn_at is None
            if warn_at is not None:
                delays.append(warn_at + 1)
        else:
            fp += warn_at is not None
    for src in by_source.values():
        src["warn_rate"] = round(src["warned"] / max(src["streams"], 1), 4)
    p = tp / max(tp + fp, 1)
    rec = tp / max(tp + fn, 1)
    f05 = (1.25 * p * rec / (0.25 * p + rec)) if p + rec else 0.0
    return {
        "author_precision": round(p, 4),
        "author_recall": round(rec, 4),
        "author_f05": round(f05, 4),
        "messages_to_warning_median": float(np.median(delays)) if delays else None,
        "messages_to_warning_p90": float(np.quantile(delays, 0.9)) if delays else None,
        "by_source": by_source,
    }


def train_from_corpus(corpus: Corpus, seed: int = 13, progress: Progress = lambda m: None) -> GroomingModel:
    """What `heroes grooming train` runs: everything here, evaluated out of fold."""
    started = time.time()
    featurizer, cues = Featurizer(), default_cues()
    items = featurise(corpus.streams, featurizer, cues, progress)
    seg_X = segment_matrix(corpus.segments, featurizer) if corpus.segments else None
    seg_y = np.array([s.label for s in corpus.segments]) if corpus.segments else None
    trained = train_model(items, seg_X, seg_y, seed=seed, progress=progress)
    model = trained.model
    if seg_X is not None and seg_y is not None:
        progress("segment model")
        model.segment = fit_segment_model(seg_X, seg_y, seed)
    model.metadata = {
        "name": "grooming",
        "seed": seed,
        "trained_on": {
            "data_sha256": corpus.checksum,
            "streams": len(items),
            "segments": len(corpus.segments),
            "messages": int(sum(f.X.shape[0] for f in items)),
        },
        "oof_metrics": stream_metrics(trained.oof_items, trained.oof_risks, model.policy),
        "training_seconds": round(time.time() - started, 1),
        "note": "metrics are out-of-fold on the training data (inner 3-fold, chats grouped); "
        "see benchmarks/grooming/RESULTS.md for the cross-validated benchmark",
    }
    return model
