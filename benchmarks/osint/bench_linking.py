"""Linking figures on the dev ads (pairwise P/R/F1 against `group`), with contacts in the text and with every
contact removed, each beside a TF-IDF cosine + connected-components baseline; then clustering time and
memory on ads synthesised from the dev ads by templated variation, inline and on a local Ray.

    PYTHONPATH=src python benchmarks/osint/bench_linking.py [--data DIR] [--tune] [--sizes 10000,100000]
        [--runners inline,ray]

Prints figures only (never ad text). The data is not part of the product; the benchmark skips without it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Indel

from heroes.core.fanout import get_fanout
from heroes.osint.ads import Ad, read_jsonl
from heroes.osint.cluster import BLOCK_ROWS, ClusterParams, cluster_ads, neighbours_chunk, tfidf_matrix, tokenize
from heroes.osint.evaluate import pairwise, tfidf_components
from heroes.osint.templates_align import Template, template_of

FAKES = re.compile(
    r"\d{3}-555-01\d\d|555-01\d\d|user[_-]\d{4}|\S*example\.(?:org|com|net|edu|invalid)\S*|(?<=TER)\s*\d+|(?<=ID)\s*\d+",
    re.IGNORECASE,
)


def strip_contacts(ad: Ad) -> Ad:
    """The README's rehearsal of the held-back text-only copy: fakes become a space, a last link line goes."""
    lines = ad.text.split("\n")
    if lines and lines[-1].strip().startswith("http"):
        lines = lines[:-1]
    text = FAKES.sub(" ", "\n".join(lines))
    return Ad(ad.id, FAKES.sub(" ", ad.title), ad.location, ad.age, text)


def by_size(predicted: list[str], groups: list[str]) -> str:
    sizes = Counter(groups)
    parts = []
    for name, low, high in (("2-5", 2, 5), ("6-20", 6, 20), (">20", 21, 10**9)):
        keep = [i for i, g in enumerate(groups) if low <= sizes[g] <= high]
        s = pairwise([predicted[i] for i in keep], [groups[i] for i in keep])
        parts.append(f"{name}: R={s.recall:.3f}")
    return "; ".join(parts)


def report(name: str, predicted: list[str], groups: list[str], seconds: float, held_f1: float) -> None:
    s = pairwise(predicted, groups)
    print(
        f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.predicted_pairs} | {seconds:.1f} s | "
        f"{by_size(predicted, groups)} | {held_f1:.3f} |",
        flush=True,
    )


BASELINE_THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
TUNE_SAVINGS = (60.0, 100.0, 140.0)
TUNE_NEIGHBOURS = (10, 30)
TUNE_CROSS = (400.0, 800.0, 1600.0)


def tuning_split(groups: list[str], seed: int = 7) -> tuple[list[int], list[int]]:
    """Half of the groups (seeded shuffle) to tune on, the other half held out; all of a group on one side."""
    names = sorted(set(groups))
    random.Random(seed).shuffle(names)
    tune = set(names[::2])
    return [i for i, g in enumerate(groups) if g in tune], [i for i, g in enumerate(groups) if g not in tune]


