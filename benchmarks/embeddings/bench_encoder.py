"""Speed of the shared sentence encoder on one core: short and long texts, cold and cached.

Baseline in the same run: scikit-learn's HashingVectorizer + TF-IDF on the same texts (the lexical
representation the tools used before), to show what the meaning-carrying representation costs.

.venv/bin/python benchmarks/embeddings/bench_encoder.py [--short 2000] [--long 200]
"""

from __future__ import annotations

import argparse
import os
import random
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

WORDS = [
    "we",
    "are",
    "looking",
    "for",
    "staff",
    "to",
    "join",
    "our",
    "team",
    "in",
    "the",
    "city",
    "centre",
    "flexible",
    "hours",
    "good",
    "pay",
    "training",
    "provided",
    "buscamos",
    "personal",
    "para",
    "unirse",
    "a",
    "nuestro",
    "equipo",
    "en",
    "el",
    "centro",
    "horario",
    "flexible",
    "buen",
    "sueldo",
    "formación",
    "incluida",
]


def texts(n: int, words: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(words)) + f" {i}" for i in range(n)]


def rate(fn, items: list[str]) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(items)
    return len(items) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", type=int, default=2000)
    parser.add_argument("--long", type=int, default=200)
    args = parser.parse_args()

    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

    from heroes.embeddings import get_encoder

    start = time.perf_counter()
    encoder = get_encoder()
    encoder.encode(["warm up"])
    print(f"load (first use)                : {time.perf_counter() - start:8.2f} s")
    short, long = texts(args.short, 12, 1), texts(args.long, 300, 2)

    def lexical(items: list[str]) -> None:
        TfidfTransformer().fit_transform(HashingVectorizer(ngram_range=(1, 2)).transform(items))

    print(f"short texts (12 words), encoder : {rate(encoder.encode, short):8.0f} texts/s")
    print(f"short texts, cached             : {rate(encoder.encode, short):8.0f} texts/s")
    print(f"short texts, TF-IDF baseline    : {rate(lexical, short):8.0f} texts/s")
    print(f"long texts (300 words), encoder : {rate(encoder.encode, long):8.0f} texts/s")
    print(f"long texts, TF-IDF baseline     : {rate(lexical, long):8.0f} texts/s")


if __name__ == "__main__":
    main()
