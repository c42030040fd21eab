"""Quality with stratified, template-grouped 5-fold cross-validation on the development data:
the plain baseline (scikit-learn TfidfVectorizer + LogisticRegression, defaults, 0.5 cut), the
shipped classifier alone, and classifier + indicators (what `score`/`label` ship), all trained and
scored on the same folds in this run. Also the recall on the few fraudulent postings that came
through the DIFrauD pipeline, a check that the model does not just recognise EMSCAD's formatting.

    nice -n 10 .venv/bin/python benchmarks/fakejobs/bench_quality.py   # ~10 CPU-minutes
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from heroes.fakejobs.training import cross_validate, load_dataset

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "jobs" / "dev.jsonl"


def main() -> None:
    if not DATA.exists():
        sys.exit(f"{DATA} is absent; nothing to measure.")
    data = load_dataset(DATA)
    sources = np.array([json.loads(line)["source"] for line in DATA.read_text(encoding="utf-8").splitlines()])
    started = time.process_time()
    predictions: dict[str, np.ndarray] = {}
    result = cross_validate(data, predictions=predictions, progress=lambda m: print(m, file=sys.stderr))
    print(f"{len(data.texts)} postings, {int(data.labels.sum())} fraudulent, {result['groups']} template groups")
    print(f"{'model':<34} {'precision':>9} {'recall':>7} {'F1':>6} {'PR-AUC':>7}  confusion [[tn fp] [fn tp]]")
    names = {
        "baseline": "baseline TF-IDF + LR (defaults)",
        "classifier": "classifier (words + chars, cal.)",
        "combined": "classifier + indicators (shipped)",
    }
    for key, name in names.items():
        m = result[key]
        print(
            f"{name:<34} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['pr_auc']:>7.3f}"
            f"  {m['confusion_matrix']}"
        )
    fraud_difraud = (sources == "difraud") & (data.labels == 1)
    for key in names:
        caught = predictions[f"{key}_label"][fraud_difraud].mean()
        print(f"recall on the {fraud_difraud.sum()} DIFrauD-pipeline frauds, {key}: {caught:.2f}")
    print(f"thresholds per fold: {result['thresholds_per_fold']}")
    print(f"CPU time: {time.process_time() - started:.0f} s")


if __name__ == "__main__":
    main()
