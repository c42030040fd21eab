"""Throughput (ads per second, one core) of batch scoring and latency of one check.

    .venv/bin/python benchmarks/fakejobs/bench_speed.py [N]

Uses N distinct ads (default 2,000) drawn without replacement from ../shared/data/jobs/dev.jsonl
when present, else built from short sentences; distinct, so that the encoder's cache never
answers. The encoder's weights are loaded before timing. The baseline, measured in the same run
on the same ads, is scikit-learn's TfidfVectorizer + class-balanced LogisticRegression (fitted on
the same texts) predicting probabilities. CPU times are printed beside wall times: on a shared
machine the wall time measures the neighbours too.
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

from heroes.embeddings import get_encoder  # noqa: E402
from heroes.fakejobs.ad import Ad  # noqa: E402
from heroes.fakejobs.engine import check, default_checker  # noqa: E402
from heroes.fakejobs.semantic import embed  # noqa: E402

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
        picked = rng.sample(rows, min(n, len(rows)))
        return [r["text"] for r in picked], [int(r["label"]) for r in picked]
    texts = [" ".join(rng.choice(SENTENCES) for _ in range(12)) for _ in range(n)]
    return texts, [i % 2 for i in range(n)]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    texts, labels = corpus(n)
    n = len(texts)
    checker = default_checker()
    embed(["warm-up: load the encoder's weights"])
    ads = [Ad(text=t) for t in texts]
    chars = sum(len(t) for t in texts)
    print(f"{n} ads, {chars / n:.0f} characters on average ({'dev.jsonl sample' if DATA.exists() else 'synthetic'})")

    start, cpu = time.perf_counter(), time.process_time()
    checker.score_many(ads)
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    batch_cpu = cpu
    print(
        f"engine batch (stacked model + indicators): {total:.2f} s, {n / total:,.0f} ads/s (CPU time {cpu:.2f} s, "
        f"{n / cpu:,.0f} ads per CPU-second)"
    )

    start = time.perf_counter()
    checker.model.classifier.predict_proba([a.classifier_text() for a in ads])
    clf = time.perf_counter() - start
    print(f"  of which the lexical model alone:     {clf:.2f} s, {n / clf:,.0f} ads/s")
    get_encoder()._cache.clear()  # type: ignore[attr-defined]
    start, cpu = time.perf_counter(), time.process_time()
    embed([a.classifier_text() for a in ads])
    enc, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  of which the sentence encoder alone:  {enc:.2f} s, {n / enc:,.0f} ads/s (CPU time {cpu:.2f} s)")
    print(f"  everything but the encoder:           CPU time {batch_cpu - cpu:.2f} s")

    baseline = make_pipeline(TfidfVectorizer(sublinear_tf=True), LogisticRegression(class_weight="balanced")).fit(
        texts, labels
    )
    start = time.perf_counter()
    baseline.predict_proba(texts)
    base = time.perf_counter() - start
    print(f"baseline sklearn TF-IDF + LR predict:   {base:.2f} s, {n / base:,.0f} ads/s")

    check(texts[0])  # warm caches
    get_encoder()._cache.clear()  # type: ignore[attr-defined]
    latencies, cpu_times = [], []
    for text in texts[:200]:
        start, cpu = time.perf_counter(), time.process_time()
        check(text)
        latencies.append((time.perf_counter() - start) * 1000)
        cpu_times.append((time.process_time() - cpu) * 1000)
    latencies.sort()
    cpu_times.sort()
    print(
        f"one check with explanations: median {statistics.median(latencies):.1f} ms, "
        f"p95 {latencies[int(0.95 * len(latencies))]:.1f} ms wall; CPU median {statistics.median(cpu_times):.1f} ms, "
        f"p95 {cpu_times[int(0.95 * len(cpu_times))]:.1f} ms (200 ads)"
    )


if __name__ == "__main__":
    main()