def tune(ads: list[Ad], groups: list[str], label: str) -> tuple[ClusterParams, float]:
    """Text-only parameters and the baseline's threshold, each chosen by F1 on the tuning half only."""
    half, _ = tuning_split(groups)
    items, truth = [ads[i] for i in half], [groups[i] for i in half]
    best: tuple[float, ClusterParams] = (-1.0, ClusterParams())
    for neighbours in TUNE_NEIGHBOURS:
        for bits in TUNE_SAVINGS:
            params = ClusterParams(neighbours=neighbours, min_saving_bits=bits, use_contacts=False)
            s = pairwise(cluster_ads(items, params).cluster, truth)
            print(f"  tune {label}: neighbours={neighbours} min_saving_bits={bits:g}: F1={s.f1:.3f}", flush=True)
            best = max(best, (s.f1, params), key=lambda x: x[0])
    if label == "contacts in text":  # the bar for a text link between two different contacts' ads
        scored = []
        for cross in TUNE_CROSS:
            params = replace(best[1], use_contacts=True, cross_contact_bits=cross)
            s = pairwise(cluster_ads(items, params).cluster, truth)
            print(f"  tune {label}: cross_contact_bits={cross:g}: F1={s.f1:.3f}", flush=True)
            scored.append((s.f1, cross))
        best = (best[0], replace(best[1], cross_contact_bits=max(scored)[1]))
    base = max(BASELINE_THRESHOLDS, key=lambda t: pairwise(tfidf_components([a.body for a in items], t), truth).f1)
    chosen = best[1]
    print(
        f"  tune {label}: chosen {chosen.neighbours} neighbours, {chosen.min_saving_bits:g} bits, "
        f"{chosen.cross_contact_bits:g} across contacts; baseline {base}"
    )
    return replace(best[1], use_contacts=True), base


def linking(data: Path, do_tune: bool) -> None:
    path = data / "dev.jsonl"
    ads = read_jsonl(path)
    groups = [json.loads(line)["group"] for line in path.open(encoding="utf-8")]
    _, held = tuning_split(groups)
    print(f"{len(ads)} ads, {pairwise(groups, groups).true_pairs} same-group pairs; held-out half: {len(held)} ads")
    for label, items in (("contacts in text", ads), ("contacts removed", [strip_contacts(a) for a in ads])):
        params, chosen = tune(items, groups, label) if do_tune else (ClusterParams(), 0.25)
        print(f"### {label}")
        print("| method | precision | recall | F1 | predicted pairs | time | recall by group size | F1 held-out half |")
        print("|---|---|---|---|---|---|---|---|")
        runs: list[tuple[str, Callable[[list[Ad]], list[str]]]] = [
            ("heroes osint cluster (defaults)", lambda xs: cluster_ads(xs).cluster),
            ("heroes osint cluster (tuned on the tuning half)", lambda xs, p=params: cluster_ads(xs, p).cluster),
            (
                "templates only (MDL)",
                lambda xs, p=params: cluster_ads(xs, replace(p, use_contacts=False)).cluster,  # type: ignore[misc]
            ),
        ]
        for threshold in BASELINE_THRESHOLDS:
            mark = " (chosen on tuning half)" if threshold == chosen else ""
            runs.append(
                (
                    f"TF-IDF cosine >= {threshold} + components{mark}",
                    lambda xs, t=threshold: tfidf_components([a.body for a in xs], t),  # type: ignore[misc]
                )
            )
        for name, run in runs:
            start = time.perf_counter()
            predicted = run(items)
            seconds = time.perf_counter() - start
            held_f1 = pairwise(run([items[i] for i in held]), [groups[i] for i in held]).f1
            report(name, predicted, groups, seconds, held_f1)


