"""Segment level on VTPAN (Vogt et al. 2021): F1, F0.5 of the grooming class and PR-AUC.

Five-fold stratified cross-validation over the 989 segments. In each fold:
- baseline: TF-IDF (word 1-2 grams) + logistic regression trained on the training segments;
- ours, segment model: what `heroes grooming score` uses for plain-text input, i.e. the
  hashed-feature text model trained on the training segments only;
- with --streams, also ours, stream analyser: the text model retrained on the training segments
  plus the PJ/NPS author streams, with the shipped stacker and threshold, each segment read as
  a conversation (speaker turns) by the analyser used for live chats.
VTPAN comes from PAN 2012, itself built from Perverted Justice chats, so the PJ training streams
may contain the very chats of the test segments. We measure that overlap (shared 8-word
shingles) and report ours twice: with all PJ streams, and with every PJ chat that shares
shingles with a test segment removed from that fold's training data.

    .venv/bin/python benchmarks/grooming/bench_segments.py [DATA_DIR] [--streams]
"""

# ruff: noqa: N803, N806  (matrix names X, F, S, Q follow scikit-learn and maths usage)

from __future__ import annotations

import zlib

import numpy as np
from _shared import FOLDS, SEED, baseline, corpus_or_exit, f_beta, featurised, log
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold

from heroes.grooming.analysis import analyse, conversation_from_text
from heroes.grooming.features import Featurizer, tokens
from heroes.grooming.model import GroomingModel, default_model
from heroes.grooming.training import fit_segment_model, fit_text, segment_matrix

SHINGLE = 8


def shingles(text: str) -> set[int]:
    t = tokens(text)
    return {zlib.crc32(" ".join(t[i : i + SHINGLE]).encode()) for i in range(len(t) - SHINGLE + 1)}


def report(name: str, y: np.ndarray, score: np.ndarray, threshold: float) -> None:
    pred = (score >= threshold).astype(int)
    print(
        f"{name:58s} F1 {f_beta(y, pred, 1):.3f}  F0.5 {f_beta(y, pred, 0.5):.3f}  "
        f"PR-AUC {average_precision_score(y, score):.3f}  (threshold {threshold:.3f})"
    )


def main() -> None:
    import sys

    with_streams = "--streams" in sys.argv
    if with_streams:
        sys.argv.remove("--streams")
    corpus = corpus_or_exit()
    segs = corpus.segments
    y = np.array([s.label for s in segs])
    seg_X = segment_matrix(segs, Featurizer())
    folds = list(StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED).split(np.zeros(len(segs)), y))
    base = np.zeros(len(segs))
    head = np.zeros(len(segs))
    for k, (tr, te) in enumerate(folds):
        log(f"fold {k + 1}/{FOLDS}: baseline and segment model")
        vec, clf = baseline()
        clf.fit(vec.fit_transform([segs[i].text for i in tr]), y[tr])
        base[te] = clf.predict_proba(vec.transform([segs[i].text for i in te]))[:, 1]
        seg_model = fit_segment_model(seg_X[tr], y[tr], SEED)
        head[te] = seg_model.predict_proba(seg_X[te])[:, 1]
    print(f"VTPAN segments: {len(segs)} ({int(y.sum())} grooming), {FOLDS}-fold stratified CV, seed {SEED}")
    report("baseline TF-IDF + LR", y, base, 0.5)
    report("ours, segment model (plain-text input of `score`)", y, head, default_model().segment_threshold)
    if with_streams:
        streams(corpus, segs, y, seg_X, folds)


def streams(corpus, segs, y, seg_X, folds) -> None:
    items = featurised(corpus)
    shipped = default_model()
    log("indexing PJ shingles")
    owner: dict[int, set[str]] = {}
    for f in items:
        if f.stream.source.startswith("pj"):
            for line in f.stream.messages:
                for h in shingles(line):
                    owner.setdefault(h, set()).add(f.stream.group)
    seg_groups = []
    for s in segs:
        hits: dict[str, int] = {}
        for h in shingles(s.text):
            for g in owner.get(h, ()):
                hits[g] = hits.get(g, 0) + 1
        seg_groups.append({g for g, n in hits.items() if n >= 2})
    pos_overlap = np.mean([bool(g) for g, s in zip(seg_groups, segs, strict=True) if s.label == 1])
    neg_overlap = np.mean([bool(g) for g, s in zip(seg_groups, segs, strict=True) if s.label == 0])
    ours = np.zeros(len(segs))
    ours_clean = np.zeros(len(segs))
    for k, (tr, te) in enumerate(folds):
        leaked = set().union(*(seg_groups[i] for i in te))
        for name, out, keep in (
            ("all", ours, items),
            ("clean", ours_clean, [f for f in items if f.stream.group not in leaked]),
        ):
            log(f"fold {k + 1}/{FOLDS}: stream analyser ({name}, {len(keep)} streams)")
            text = fit_text(keep, seg_X[tr], y[tr], SEED, shipped.text.n_features)
            model = GroomingModel(text, shipped.stacker, shipped.policy, shipped.stream)
            for i in te:
                out[i] = analyse(conversation_from_text(segs[i].text, segs[i].id), model=model).score
    print(
        f"overlap with PJ chats (>= 2 shared {SHINGLE}-word shingles): grooming segments "
        f"{pos_overlap:.1%}, other segments {neg_overlap:.1%}"
    )
    report("ours, stream analyser, shipped threshold", y, ours, shipped.threshold)
    report("ours, stream analyser, threshold 0.5", y, ours, 0.5)
    report("ours, stream analyser, overlapping PJ chats removed, 0.5", y, ours_clean, 0.5)


if __name__ == "__main__":
    main()
