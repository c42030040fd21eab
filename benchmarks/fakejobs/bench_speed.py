"""Throughput (ads per second, one core) of batch scoring and latency of one check.

    .venv/bin/python benchmarks/fakejobs/bench_speed.py [N]

Uses 10,000 ads (default) drawn from ../shared/data/jobs/dev.jsonl when present, else built from
short sentences. The baseline, measured in the same run on the same ads, is scikit-learn's
TfidfVectorizer + LogisticRegression (fitted on the same texts) predicting probabilities.
"""

from __future__ import annotations

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"  # one core

import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from heroes.fakejobs.ad import Ad  # noqa: E402
from heroes.fakejobs.engine import check, default_checker  # noqa: E402

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "jobs" / "dev.jsonl"
SENTENCES = [
    "We are hiring drivers for our delivery fleet.",
    "Free flights and accommodation are provided.",
    "You will prepare monthly reports for the finance team.",
    "No experience needed, start immediately.",
    "Contact us on WhatsApp for details.",
    "Buscamos camareros para la temporada de verano.",
    "Competitive salary, pension plan and training budget.",
]


def corpus(n: int) -> tuple[list[str], list[int]]:
    rng = random.Random(13)
    if DATA.exists():
        rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
        picked = [rows[rng.randrange(len(rows))] for _ in range(n)]
        return [r["text"] for r in picked], [int(r["label"]) for r in picked]
    texts = [" ".join(rng.choice(SENTENCES) for _ in range(12)) for _ in range(n)]
    return texts, [i % 2 for i in range(n)]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    texts, labels = corpus(n)
    checker = default_checker()
    ads = [Ad(text=t) for t in texts]
    chars = sum(len(t) for t in texts)
    print(f"{n} ads, {chars / n:.0f} characters on average ({'dev.jsonl sample' if DATA.exists() else 'synthetic'})")

    start, cpu = time.perf_counter(), time.process_time()
    checker.score_many(ads)
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"engine batch (classifier + indicators): {total:.2f} s, {n / total:,.0f} ads/s (CPU time {cpu:.2f} s)")

    start = time.perf_counter()
    checker.model.classifier.predict_proba([a.classifier_text() for a in ads])
    clf = time.perf_counter() - start
    print(f"  of which the classifier alone:        {clf:.2f} s, {n / clf:,.0f} ads/s")

    baseline = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)).fit(texts, labels)
    start = time.perf_counter()
    baseline.predict_proba(texts)
    base = time.perf_counter() - start
    print(f"baseline sklearn TF-IDF + LR predict:   {base:.2f} s, {n / base:,.0f} ads/s")

    check(texts[0])  # warm caches
    latencies = []
    for text in texts[:200]:
        start = time.perf_counter()
        check(text)
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    print(
        f"one check with explanations: median {statistics.median(latencies):.1f} ms, "
        f"p95 {latencies[int(0.95 * len(latencies))]:.1f} ms (200 ads)"
    )


if __name__ == "__main__":
    main()
