"""Phone finding: ``Phone.find`` (libphonenumber's matcher with its per-span step memoised) against the
plain matcher loop it replaced, on the same texts in the same run, and the two outputs compared.

    PYTHONPATH=src python benchmarks/entities/bench_phones.py [--data /work/shared/data/ads] [--repeat 3]

Texts: sentences written here with numbers in many forms (always), and the dev ads' bodies when the
data is present (read in the region of their market). "cold" is the first pass with empty caches;
"warm" passes see the same texts again, as a collection of reposted ads does. Figures only, no text.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from pathlib import Path

import phonenumbers

from heroes.entities import phones
from heroes.entities.banking import IBAN
from heroes.entities.base import Entity

FORMS = [
    "call {a} {b} {c}",
    "({a}) {b}-{c} after six",
    "+1 {a}.{b}.{c}",
    "text me at 1{a}{b}{c} or +34 612 34 56 78",
    "ask for room {b}, price 120, age 25, {a}-{b}-{c}",
    "meeting on 2017/10/05 at 12:30, ref {b}{c}",
    "IBAN ES91 2100 0418 4502 0005 1332, tel {a} {b} {c}",
    "00 44 20 7946 {c} or 0044 20 7946 {c}",
]


def generated(n: int, seed: int = 3) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [
            rng.choice(FORMS).format(a=rng.randint(200, 999), b=rng.randint(200, 999), c=f"{rng.randint(0, 9999):04d}")
            for _ in range(rng.randint(1, 4))
        ]
        out.append((". ".join(parts), rng.choice(["US", "ES", "GB", "MX", ""])))
    return out


def plain_find(text: str, region: str | None, strict: bool = False) -> Iterator[Entity]:
    """The loop ``Phone.find`` ran before: the library's matcher, every candidate parsed afresh."""
    leniency = phonenumbers.Leniency.VALID if strict else phonenumbers.Leniency.POSSIBLE
    accounts = [m.span() for m in IBAN.finditer(text)]
    try:
        for match in phonenumbers.PhoneNumberMatcher(text, phones._region(region), leniency=leniency):
            status = phones._status(match.number)
            if status is None or any(a <= match.start and match.end <= b for a, b in accounts):
                continue
            detail = phonenumbers.region_code_for_number(match.number) or ""
            yield Entity("phone", phones.e164(match.number), match.raw_string, match.start, match.end, status, detail)
    except Exception:
        return


def clear_caches() -> None:
    phones._SPANS.clear()
    phones._DESCRIBED.clear()
    phones._parse.cache_clear()


def run(label: str, texts: list[tuple[str, str]], repeat: int) -> None:
    finder = phones.Phone()
    for strict in (False, True):
        start = time.process_time()
        expected = [list(plain_find(t, r, strict)) for t, r in texts]
        plain = time.process_time() - start
        clear_caches()
        passes = []
        for _ in range(repeat):
            start = time.process_time()
            found = [list(finder.find(t, r, strict)) for t, r in texts]
            passes.append(time.process_time() - start)
            if found != expected:
                raise SystemExit(f"{label}: Phone.find differs from the plain matcher")
        n = len(texts)
        numbers = sum(len(f) for f in expected)
        print(
            f"| {label} | {'VALID' if strict else 'POSSIBLE'} | {n} | {numbers} | {plain / n * 1000:.3f} ms "
            f"| {passes[0] / n * 1000:.3f} ms ({plain / passes[0]:.1f}x) "
            f"| {passes[-1] / n * 1000:.3f} ms ({plain / passes[-1]:.1f}x) | identical |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/ads"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| texts | leniency | texts | numbers | plain matcher per text | memoised, cold | memoised, warm | output |")
    print("|---|---|---|---|---|---|---|---|")
    run("generated", generated(5000), args.repeat)
    if (args.data / "dev.jsonl").is_file():
        from heroes.osint.ads import read_jsonl
        from heroes.osint.places import region_of

        ads = read_jsonl(args.data / "dev.jsonl")
        run("dev ads", [(a.body, region_of(a.location, "US")) for a in ads], args.repeat)
    else:
        print(f"no {args.data}/dev.jsonl: dev ads skipped")


if __name__ == "__main__":
    main()