# The template as it was built before (issue 17, first rounds): one member (the base) aligned pairwise
# with each other member; a base word stays when half of the others keep it. Kept here to compare.
def one_ad_template(members: Sequence[Sequence[str]], base: int = 0) -> Template:
    reference = list(members[base])
    kept = [0] * len(reference)
    replacements: list[list[str]] = [[] for _ in reference]
    others = [list(m) for i, m in enumerate(members) if i != base]
    for other in others:
        ops = list(Indel.opcodes(reference, other))
        same = {i for op in ops if op.tag == "equal" for i in range(op.src_start, op.src_end)}
        for i in same:
            kept[i] += 1
        for op in ops:
            if op.tag == "equal" or op.dest_end == op.dest_start or not reference:
                continue
            # Indel has no substitution: a changed word is an insert next to a delete; file the
            # inserted words under the reference word they stand in for.
            at = op.src_start
            if op.src_end == op.src_start and (at >= len(reference) or at in same):
                at = max(0, at - 1)
            replacements[at].append(" ".join(other[op.dest_start : op.dest_end]))
    need = max(1, (len(others) + 1) // 2)
    parts: list[str | list[str]] = []
    for i, word in enumerate(reference):
        if kept[i] >= need or not others:
            parts.append(word)
            continue
        values = [word, *(v for v in replacements[i] if v)]
        if parts and isinstance(parts[-1], list):
            last = parts[-1]
            last[0] = f"{last[0]} {word}"  # the base ad's own words in a slot read as one value
            for v in values[1:]:
                if v not in last:
                    last.append(v)
        else:
            distinct: list[str] = []
            for v in values:
                if v not in distinct:
                    distinct.append(v)
            parts.append(distinct)
    return Template(parts, members=len(members))


def description_bits(template: Template, members: list[list[str]], costs: dict[str, float]) -> float:
    """InfoShield's objective, simplified: the template's fixed words cost what they cost alone, and each
    member is encoded as the template plus edits (aligned words free, a header per run, other words at
    their own cost). Lower is better; compared with encoding every member alone."""
    fixed = [p for p in template.parts if isinstance(p, str)]
    total = sum(costs.get(w, 20.0) for w in fixed)
    for words in members:
        runs = 0
        aligned = 0.0
        for op in Indel.opcodes(fixed, words):
            runs += 1
            if op.tag == "equal":
                aligned += sum(costs.get(w, 20.0) for w in words[op.dest_start : op.dest_end])
        alone = sum(costs.get(w, 20.0) for w in words)
        total += min(alone, alone - aligned + runs * (math.log2(3) + math.log2(len(fixed) + 1)))
    return total


def template_quality(data: Path) -> None:
    """Linking figures with the group template (they must not move: the template is built after the
    links), then how well each cluster's template describes its members, against the one-ad template."""
    from heroes.osint.cluster import tokenize

    path = data / "dev.jsonl"
    ads = read_jsonl(path)
    groups = [json.loads(line)["group"] for line in path.open(encoding="utf-8")]
    print("| ads | P / R / F1 | clusters with a template | template time (group / one ad) | "
          "bits, all alone | bits, one-ad templates | bits, group templates | words in the template: one ad / group | "
          "member words explained: one ad / group |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for label, items in (("contacts in text", ads), ("contacts removed", [strip_contacts(a) for a in ads])):
        result = cluster_ads(items)
        s = pairwise(result.cluster, groups)
        tokens = [tokenize(a.body) for a in items]
        counts = Counter(w for t in tokens for w in t)
        total = math.log2(sum(counts.values()) + 2**16)
        costs = {w: total - math.log2(c + 1) for w, c in counts.items()}
        alone = group_bits = one_bits = 0.0
        group_time = one_time = 0.0
        fixed_one = fixed_group = explained_one = explained_group = 0.0
        members_seen = 0
        for name in result.templates:
            linked = [i for i in result.members[name] if any(r.startswith("template:") for r in result.reasons[i])]
            words = [tokens[i] for i in linked[:200]]
            base = max(
                range(len(linked[:200])),
                key=lambda k: (sum(r.startswith("template:") for r in result.reasons[linked[k]]), -linked[k]),
            )
            start = time.process_time()
            group = template_of(words, base)
            group_time += time.process_time() - start
            start = time.process_time()
            one = one_ad_template(words, base)
            one_time += time.process_time() - start
            alone += sum(costs.get(w, 20.0) for m in words for w in m)
            group_bits += description_bits(group, words, costs)
            one_bits += description_bits(one, words, costs)
            for t, which in ((one, "one"), (group, "group")):
                fixed = [p for p in t.parts if isinstance(p, str)]
                share = sum(
                    sum(op.dest_end - op.dest_start for op in Indel.opcodes(fixed, m) if op.tag == "equal")
                    / max(1, len(m))
                    for m in words
                )
                if which == "one":
                    fixed_one += len(fixed)
                    explained_one += share
                else:
                    fixed_group += len(fixed)
                    explained_group += share
            members_seen += len(words)
        n = max(1, len(result.templates))
        print(
            f"| {label} | {s.precision:.3f} / {s.recall:.3f} / {s.f1:.3f} | {len(result.templates)} | "
            f"{group_time:.2f} s / {one_time:.2f} s CPU | {alone:,.0f} | {one_bits:,.0f} | {group_bits:,.0f} | "
            f"{fixed_one / n:.1f} / {fixed_group / n:.1f} | "
            f"{explained_one / max(1, members_seen):.3f} / {explained_group / max(1, members_seen):.3f} |",
            flush=True,
        )


def indicator_rates(data: Path) -> None:
    """How often each indicator fires on the dev ads (no labels for indicators: a rate, not a score)."""
    from heroes.osint.indicators import find_indicators

    ads = read_jsonl(data / "dev.jsonl")
    start = time.perf_counter()
    results = find_indicators(ads)
    seconds = time.perf_counter() - start
    counts = Counter(h.indicator for r in results for h in {h.indicator: h for h in r.hits}.values())
    print(f"indicators over {len(ads)} ads in {seconds:.1f} s")
    print("| indicator | ads | share |")
    print("|---|---|---|")
    for name, count in counts.most_common():
        print(f"| {name} | {count} | {count / len(ads):.1%} |")


def synthesise(ads: list[Ad], n: int, seed: int = 1) -> list[Ad]:
    """Templated variation of the dev ads: names, numbers and a few words swapped per copy."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        index = rng.randrange(len(ads))
        base = ads[index]
        words = base.text.split()
        for _ in range(max(1, len(words) // 15)):
            if words:
                words[rng.randrange(len(words))] = rng.choice(["Ana", "Eva", "Lola", "Mia", "$80", "$120", "25", "31"])
        # One number per source ad (its copies form one poster), never shared by two source ads.
        phone = f"{200 + index // 100}-555-01{index % 100:02d}"
        out.append(Ad(f"s{k}", base.title, base.location, base.age, " ".join(words) + f" {phone}"))
    return out


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def scale(data: Path, sizes: list[int], runners: list[str], text_only: bool = False) -> None:
    """Time and peak memory of ``cluster_ads`` on synthesised ads. Each stage's end is printed as it
    comes (a run too long to finish still leaves its per-stage figures), with the load average of the
    machine beside it: other jobs share the cores, so wall time is a pessimistic figure. CPU is this
    process's own (on Ray the workers' CPU is not in it)."""
    ads = read_jsonl(data / "dev.jsonl")
    params = ClusterParams(use_contacts=not text_only)
    print(f"{'text stage only (contacts off)' if text_only else 'full pipeline'}")
    print("| ads | runner | time | driver CPU | clusters | peak RSS of this process | per ad | load 1/5/15 min |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        items = synthesise(ads, n)
        for runner in runners:
            start, cpu = time.perf_counter(), time.process_time()
            marks: dict[str, float] = {}

            def progress(
                stage: str,
                done: int,
                total: int,
                marks: dict[str, float] = marks,
                t0: float = start,
                at: str = f"{n} {runner}",
            ) -> None:
                if stage not in marks:
                    marks[stage] = time.perf_counter()
                    marks[stage + " cpu"] = time.process_time()
                    print(f"  [{at}] {stage} starts at {marks[stage] - t0:.1f} s, load {_load()}", flush=True)
                elif done == total and total:
                    now = time.perf_counter()
                    used = time.process_time() - marks[stage + " cpu"]
                    print(
                        f"  [{at}] {stage} done at {now - t0:.1f} s ({now - marks[stage]:.1f} s, "
                        f"{used:.1f} s CPU in this process), load {_load()}",
                        flush=True,
                    )

            with get_fanout(runner) as fan:
                result = cluster_ads(items, params, fan, progress)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            per_ad = rss * 1024 / n
            print(
                f"| {n} | {runner} | {seconds:.1f} s | {cpu:.1f} s | {len(result.members)} | {rss:.0f} MiB "
                f"| {seconds / n * 1000:.2f} ms, {per_ad:.1f} KiB | {_load()} |",
                flush=True,
            )
            del result


def probe_candidates(data: Path, n: int, blocks: int) -> None:
    """The candidate stage at a size too long to run whole here: the TF-IDF matrix of ``n`` synthesised
    ads is built (time, memory), ``blocks`` evenly spaced blocks of rows are run, and the whole stage
    is extrapolated from them. Words as with ``--text-only`` (contacts not masked)."""
    ads = read_jsonl(data / "dev.jsonl")
    params = ClusterParams(use_contacts=False)
    cpu, wall = time.process_time(), time.perf_counter()
    index: dict[str, int] = {}
    words = []
    for ad in synthesise(ads, n):
        tokens = tokenize(ad.body)
        words.append(np.fromiter((index.setdefault(w, len(index)) for w in tokens), np.int32, len(tokens)))
    print(f"candidate probe, {n} ads: synthesised and tokenised in {time.process_time() - cpu:.1f} s CPU", flush=True)
    cpu, wall = time.process_time(), time.perf_counter()
    matrix = tfidf_matrix(words, params)
    transposed = matrix.T.tocsr()
    size = (matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes) / 2**20
    print(
        f"  TF-IDF matrix: {matrix.nnz} entries, {size:.0f} MiB (and as much again transposed), built in "
        f"{time.process_time() - cpu:.1f} s CPU / {time.perf_counter() - wall:.1f} s, load {_load()}",
        flush=True,
    )
    total_blocks = -(-n // BLOCK_ROWS)
    starts = [k * BLOCK_ROWS for k in np.linspace(0, total_blocks - 1, blocks).astype(int)]
    cpu, wall = time.process_time(), time.perf_counter()
    found = neighbours_chunk(starts, matrix, transposed, params.neighbours, params.min_cosine)
    per_block = (time.process_time() - cpu) / len(starts)
    pairs = sum(len(f) for f in found) / len(starts) * total_blocks
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  {len(starts)} blocks of {BLOCK_ROWS} rows: {per_block:.1f} s CPU each "
        f"({(time.perf_counter() - wall) / len(starts):.1f} s wall), so the stage needs about "
        f"{per_block * total_blocks:.0f} s CPU for {total_blocks} blocks (~{pairs:.0f} pairs); "
        f"peak RSS {rss:.0f} MiB; load {_load()}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/ads"))
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--runners", default="inline,ray")
    parser.add_argument("--skip-linking", action="store_true")
    parser.add_argument("--tune", action="store_true", help="Choose parameters on the tuning half first.")
    parser.add_argument("--templates", action="store_true", help="Only the group-template comparison.")
    parser.add_argument("--text-only", action="store_true", help="Scale runs without contact extraction.")
    parser.add_argument("--probe-candidates", type=int, default=0, help="Time sampled candidate blocks at N ads.")
    parser.add_argument("--probe-blocks", type=int, default=5)
    args = parser.parse_args()
    if not (args.data / "dev.jsonl").is_file():
        print(f"no {args.data}/dev.jsonl: skipped")
        return
    if args.templates:
        template_quality(args.data)
        return
    if not args.skip_linking:
        linking(args.data, args.tune)
        indicator_rates(args.data)
    if args.probe_candidates:
        probe_candidates(args.data, args.probe_candidates, args.probe_blocks)
    if args.sizes:
        scale(args.data, [int(s) for s in args.sizes.split(",")], args.runners.split(","), args.text_only)


if __name__ == "__main__":
    main()
