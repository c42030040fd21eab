"""PDQ index: memory per hash and queries per second, beside brute force and threatexchange.

    .venv/bin/python benchmarks/media/bench_index.py            # 1M and 10M hashes
    .venv/bin/python benchmarks/media/bench_index.py --sizes 100000

Each (method, size) runs in a fresh subprocess so its memory is measured alone: the figure is
the peak resident memory of that process minus the memory of the same process holding just the
raw codes, divided by the number of hashes. Everything runs on one thread (faiss included),
the way the scanner calls it.

Hashes are uniform random 256-bit codes. Queries: half are listed hashes with 0-31 bits
flipped (must be found), half are random (must find nothing); the threshold is 31.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

THRESHOLD = 31


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _data(n: int, nq: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(42)
    codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    near = codes[rng.integers(0, n, nq // 2)].copy()
    bits = np.unpackbits(near, axis=1)
    for row, k in zip(bits, rng.integers(0, THRESHOLD + 1, len(bits)), strict=False):
        row[rng.choice(256, int(k), replace=False)] ^= 1
    near = np.packbits(bits, axis=1)
    far = rng.integers(0, 256, (nq - nq // 2, 32), dtype=np.uint8)
    return codes, np.vstack([near, far])


def _subset(queries: np.ndarray, n: int) -> np.ndarray:
    """``n`` queries, half near and half random, like the full set."""
    half = len(queries) // 2
    return np.vstack([queries[: n // 2], queries[half : half + n - n // 2]])


def worker(method: str, n: int, nq: int) -> dict[str, float | int | str]:
    import faiss

    faiss.omp_set_num_threads(1)
    codes, queries = _data(n, nq)
    base = _rss_mb()
    t0 = time.perf_counter()
    if method == "heroes-mih":
        from heroes.media.index import PdqIndex

        index = PdqIndex(codes, method="mih")
        search = index.search
    elif method == "faiss-multihash":
        from heroes.media.index import FaissMultiHashIndex

        search = FaissMultiHashIndex(codes).search
    elif method == "faiss-flat-bruteforce":
        from heroes.media.index import PdqIndex

        search = PdqIndex(codes, method="flat").search
    elif method == "numpy-bruteforce":
        from heroes.media.index import brute_force_search

        def search(q: np.ndarray, t: int) -> list[list[tuple[int, int]]]:
            return brute_force_search(codes, q, t)
    elif method == "threatexchange-PDQIndex":
        from threatexchange.signal_type.pdq.pdq_index import PDQIndex

        hexes = [c.tobytes().hex() for c in codes]
        del codes
        tx = PDQIndex(zip(hexes, range(n), strict=True))
        del hexes

        def search(q: np.ndarray, t: int) -> list[list[tuple[int, int]]]:
            return [[(m.metadata, m.similarity_info.distance) for m in tx.query(c.tobytes().hex())] for c in q]
    else:
        raise SystemExit(f"unknown method {method}")
    build = time.perf_counter() - t0
    # Slow methods are timed on a subset (same near/random mix) to keep the run short.
    budget = {"heroes-mih": nq, "numpy-bruteforce": 10}.get(method, max(100, nq // 10))
    sub = _subset(queries, min(budget, nq))
    t1 = time.perf_counter()
    results = search(sub, THRESHOLD)
    elapsed = time.perf_counter() - t1
    found = sum(1 for r in results[: len(sub) // 2] if r)
    single = sub[: min(200, len(sub))]
    t2 = time.perf_counter()
    for q in single:
        search(q[None, :], THRESHOLD)
    single_rate = len(single) / (time.perf_counter() - t2)
    extra = _peak_mb() - base
    return {
        "method": method,
        "n": n,
        "build_s": round(build, 1),
        "queries": len(sub),
        "recall": f"{found}/{len(sub) // 2}",
        "qps_batch": round(len(sub) / elapsed),
        "qps_single": round(single_rate),
        "mem_mb": round(extra),
        "bytes_per_hash": round(extra * 1024 * 1024 / n, 1),
    }


def _available_mb() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return 0.0


# Rough peak bytes per hash, from the 1M run, to skip a method the machine cannot hold now.
NEED_BYTES_PER_HASH = {"threatexchange-PDQIndex": 1300, "heroes-mih": 600, "faiss-multihash": 450}


METHODS = ("heroes-mih", "faiss-multihash", "threatexchange-PDQIndex", "faiss-flat-bruteforce", "numpy-bruteforce")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--queries", type=int, default=4000)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--worker", nargs=2, metavar=("METHOD", "N"))
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], int(args.worker[1]), args.queries)))
        return
    print(f"PDQ index, threshold {THRESHOLD}; up to {args.queries} queries, half near (0-31 bits flipped), half random")
    print("recall = near queries that found their source; one thread; memory = peak RSS above the raw codes")
    header = f"{'method':<26}{'hashes':>11}{'build s':>9}{'queries':>8}{'recall':>11}{'q/s batch':>11}"
    print(header + f"{'q/s single':>12}{'MB':>8}{'B/hash':>8}", flush=True)
    for n in (int(s) for s in args.sizes.split(",")):
        for method in args.methods.split(","):
            if method == "numpy-bruteforce" and n > 1_000_000:
                continue  # seconds per query: a few queries at 1M tell the story
            need = NEED_BYTES_PER_HASH.get(method, 100) * n / 1e6 + 64 * n / 1e6
            if need > _available_mb() - 4096:
                print(
                    f"{method:<26}{n:>11}  skipped: needs ~{need / 1024:.1f} GB, {_available_mb() / 1024:.1f} GB free"
                )
                continue
            proc = subprocess.run(
                [sys.executable, __file__, "--worker", method, str(n), "--queries", str(args.queries)],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode:
                print(f"{method:<26}{n:>11}  failed: {proc.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(
                f"{r['method']:<26}{r['n']:>11}{r['build_s']:>9}{r['queries']:>8}{r['recall']:>11}{r['qps_batch']:>11}"
                f"{r['qps_single']:>12}{r['mem_mb']:>8}{r['bytes_per_hash']:>8}",
                flush=True,
            )


if __name__ == "__main__":
    main()
