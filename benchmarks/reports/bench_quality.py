"""Triage quality and speed on the development set, beside the present (pre-issue-13) rules in the same run.

Category: grouped, stratified 5-fold cross-validation (reports whose sentence vectors are nearly the
same stay in one fold); the cases written for the project join every training fold and are never
scored. Urgency: the level rules with the category predicted out of fold. Speed: reports per second
on one core (BLAS and the encoder limited to one thread), one at a time and in batches.

    nice -n 10 .venv/bin/python benchmarks/reports/bench_quality.py [../shared/data/reports/dev.jsonl]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "baseline"))

import present_triage

from heroes.reports import training
from heroes.reports.triage import ReportInput, assess_urgency, extract_identifiers, triage, triage_many

FIRST_WRITTEN_SET = 160  # w001-w160, the cases written before the case-study set
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "reports" / "dev.jsonl"


def table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |")
        if n == 0:
            print("| " + " | ".join("-" * w for w in widths) + " |")


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    data = training.load_dataset([path])
    langs = sorted(set(data.languages))

    # --- category --------------------------------------------------------------------------
    present = [present_triage.classify(t).category for t in data.texts]
    feats = training.features_of(data)
    written = training.load_dataset([training.WRITTEN_CASES])
    extra = (training.features_of(written, feats.classes), written.categories)
    chosen: list[dict[str, float]] = []
    learned = list(training.cross_validate(data, feats, extra, chosen=chosen))
    dev_only = list(training.cross_validate(data, feats))
    linear_only = list(training.cross_validate(data, feats, extra, C=30.0, neighbour_weight=0.0))
    old = [i for i, case in enumerate(written.ids) if int(case.lstrip("w")) <= FIRST_WRITTEN_SET]
    first_set = training.Features(extra[0].vectors[old], extra[0].phrases[old], feats.classes, extra[0].groups[old])
    first_only = list(training.cross_validate(data, feats, (first_set, [written.categories[i] for i in old])))
    rows = [("category accuracy", *langs, "all")]
    for name, predicted in (
        ("present phrase rules", present),
        ("learned, dev folds only (nested C, kNN share)", dev_only),
        (f"learned + first {len(old)} written cases", first_only),
        ("learned + all written cases, no kNN vote (C=30)", linear_only),
        (f"learned + all {len(written.ids)} written cases (shipped)", learned),
    ):
        acc = training.accuracy_by_language(data, predicted)
        rows.append((name, *(f"{acc[lg]:.3f}" for lg in langs), f"{acc['all']:.3f}"))
    print(f"\n{len(data.texts)} reports; {len(set(feats.groups))} groups; grouped 5-fold CV\n")
    table(rows)
    print(f"\nchosen per fold by the inner CV (shipped row): {chosen}")
    for lang in langs:
        confused = Counter(
            (data.categories[i], learned[i])
            for i in range(len(learned))
            if data.languages[i] == lang and learned[i] != data.categories[i]
        )
        print(
            f"{lang} errors (label -> predicted): " + ", ".join(f"{a}->{b} {n}" for (a, b), n in confused.most_common())
        )

    # --- urgency ---------------------------------------------------------------------------
    def present_level(i: int) -> str:
        report = present_triage.ReportInput(description=data.texts[i])
        return present_triage.triage(report).urgency.level

    def new_level(i: int) -> str:
        report = ReportInput(description=data.texts[i])
        return assess_urgency(report, learned[i], extract_identifiers(report)).level

    print()
    rows = [("urgency", "lang", "exact", "1 too low", "2+ too low", "too high", "critical recall")]
    for name, level_of in (("present rules", present_level), ("facts + level rules", new_level)):
        found = [level_of(i) for i in range(len(data.texts))]
        for lang in [*langs, "all"]:
            idx = [i for i, lg in enumerate(data.languages) if lang in ("all", lg)]
            m = training.urgency_metrics([data.urgencies[i] for i in idx], [found[i] for i in idx])
            rows.append(
                (
                    name,
                    lang,
                    f"{m['exact']:.3f}",
                    str(m["one_too_low"]),
                    str(m["two_or_more_too_low"]),
                    str(m["too_high"]),
                    f"{m['critical_recall']:.3f}",
                )
            )
    table(rows)

    # --- speed -----------------------------------------------------------------------------
    texts = data.texts * 3  # 480 reports; the encoder cache is cleared between runs
    from heroes.embeddings import get_encoder

    encoder = get_encoder()
    triage(ReportInput(description="warm up"))
    present_triage.triage(present_triage.ReportInput(description="warm up"))

    def clear() -> None:
        cache = getattr(encoder, "_cache", None)
        if cache is not None:
            cache.clear()

    def timed(label: str, run: object) -> tuple[str, str, str, str]:
        """Wall-clock and CPU time: on a shared machine the CPU time is what one free core would take."""
        clear()
        start, cpu = time.perf_counter(), time.process_time()
        run()  # type: ignore[operator]
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        n = len(texts)
        return (label, f"{n / cpu_seconds:,.0f}", f"{cpu_seconds * 1000 / n:.2f}", f"{n / seconds:,.0f}")

    unique = [f"{t} ({n})" for n, t in enumerate(texts)]  # every text new to the encoder's cache
    print()
    table(
        [
            ("one core", "reports per CPU-second", "CPU ms each", "wall-clock reports/s (shared box)"),
            timed(
                "present rules, one at a time",
                lambda: [present_triage.triage(present_triage.ReportInput(t)) for t in unique],
            ),
            timed("new triage, one at a time", lambda: [triage(ReportInput(t)) for t in unique]),
            timed(
                "new triage, batches of 64",
                lambda: [triage_many([ReportInput(t) for t in unique[i : i + 64]]) for i in range(0, len(unique), 64)],
            ),
        ]
    )
    print(f"\nmean length {sum(map(len, texts)) / len(texts):.0f} characters")


if __name__ == "__main__":
    main()
