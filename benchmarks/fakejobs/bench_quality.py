"""Quality of the fake-job model, beside the baseline, all measured in one run.

1. Template-grouped stratified 5-fold CV on the development data (../shared/data/jobs/dev.jsonl):
   the baseline named in issue 12 (scikit-learn TfidfVectorizer + class-balanced
   LogisticRegression, 0.5 cut), the lexical model alone, and the stacked model on its English
   route (`en`) and on its cross-lingual route (`xl`, what Spanish ads get). Every threshold is
   chosen inside the training fold. Also the recall on the fraudulent postings that came through
   the DIFrauD pipeline (the formatting of the honest ones): the source-normalisation check.
   Calibration of the out-of-fold probabilities: Brier score and expected calibration error.
2. The Spanish evaluation set (data/es_eval.jsonl, written by the team, never trained on) and the
   short honest ads (data/short_honest_{en,es}.jsonl): the model fitted on all the development
   data (as shipped, or freshly with --fresh) and the baseline fitted on the same data.

    nice -n 10 .venv/bin/python benchmarks/fakejobs/bench_quality.py   # a few CPU-minutes
    ... bench_quality.py --no-cv --model DIR   # part 2 only, for a model in DIR

Embeddings of the development postings are cached in benchmarks/fakejobs/.cache/ (git-ignored).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from heroes.fakejobs.ad import Ad
from heroes.fakejobs.engine import Checker
from heroes.fakejobs.model import load
from heroes.fakejobs.semantic import EMBED_CHARS, embed
from heroes.fakejobs.training import baseline, cross_validate, load_dataset, metrics

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1].parent / "shared" / "data" / "jobs" / "dev.jsonl"
CACHE = HERE / ".cache"


def cached_embeddings(texts: list[str]) -> np.ndarray:
    key = hashlib.sha256(("\x00".join(texts) + f"|{EMBED_CHARS}").encode()).hexdigest()[:16]
    path = CACHE / f"dev-{key}.npy"
    if path.exists():
        return np.asarray(np.load(path))
    vectors = embed(texts)
    CACHE.mkdir(exist_ok=True)
    np.save(path, vectors)
    return vectors


def calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> dict[str, float]:
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    ece = sum(
        abs(p[which == b].mean() - y[which == b].mean()) * np.mean(which == b)
        for b in range(bins)
        if (which == b).any()
    )
    return {"brier": round(float(np.mean((p - y) ** 2)), 4), "ece": round(float(ece), 4)}


def read(path: Path) -> tuple[list[str], np.ndarray]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows], np.array([int(r["label"]) for r in rows])


def row(name: str, m: dict[str, Any]) -> str:
    return (
        f"{name:<38} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['pr_auc']:>7.3f}"
        f"  {m['confusion_matrix']}"
    )


def grouped_cv(data: Any, sources: np.ndarray) -> None:
    vectors = cached_embeddings(data.texts)
    predictions: dict[str, np.ndarray] = {}
    result = cross_validate(
        data, predictions=predictions, embeddings=vectors, progress=lambda m: print(m, file=sys.stderr)
    )
    y = data.labels
    print(f"{len(y)} postings, {int(y.sum())} fraudulent, {result['groups']} template groups; grouped 5-fold CV")
    print(f"{'model':<38} {'precision':>9} {'recall':>7} {'F1':>6} {'PR-AUC':>7}  confusion [[tn fp] [fn tp]]")
    names = {
        "baseline": "baseline TF-IDF + balanced LR, 0.5",
        "lexical": "lexical model alone (words + chars)",
        "stacked": "stacked, English route (shipped)",
        "stacked_xl": "stacked, cross-lingual route (Spanish)",
        "stacked_one_cut": "stacked, English, without short-ad cut",
    }
    for key, name in names.items():
        print(row(name, result[key]))
    fraud_difraud = (sources == "difraud") & (y == 1)
    for key in names:
        caught = predictions[f"{key}_label"][fraud_difraud].mean()
        fraud_emscad = predictions[f"{key}_label"][(sources == "emscad") & (y == 1)].mean()
        print(
            f"recall per source, {key}: DIFrauD pipeline {caught:.2f} ({fraud_difraud.sum()} frauds), "
            f"EMSCAD {fraud_emscad:.2f}"
        )
    for key in ("stacked", "stacked_xl"):
        print(f"calibration of the out-of-fold {key} probabilities: {calibration(y, predictions[f'{key}_score'])}")
    print(f"thresholds per fold: {result['thresholds_per_fold']}")


def main() -> None:
    if not DATA.exists():
        sys.exit(f"{DATA} is absent; nothing to measure.")
    data = load_dataset(DATA)
    sources = np.array([json.loads(line)["source"] for line in DATA.read_text(encoding="utf-8").splitlines()])
    started = time.process_time()
    y = data.labels
    if "--no-cv" not in sys.argv:
        grouped_cv(data, sources)

    # --- Spanish set and short honest ads: the model fitted on all the development data ---------
    model_dir = Path(sys.argv[sys.argv.index("--model") + 1]) if "--model" in sys.argv else None
    checker = Checker(load(model_dir) if model_dir else None)
    base = baseline().fit(data.texts, y)
    texts, labels = read(HERE / "data" / "es_eval.jsonl")
    rows = checker.score_many([Ad(text=t) for t in texts])
    scores = np.array([r["score"] for r in rows])
    shipped = metrics(labels, scores, np.array([r["label"] == 1 for r in rows]))
    high_honest = sum(r["level"] == "high" for r, label in zip(rows, labels, strict=True) if label == 0)
    base_p = base.predict_proba(texts)[:, 1]
    print(f"\nSpanish evaluation set: {len(labels)} ads, {int(labels.sum())} scams")
    print(row("stacked model (shipped thresholds)", shipped))
    print(row("baseline TF-IDF + balanced LR, 0.5", metrics(labels, base_p, base_p >= 0.5)))
    print(f"honest Spanish ads rated high: {high_honest}")
    for lang in ("en", "es"):
        texts, labels = read(HERE / "data" / f"short_honest_{lang}.jsonl")
        rows = checker.score_many([Ad(text=t) for t in texts])
        fp = np.mean([r["label"] for r in rows])
        high = np.mean([r["level"] == "high" for r in rows])
        base_fp = np.mean(base.predict_proba(texts)[:, 1] >= 0.5)
        one_cut = checker.decisions["en" if lang == "en" else "xl"].threshold
        fp_one_cut = np.mean([r["score"] >= one_cut for r in rows])
        print(
            f"short honest ads ({lang}, {len(texts)}): false positives {fp:.3f} (high {high:.3f}); "
            f"without the short-ad cut {fp_one_cut:.3f}; baseline {base_fp:.3f}"
        )
    print(f"CPU time: {time.process_time() - started:.0f} s")


if __name__ == "__main__":
    main()
