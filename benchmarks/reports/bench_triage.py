"""Triage throughput on one core: reports per CPU-second through the whole engine (language,
category with the encoder, model, neighbours and phrase evidence, identifiers, urgency), one report
at a time as the intake does, and in batches as the re-triage job does. Every timed text is new to
the encoder's text cache (a report generated before in the run is skipped; no marker is added), so
its forward pass is paid. The first row runs in a fresh process (the encoder's per-token first
layer is computed as tokens are first seen); the others after a warm-up, as in a running server.

Baselines in the same run: a naive keyword matcher over the same phrases (lower-case substring
tests, no explanation), and, with `--baseline-src DIR`, the same measurements with another source
tree (for example main's `src`), in alternating processes so that both see the same machine load.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/reports/bench_triage.py [N] \
        [--baseline-src /path/to/main/src] [--rounds 3] [--reports ../shared/data/reports/dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


def fresh(n: int, seed: int, seen: set[str]) -> list[str]:
    """n generated reports none of which was triaged before in this process, so none is answered
    from the encoder's text cache (the texts are left as generated: no marker is added)."""
    from corpus import make_texts

    out: list[str] = []
    for text in make_texts(n * 4, seed=seed):
        if text not in seen:
            seen.add(text)
            out.append(text)
            if len(out) == n:
                return out
    raise ValueError("the corpus has too few distinct texts for this n")


def measure(n: int, reports_file: str | None = None) -> dict[str, float]:
    """Reports per CPU-second for each part, in this process (one BLAS thread)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from heroes.reports.identifiers import find_in_text
    from heroes.reports.rules import category_rules
    from heroes.reports.triage import ReportInput, classify, triage, triage_many

    def cpu(run: list[str], one: object) -> float:
        start = time.process_time()
        for text in run:
            one(text)  # type: ignore[operator]
        return len(run) / (time.process_time() - start)

    seen: set[str] = set()
    category_rules()
    triage(ReportInput(description="x", country="ES"))  # loads the encoder and the model
    out = {}
    # A fresh process: most tokens' first layer is computed for the first time.
    out["full triage, cold token cache"] = cpu(
        fresh(n, 8, seen), lambda t: triage(ReportInput(description=t, country="ES"))
    )
    for text in fresh(200, 1, seen):  # as in a running server
        triage(ReportInput(description=text, country="ES"))
    keywords = naive_keywords()
    texts = fresh(n, 2, seen)
    out["naive keyword count"] = cpu(texts, lambda t: naive_category(keywords, t))
    out["category alone (classify)"] = cpu(fresh(n, 3, seen), classify)
    out["identifiers"] = cpu(fresh(n, 4, seen), lambda t: find_in_text(t, "ES"))
    out["full triage, one at a time"] = cpu(
        fresh(n, 5, seen), lambda t: triage(ReportInput(description=t, country="ES"))
    )
    batch = [ReportInput(description=t, country="ES") for t in fresh(n, 6, seen)]
    start = time.process_time()
    for first in range(0, n, 64):
        triage_many(batch[first : first + 64])
    out["full triage, batches of 64"] = n / (time.process_time() - start)
    if reports_file:  # longer, real-looking reports (e.g. the development set), each made unique
        import json

        lines = Path(reports_file).read_text(encoding="utf-8").splitlines()
        own = [str(json.loads(line)["text"]) for line in lines if line.strip()]
        out["full triage, one at a time (file)"] = cpu(
            [t for t in dict.fromkeys(own) if t not in seen], lambda t: triage(ReportInput(description=t, country="ES"))
        )
    return out


def naive_category(keywords: dict[str, list[str]], text: str) -> str:
    lowered = text.lower()
    return max(keywords, key=lambda k: sum(w in lowered for w in keywords[k]))


def naive_keywords() -> dict[str, list[str]]:
    from heroes.reports.rules import category_rules

    table: dict[str, list[str]] = {}
    for key, category in category_rules().categories.items():
        words = [p.text.replace("*", "").replace("...", " ") for lang in category.strong for p in category.strong[lang]]
        table[key] = [" ".join(w.split()) for w in words]
    return table


def run_tree(src: str, n: int, reports_file: str | None) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": src, "OMP_NUM_THREADS": "1"}
    extra = ["--reports", reports_file] if reports_file else []
    done = subprocess.run(
        [sys.executable, __file__, str(n), "--measure", *extra], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=400)
    parser.add_argument("--baseline-src", help="another source tree to time the same way (e.g. main's src)")
    parser.add_argument("--src", help="the source tree to time (default: this checkout's src)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reports", help="JSON lines with a `text` field, timed too (e.g. the dev set)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.n, args.reports)))
        return
    here = args.src or str(HERE.parents[1] / "src")
    trees = {"this tree": here} | ({"baseline": args.baseline_src} if args.baseline_src else {})
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(args.rounds):  # alternate, so both trees see the same load
        for name, src in trees.items():
            runs[name].append(run_tree(src, args.n, args.reports))
    load = os.getloadavg()[0]
    print(f"{args.n} reports per part, mean {mean_length(args.n):.0f} characters; median of {args.rounds} rounds")
    print(f"load average {load:.1f}; reports per CPU-second (one BLAS thread)")
    print(f"{'':<30}" + "".join(f"{name:>14}" for name in trees))
    for part in runs["this tree"][0]:
        cells = [statistics.median(r[part] for r in runs[name]) for name in trees]
        print(f"{part:<30}" + "".join(f"{c:>14,.0f}" for c in cells))
    print("rounds:", json.dumps({k: [round(r["full triage, one at a time"]) for r in v] for k, v in runs.items()}))


def mean_length(n: int) -> float:
    texts = fresh(n, 5, set())
    return sum(map(len, texts)) / len(texts)


if __name__ == "__main__":
    main()
