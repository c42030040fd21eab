"""Triage throughput: reports per second through the whole engine (language, category with
evidence, identifiers, urgency), and per part; baseline: a naive keyword matcher over the same
phrases (lower-case substring tests, no explanation), measured in the same run.

    nice -n 10 .venv/bin/python benchmarks/reports/bench_triage.py [N]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import make_texts

from heroes.reports.identifiers import find_in_text
from heroes.reports.rules import category_rules
from heroes.reports.triage import ReportInput, classify, triage


def rate(label: str, n: int, seconds: float) -> None:
    print(f"{label:<44} {n / seconds:>10,.0f} reports/s  ({seconds * 1000 / n:.3f} ms each)")


def naive_keywords() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for key, category in category_rules().categories.items():
        words = [p.text.replace("*", "").replace("...", " ") for lang in category.strong for p in category.strong[lang]]
        table[key] = [" ".join(w.split()) for w in words]
    return table


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    texts = make_texts(n)
    category_rules()  # load and compile the rules outside the timing
    triage(ReportInput(description=texts[0], country="ES"))

    keywords = naive_keywords()
    start = time.perf_counter()
    for text in texts:
        lowered = text.lower()
        max(keywords, key=lambda k: sum(w in lowered for w in keywords[k]))
    rate("baseline: naive keyword count", n, time.perf_counter() - start)

    start = time.perf_counter()
    for text in texts:
        classify(text)
    rate("classify (encoder, model, phrases)", n, time.perf_counter() - start)

    start = time.perf_counter()
    for text in texts:
        find_in_text(text, "ES")
    rate("identifiers (phones, e-mails, URLs, ...)", n, time.perf_counter() - start)

    start = time.perf_counter()
    for text in texts:
        triage(ReportInput(description=text, country="ES"))
    rate("full triage (texts already in the encoder cache)", n, time.perf_counter() - start)
    print(f"texts: {n}, mean length {sum(map(len, texts)) / n:.0f} characters")


if __name__ == "__main__":
    main()
