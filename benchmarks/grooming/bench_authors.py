"""Author level (PAN 2012 task 1 style) and early warning (eSPD style, Vogt et al. 2021).

Five-fold cross-validation over author streams, grouped by chat (a predator and the decoys of
the same chat are never split). In each fold the full training pipeline (text model, stacker,
threshold) runs on the training streams only; the held-out streams are replayed message by
message. VTPAN segments are left out here because they overlap the PJ chats.

    .venv/bin/python benchmarks/grooming/bench_authors.py [DATA_DIR] [--folds N] [--models DIR]

--models DIR keeps each fold's trained model in DIR/fold-K (saved as shipped: JSON + NPZ) and
reuses it on the next run, so that a change of the warning rules alone is measured in minutes;
delete DIR when the training data, cues or features change. Every fold model is replayed after
a save/load round trip (float32 weights, as shipped), whether trained now or reused. Besides the
rule variants on the English model's risk, each held-out stream is also replayed through the
whole analyser as shipped (`StreamAnalyser` with the shipped learned language scores and the
per-writer language test), the path `heroes grooming analyze` takes.
"""

# ruff: noqa: N806  (matrix names X, F, S, Q follow scikit-learn and maths usage)

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from _shared import FOLDS, SEED, baseline, corpus_or_exit, f_beta, featurised, log
from sklearn.model_selection import StratifiedGroupKFold

from heroes.chats.model import Message
from heroes.grooming.language_model import default_languages
from heroes.grooming.model import GroomingModel, StageRule
from heroes.grooming.stream import AuthorScorer, StageHysteresis, StreamAnalyser
from heroes.grooming.training import first_warning, train_model

# the stage rule's minimum own risk (StageRule.min_risk); --gates 0.2 0.5 ... to choose
GATES = (0.05, 0.1, 0.2, 0.3)


def replay_with_stages(item, model):  # type: ignore[no-untyped-def]
    """One pass over a held-out stream: the risk and the stage evidence after each message."""
    scorer = AuthorScorer(model)
    X = item.X
    out = []
    for i in range(X.shape[0]):
        a, b = X.indptr[i], X.indptr[i + 1]
        counts = dict(zip(X.indices[a:b].tolist(), map(int, X.data[a:b].tolist()), strict=True))
        r = scorer.risk(scorer.features(counts, item.hits[i]))
        out.append((r, *scorer.stage_evidence()))
    return out


def first_stage_warning(steps, model, gate: float) -> int | None:  # type: ignore[no-untyped-def]
    """First message at which the stage rule (with its risk gate at `gate`) warns."""
    rule = StageHysteresis(replace(model, stage_rule=replace(model.stage_rule, min_risk=gate)))
    for i, (r, ev, n) in enumerate(steps):
        if rule.update_stages(ev, n, r):
            return i
    return None


def analyser_warning(item, model) -> int | None:  # type: ignore[no-untyped-def]
    """First message at which the whole shipped analyser (language test and learned scores of
    other languages included) warns about this one writer."""
    analyser = StreamAnalyser(model)
    out = analyser.feed_many([Message("a", t) for t in item.stream.messages])
    return next((i for i, x in enumerate(out) if x.warning), None)


def fold_model(k: int, train, models: Path | None) -> GroomingModel:  # type: ignore[no-untyped-def]
    """The fold's model: reused from `models` when there, else trained (and kept there)."""
    where = None if models is None else models / f"fold-{k + 1}"
    if where is not None and (where / "grooming.json").exists():
        log(f"fold {k + 1}/{FOLDS}: reusing the model in {where}")
        model = GroomingModel.load(where)
    else:
        log(f"fold {k + 1}/{FOLDS}: training ({len(train)} streams)")
        trained = train_model(train, seed=SEED, progress=log)
        where = where or Path("/tmp") / f"bench-authors-fold-{k + 1}"
        trained.model.save(where)
        model = GroomingModel.load(where)
    model.languages = dict(default_languages())
    return model


def checkpoints(n: int) -> list[int]:
    pts = list(range(1, min(n, 100) + 1))
    pts += list(range(110, min(n, 1000) + 1, 10)) + list(range(1100, n + 1, 100))
    if pts[-1] != n:
        pts.append(n)
    return pts


def baseline_fold(train, test):
    vec, clf = baseline()
    X = vec.fit_transform(["\n".join(f.stream.messages) for f in train])
    clf.fit(X, [f.stream.label for f in train])
    full = clf.predict_proba(vec.transform(["\n".join(f.stream.messages) for f in test]))[:, 1]
    # Early warning for the baseline: score each prefix (every message up to 100, then every
    # 10th, then every 100th) and warn at the first prefix with p >= 0.5 (no hysteresis).
    counts_vec = vec  # same vocabulary and idf
    warn_at = []
    for f in test:
        M = counts_vec.transform(f.stream.messages)  # per-message tf-idf rows (l2-normalised)
        raw = M.copy()
        raw.data = np.ones_like(raw.data)  # presence per message; good enough for a prefix
        pts = checkpoints(len(f.stream.messages))
        rows, cols = [], []
        for r, n in enumerate(pts):
            rows.extend([r] * n)
            cols.extend(range(n))
        A = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(pts), M.shape[0]))
        P = A @ raw
        P.data = (1 + np.log(P.data)) * vec.idf_[P.indices]
        norms = np.sqrt(np.asarray(P.multiply(P).sum(axis=1))).ravel()
        norms[norms == 0] = 1
        P = sp.diags(1 / norms) @ P
        p = clf.predict_proba(P)[:, 1]
        hit = np.nonzero(p >= 0.5)[0]
        warn_at.append(pts[hit[0]] if len(hit) else None)
    return full, warn_at


