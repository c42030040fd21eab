"""The variants of screen_variants.py fitted on all the development data, scored on the Spanish
evaluation set and the short honest ads, beside the current model fitted in the same run.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/fakejobs/screen_eval_sets.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screen_variants import (
    DATA,
    HERE,
    cached,
    embed_chunks,
    embed_whole,
    indicator_hits,
    oof_linear,
)

from heroes.fakejobs.lang import detect_language
from heroes.fakejobs.model import brevity, logit, plain_short
from heroes.fakejobs.training import SEED, Parts, choose_decision, indicator_evidence, load_dataset

HGB = {"max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 20}


def read(path: Path) -> tuple[list[str], np.ndarray]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows], np.array([int(r["label"]) for r in rows])


def main() -> None:
    started = time.process_time()
    data = load_dataset(DATA)
    texts, y = data.texts, data.labels
    whole = cached("dev", texts, embed_whole)
    parts = Parts.build(texts, y, whole, SEED)
    all_texts = texts + parts.opening_texts + parts.supplement_texts
    chunks = cached("chunks", all_texts, embed_chunks)
    hits = indicator_hits(all_texts)
    words_log = np.log1p([len(t.split()) for t in all_texts])
    n_short = len(parts.supplement_texts)
    yt = np.r_[y, y[parts.opening_of], np.zeros(n_short, dtype=np.int64)]
    gt = np.r_[parts.groups, parts.groups[parts.opening_of], parts.groups.max() + 1 + np.arange(n_short)]
    real = np.r_[np.ones(len(texts), dtype=bool), np.zeros(len(yt) - len(texts), dtype=bool)]
    model = parts.fit(np.arange(len(texts)), SEED).model
    whole_all = np.vstack([whole, parts.opening_embeddings, parts.supplement_embeddings])
    tr: dict[str, np.ndarray] = {
        "lexical": logit(model.classifier.oof_proba_),
        "semantic": oof_linear(whole_all, yt, gt),
        "indicators": np.r_[parts.indicators, parts.opening_indicators, parts.supplement_indicators],
        "brevity": brevity(all_texts),
        "chunks": oof_linear(chunks, yt, gt),
    }
    head = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000, random_state=SEED).fit(chunks, yt)
    short_tr = plain_short(all_texts, tr["indicators"])
    print(f"fitted ({time.process_time() - started:.0f} CPU-s)", file=sys.stderr)

    def lr_stack(feats: tuple[str, ...]) -> tuple[Any, dict[str, float]]:
        s = LogisticRegression(C=1.0).fit(np.column_stack([tr[f] for f in feats]), yt)
        p = s.predict_proba(np.column_stack([tr[f] for f in feats]))[:, 1]
        return s, choose_decision(p[real], yt[real], short_tr[real], "lexical" in feats)

    def hgb_stack(feats: tuple[str, ...]) -> tuple[Any, dict[str, float]]:
        x = np.column_stack([tr[f] for f in feats] + [hits, words_log])
        p = np.zeros(len(yt))
        from sklearn.model_selection import StratifiedGroupKFold

        for a, b in StratifiedGroupKFold(4, shuffle=True, random_state=SEED).split(x, yt, gt):
            p[b] = HistGradientBoostingClassifier(random_state=SEED, **HGB).fit(x[a], yt[a]).predict_proba(x[b])[:, 1]
        g = HistGradientBoostingClassifier(random_state=SEED, **HGB).fit(x, yt)
        return g, choose_decision(p[real], yt[real], short_tr[real], "lexical" in feats)

    base = ("lexical", "semantic", "indicators", "brevity")
    variants = {
        "current": {"en": (base, "lr"), "xl": (("semantic", "indicators", "brevity"), "lr")},
        "chunks": {"en": ((*base, "chunks"), "lr"), "xl": (("semantic", "chunks", "indicators", "brevity"), "lr")},
        "chunks_only": {
            "en": (("lexical", "chunks", "indicators", "brevity"), "lr"),
            "xl": (("chunks", "indicators", "brevity"), "lr"),
        },
        "hgb": {"en": ((*base, "chunks"), "hgb"), "xl": (("semantic", "chunks", "indicators", "brevity"), "hgb")},
        "hgb_base": {"en": (base, "hgb"), "xl": (("semantic", "indicators", "brevity"), "hgb")},
    }
    fitted = {
        (v, r): (lr_stack if kind == "lr" else hgb_stack)(feats)
        for v, routes in variants.items()
        for r, (feats, kind) in routes.items()
    }
    sets = {name: read(HERE / "data" / f"{name}.jsonl") for name in ("es_eval", "short_honest_en", "short_honest_es")}
    for name, (ev_texts, ev_y) in sets.items():
        langs = [detect_language(t) for t in ev_texts]
        routes = np.array(["en" if lang == "en" else "xl" for lang in langs])
        ind = indicator_evidence(ev_texts)
        te = {
            "lexical": logit(model.classifier.predict_proba(ev_texts)[:, 1]),
            "semantic": model.semantic_scores(embed_whole(ev_texts)),
            "indicators": ind,
            "brevity": brevity(ev_texts),
            "chunks": head.decision_function(embed_chunks(ev_texts)),
        }
        x_extra = [indicator_hits(ev_texts), np.log1p([len(t.split()) for t in ev_texts])]
        short = plain_short(ev_texts, ind)
        for v, spec in variants.items():
            p = np.zeros(len(ev_texts))
            pred = np.zeros(len(ev_texts), dtype=bool)
            for r in ("en", "xl"):
                rows = routes == r
                if not rows.any():
                    continue
                feats, kind = spec[r]
                est, dec = fitted[(v, r)]
                x = np.column_stack(
                    [te[f][rows] for f in feats] + ([e[rows] for e in x_extra] if kind == "hgb" else [])
                )
                p[rows] = est.predict_proba(x)[:, 1]
                pred[rows] = p[rows] >= np.where(short[rows], dec["short_threshold"], dec["threshold"])
            if ev_y.sum():
                tp = np.sum(pred & (ev_y == 1))
                prec, rec = tp / max(pred.sum(), 1), tp / ev_y.sum()
                f1 = 2 * prec * rec / max(prec + rec, 1e-9)
                ap = average_precision_score(ev_y, p)
                counts = dict(zip(*np.unique(routes, return_counts=True), strict=True))
                print(f"{name:<16} {v:<12} P {prec:.3f} R {rec:.3f} F1 {f1:.3f} PR-AUC {ap:.3f} routes {counts}")
            else:
                print(f"{name:<16} {v:<12} flagged {pred.mean():.3f}")
    for (v, r), (_, dec) in fitted.items():
        print(f"decision {v}/{r}: {dec}")
    print(f"CPU time: {time.process_time() - started:.0f} s")


if __name__ == "__main__":
    main()
