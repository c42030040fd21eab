"""Screens of model variants against the current model, on the same template-grouped folds.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/fakejobs/screen_variants.py

Per outer fold the current model is trained exactly as `heroes fakejobs train` trains it
(training.Parts.fit), and the variants reuse its lexical part and out-of-fold scores, so every
difference printed is the variant's own. Variants (issue 12, untried before this run):

- chunks: the shipped encoder on several windows of each ad (sentences packed into windows of
  about `WINDOW` characters, up to `MAX_WINDOWS`), mean- and max-pooled into one 1,024-d vector,
  with a logistic-regression head like the current one;
- hgb: scikit-learn HistGradientBoosting stacked over the current scores, the chunk head, the
  indicator log-odds, one column per indicator and the length;
- masked: the lexical model refitted on text whose digits, e-mail addresses and links are
  replaced by placeholders (a template's phone numbers and addresses say which template it is,
  not whether it is a scam), compared as a head beside the current lexical head.

Thresholds are chosen inside the training fold on out-of-fold scores (best F1; the short-ad cut
for English as shipped). Embeddings are cached in benchmarks/fakejobs/.cache/ (git-ignored).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedGroupKFold

from heroes.embeddings import encode
from heroes.fakejobs.ad import Ad
from heroes.fakejobs.indicators import find_indicators, load_indicators
from heroes.fakejobs.model import brevity, logit, plain_short
from heroes.fakejobs.semantic import EMBED_CHARS
from heroes.fakejobs.text import normalise
from heroes.fakejobs.training import (
    INNER_FOLDS,
    SEED,
    Parts,
    choose_decision,
    load_dataset,
    predict_columns,
)

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1].parent / "shared" / "data" / "jobs" / "dev.jsonl"
CACHE = HERE / ".cache"
WINDOW = 400
MAX_WINDOWS = 8
_SENT = re.compile(r"(?<=[.!?;:])\s+")
_MASKS = [
    (re.compile(r"\S+@\S+"), " zemail "),
    (re.compile(r"(https?://|www\.)\S+"), " zlink "),
    (re.compile(r"\d"), "0"),
]


def windows(text: str) -> list[str]:
    """Sentences of the normalised text packed into windows of about WINDOW characters."""
    norm = normalise(text)
    if not norm:
        return [" "]
    out: list[str] = []
    current = ""
    for sentence in _SENT.split(norm):
        while len(sentence) > WINDOW:
            out.append(sentence[:WINDOW])
            sentence = sentence[WINDOW:]
        if current and len(current) + len(sentence) + 1 > WINDOW:
            out.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out[:MAX_WINDOWS] or [" "]


def cached(name: str, texts: list[str], compute: Any) -> np.ndarray:
    key = hashlib.sha256(("\x00".join(texts) + f"|{name}").encode()).hexdigest()[:16]
    path = CACHE / f"{name}-{key}.npy"
    if path.exists():
        return np.asarray(np.load(path))
    value = compute(texts)
    CACHE.mkdir(exist_ok=True)
    np.save(path, value)
    return np.asarray(value)


def embed_whole(texts: list[str]) -> np.ndarray:
    return encode([normalise(t)[:EMBED_CHARS] or " " for t in texts])


def embed_chunks(texts: list[str]) -> np.ndarray:
    pieces = [windows(t) for t in texts]
    flat = [p for ps in pieces for p in ps]
    vectors = encode(flat)
    out = np.zeros((len(texts), 2 * vectors.shape[1]), dtype=np.float32)
    start = 0
    for i, ps in enumerate(pieces):
        block = vectors[start : start + len(ps)]
        out[i] = np.r_[block.mean(axis=0), block.max(axis=0)]
        start += len(ps)
    return out


def masked(text: str) -> str:
    t = normalise(text)
    for pattern, repl in _MASKS:
        t = pattern.sub(repl, t)
    return t


IDS = [i.id for i in load_indicators()]


def indicator_hits(texts: list[str]) -> np.ndarray:
    out = np.zeros((len(texts), len(IDS)), dtype=np.float32)
    for r, t in enumerate(texts):
        for h in find_indicators(Ad(text=t)):
            out[r, IDS.index(h.indicator.id)] = 1.0
    return out


def oof_linear(x: np.ndarray, y: np.ndarray, groups: np.ndarray, C: float = 1.0) -> np.ndarray:  # noqa: N803
    out = np.zeros(len(y))
    for train, test in StratifiedGroupKFold(INNER_FOLDS, shuffle=True, random_state=SEED).split(x, y, groups):
        lr = LogisticRegression(C=C, class_weight="balanced", max_iter=3000, random_state=SEED)
        lr.fit(x[train], y[train])
        out[test] = lr.decision_function(x[test])
    return out


def main() -> None:
    started = time.process_time()
    data = load_dataset(DATA)
    sources = np.array([json.loads(line)["source"] for line in DATA.read_text(encoding="utf-8").splitlines()])
    texts, y = data.texts, data.labels
    whole = cached("dev", texts, embed_whole)
    parts = Parts.build(texts, y, whole, SEED)
    print(f"parts built ({time.process_time() - started:.0f} CPU-s)", file=sys.stderr)
    all_texts = texts + parts.opening_texts + parts.supplement_texts
    n, m = len(texts), len(parts.opening_texts)
    chunks = cached("chunks", all_texts, embed_chunks)
    print(f"chunk embeddings {chunks.shape} ({time.process_time() - started:.0f} CPU-s)", file=sys.stderr)
    hits = indicator_hits(all_texts)
    masked_texts = [masked(t) for t in all_texts]
    words_log = np.log1p([len(t.split()) for t in all_texts])
    scores: dict[str, np.ndarray] = {}
    labels: dict[str, np.ndarray] = {}
    per_fold: list[dict[str, float]] = []
    outer = StratifiedGroupKFold(5, shuffle=True, random_state=SEED)
    for k, (train, test) in enumerate(outer.split(texts, y, parts.groups), start=1):
        fitted = parts.fit(train, SEED)
        model = fitted.model
        extra = np.nonzero(np.isin(parts.opening_of, train))[0]
        rows = np.r_[train, n + extra, n + m + np.arange(len(parts.supplement_texts))]  # index in all_texts
        yt = np.r_[y[train], y[parts.opening_of[extra]], np.zeros(len(parts.supplement_texts), dtype=np.int64)]
        gt = np.r_[
            parts.groups[train],
            parts.groups[parts.opening_of[extra]],
            parts.groups.max() + 1 + np.arange(len(parts.supplement_texts)),
        ]
        real = np.r_[np.ones(len(train), dtype=bool), np.zeros(len(rows) - len(train), dtype=bool)]
        tr_texts = [all_texts[i] for i in rows]
        te_texts = [texts[i] for i in test]
        # Columns of the current model: out-of-fold on the training rows, fitted model on the test rows.
        whole_all = np.vstack([whole, parts.opening_embeddings, parts.supplement_embeddings])
        ind_all = np.r_[parts.indicators, parts.opening_indicators, parts.supplement_indicators]
        tr = {
            "lexical": logit(model.classifier.oof_proba_),
            "semantic": oof_linear(whole_all[rows], yt, gt),
            "indicators": ind_all[rows],
            "brevity": brevity(tr_texts),
        }
        te = predict_columns(model, te_texts, whole[test], parts.indicators[test])
        # (a) chunk head
        tr["chunks"] = oof_linear(chunks[rows], yt, gt)
        lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000, random_state=SEED)
        lr.fit(chunks[rows], yt)
        te["chunks"] = lr.decision_function(chunks[test])
        # (c) the lexical model refitted on text whose digits, e-mail addresses and links are
        # masked (one fit per fold: compared as a head, beside the current lexical head)
        lex = model.classifier
        space, coef, intercept = lex._fit_linear([masked_texts[i] for i in rows], yt)
        te["masked"] = space.transform([masked_texts[i] for i in test]) @ coef + intercept
        print(f"fold {k}: parts ready ({time.process_time() - started:.0f} CPU-s)", file=sys.stderr)

        short_tr = plain_short(tr_texts, tr["indicators"])
        short_te = plain_short(te_texts, te["indicators"])

        def lr_stack(feats: tuple[str, ...], tr: Any = tr, te: Any = te, yt: Any = yt) -> tuple[Any, np.ndarray]:
            s = LogisticRegression(C=1.0).fit(np.column_stack([tr[f] for f in feats]), yt)
            # out-of-fold stacker probabilities on training rows for the threshold (as shipped:
            # the stacker's own in-sample output on out-of-fold columns)
            p_tr = s.predict_proba(np.column_stack([tr[f] for f in feats]))[:, 1]
            return p_tr, s.predict_proba(np.column_stack([te[f] for f in feats]))[:, 1]

        def hgb_stack(
            feats: tuple[str, ...],
            tr: Any = tr,
            te: Any = te,
            yt: Any = yt,
            gt: Any = gt,
            rows: Any = rows,
            test: Any = test,
        ) -> tuple[Any, np.ndarray]:
            xtr = np.column_stack([tr[f] for f in feats] + [hits[rows], words_log[rows]])
            xte = np.column_stack([te[f] for f in feats] + [hits[test], words_log[test]])
            params = {"max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 20}
            p_tr = np.zeros(len(yt))
            for a, b in StratifiedGroupKFold(INNER_FOLDS, shuffle=True, random_state=SEED).split(xtr, yt, gt):
                g = HistGradientBoostingClassifier(random_state=SEED, **params).fit(xtr[a], yt[a])
                p_tr[b] = g.predict_proba(xtr[b])[:, 1]
            g = HistGradientBoostingClassifier(random_state=SEED, **params).fit(xtr, yt)
            return p_tr, g.predict_proba(xte)[:, 1]

        base = ("lexical", "semantic", "indicators", "brevity")
        variants = {
            "current_en": (None, model.stackers["en"].proba(te)),
            "current_xl": (None, model.stackers["xl"].proba(te)),
            "lr_refit_en": lr_stack(base),
            "chunks_en": lr_stack((*base, "chunks")),
            "chunks_only_en": lr_stack(("lexical", "chunks", "indicators", "brevity")),
            "chunks_xl": lr_stack(("chunks", "indicators", "brevity")),
            "semchunks_xl": lr_stack(("semantic", "chunks", "indicators", "brevity")),
            "hgb_en": hgb_stack((*base, "chunks")),
            "hgb_base_en": hgb_stack(base),
            "hgb_xl": hgb_stack(("semantic", "chunks", "indicators", "brevity")),
        }
        info: dict[str, float] = {}
        for name, (p_tr, p_te) in variants.items():
            if p_tr is None:
                route = name.split("_")[1]
                d = model.decisions[route]
                cut = np.where(short_te, d.cut(True), d.threshold)
            else:
                dec = choose_decision(p_tr[real], yt[real], short_tr[real], name.endswith("_en"))
                cut = np.where(short_te, dec["short_threshold"], dec["threshold"])
                info[name] = dec["threshold"]
            scores.setdefault(name, np.zeros(n))[test] = p_te
            labels.setdefault(name, np.zeros(n, dtype=bool))[test] = p_te >= cut
        for col in ("lexical", "semantic", "chunks", "masked"):
            scores.setdefault(f"head:{col}", np.zeros(n))[test] = te[col]
        per_fold.append(info)
        done = np.isin(np.arange(n), np.concatenate([t for _, t in list(outer.split(texts, y, parts.groups))[:k]]))
        for name in scores:
            ap = average_precision_score(y[done], scores[name][done])
            print(f"  after fold {k}: {name:<18} PR-AUC {ap:.3f}", file=sys.stderr)
        print(f"fold {k} done ({time.process_time() - started:.0f} CPU-s)", file=sys.stderr)

    print(f"{n} postings, grouped 5-fold CV; windows of {WINDOW} chars, up to {MAX_WINDOWS}")
    print(f"{'variant':<18} {'P':>6} {'R':>6} {'F1':>6} {'PR-AUC':>7}  recall DIFrauD / EMSCAD")
    for name in labels:
        pred = labels[name]
        tp = np.sum(pred & (y == 1))
        p = tp / max(pred.sum(), 1)
        r = tp / y.sum()
        f1 = 2 * p * r / max(p + r, 1e-9)
        ap = average_precision_score(y, scores[name])
        rd = pred[(sources == "difraud") & (y == 1)].mean()
        re_ = pred[(sources == "emscad") & (y == 1)].mean()
        print(f"{name:<18} {p:6.3f} {r:6.3f} {f1:6.3f} {ap:7.3f}  {rd:.2f} / {re_:.2f}")
    for name in [k for k in scores if k.startswith("head:")]:
        print(f"{name:<18} PR-AUC {average_precision_score(y, scores[name]):.3f}")
    print(f"thresholds per fold: {per_fold}")
    np.savez(CACHE / "screen_scores.npz", y=y, sources=sources, **{k.replace(":", "_"): v for k, v in scores.items()})
    print(f"CPU time: {time.process_time() - started:.0f} s")


if __name__ == "__main__":
    main()