def summarise(name, items, warn_at, author_pred):
    y = np.array([f.stream.label for f in items])
    src = np.array([f.stream.source for f in items])
    pred = np.array(author_pred, dtype=int)
    print(f"\n== {name}")
    print(
        f"author level, predators vs decoys + NPS chatters: F0.5 = {f_beta(y, pred, 0.5):.3f}"
        f"  F1 = {f_beta(y, pred, 1):.3f}"
    )
    for neg in ("pj-decoy", "nps"):
        m = (src == "pj-predator") | (src == neg)
        print(f"  predators vs {neg:8s}: F0.5 = {f_beta(y[m], pred[m], 0.5):.3f}")
    delays = [w for w, f in zip(warn_at, items, strict=True) if f.stream.label == 1 and w is not None]
    n_pred = int((y == 1).sum())
    print(
        f"early warning: predators warned {len(delays)}/{n_pred} "
        f"({len(delays) / n_pred:.1%}); messages of the predator before the warning: "
        f"median {np.median(delays):.0f}, p90 {np.quantile(delays, 0.9):.0f}"
    )
    for s in ("pj-decoy", "nps"):
        m = src == s
        warned = sum(1 for w, k in zip(warn_at, m, strict=True) if k and w is not None)
        print(f"  {s:8s} streams that ever warn: {warned}/{int(m.sum())} ({warned / m.sum():.2%})")


def main() -> None:
    global GATES
    if "--gates" in sys.argv:
        at = sys.argv.index("--gates")
        values = []
        for v in sys.argv[at + 1 :]:
            if v.startswith("--"):
                break
            values.append(float(v))
        del sys.argv[at : at + 1 + len(values)]
        GATES = tuple(values)
    corpus = corpus_or_exit()
    items = featurised(corpus)
    y = np.array([f.stream.label for f in items])
    groups = np.array([f.stream.group for f in items])
    outer = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    ours_warn: list = [None] * len(items)
    ours_author: list = [0] * len(items)
    base_warn: list = [None] * len(items)
    base_author: list = [0] * len(items)
    rule_warn: dict[float, list] = {g: [None] * len(items) for g in GATES}
    rule_author: dict[float, list] = {g: [0] * len(items) for g in GATES}
    # --folds N: stop after N of the folds (a quicker, partial but still held-out measurement).
    n_run = int(sys.argv[sys.argv.index("--folds") + 1]) if "--folds" in sys.argv else FOLDS
    models = Path(sys.argv[sys.argv.index("--models") + 1]) if "--models" in sys.argv else None
    full_warn: list = [None] * len(items)
    full_author: list = [0] * len(items)
    done: list[int] = []
    for k, (tr, te) in enumerate(outer.split(np.zeros(len(items)), y, groups)):
        if k >= n_run:
            break
        model = fold_model(k, [items[i] for i in tr], models)
        log(f"fold {k + 1}/{FOLDS}: replaying {len(te)} held-out streams")
        for i in te:
            steps = replay_with_stages(items[i], model)
            risk = np.array([r for r, _, _ in steps])
            w = first_warning(risk, model.policy)
            ours_warn[i] = None if w is None else w + 1
            ours_author[i] = int(w is not None)
            done.append(i)
            f = analyser_warning(items[i], model)
            full_warn[i] = None if f is None else f + 1
            full_author[i] = int(f is not None)
            for gate in GATES:
                s = first_stage_warning(steps, model, gate)
                both = min((x for x in (w, s) if x is not None), default=None)
                rule_warn[gate][i] = None if both is None else both + 1
                rule_author[gate][i] = int(both is not None)
        if "--no-baseline" in sys.argv:
            continue
        log(f"fold {k + 1}/{FOLDS}: baseline")
        full, warn = baseline_fold([items[i] for i in tr], [items[i] for i in te])
        for j, i in enumerate(te):
            base_author[i] = int(full[j] >= 0.5)
            base_warn[i] = warn[j]
    print(f"streams: {len(done)} of {len(items)} ({n_run} of {FOLDS} folds, grouped by chat, seed {SEED})")

    def sub(values: list) -> list:  # type: ignore[type-arg]
        return [values[i] for i in done]

    held = sub(items)
    summarise("ours: streaming analyser (text model + cues + hysteresis)", held, sub(ours_warn), sub(ours_author))
    for gate in GATES:
        name = f"ours with the stage rule, its risk gate at {gate}"
        shipped = " (shipped)" if gate == StageRule().min_risk else ""
        summarise(name + shipped, held, sub(rule_warn[gate]), sub(rule_author[gate]))
    summarise(
        "ours, the whole analyser as shipped (language test per writer, learned scores, stage rule)",
        held,
        sub(full_warn),
        sub(full_author),
    )
    summarise(
        "baseline: TF-IDF + logistic regression (whole stream; prefixes, p >= 0.5)",
        held,
        sub(base_warn),
        sub(base_author),
    )


if __name__ == "__main__":
    main()
