"""Hashing throughput on one core, beside the reference tools, on generated benign files.

    .venv/bin/python benchmarks/media/bench_hashing.py [--images 200] [--mb 256]

- Pictures per second: the full scanner path (read once, MD5+SHA-1+SHA-256, decode, PDQ) and
  PDQ alone, beside python-threatexchange's ``pdq_from_file`` on the same JPEGs.
- MB/s for cryptographic hashes: the scanner's single pass computing MD5, SHA-1 and SHA-256
  together, beside ``sha256sum`` (and md5sum + sha1sum + sha256sum run one after the other,
  the same work as one pass of ours) on the same files, read from the page cache.
- vPDQ frames per second beside Meta's ``vpdq`` package when it is installed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the generated test pictures (tests/media/synthetic.py)

from tests.media.synthetic import make_image, make_video

from heroes.media.pdq import decode_image, pdq_of_image
from heroes.media.scan import hash_file


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.1f}"


def bench_images(folder: Path, count: int) -> None:
    paths = []
    for i in range(count):
        p = folder / f"img{i:04d}.jpg"
        make_image(i, (1280, 960)).save(p, quality=90)
        paths.append(p)
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"\n{count} generated JPEGs, 1280x960, {size_mb:.0f} MB in total")
    for p in paths:
        p.read_bytes()  # page cache
    t = time.perf_counter()
    for p in paths:
        hash_file(p)
    full = time.perf_counter() - t
    t = time.perf_counter()
    for p in paths:
        pdq_of_image(decode_image(p.read_bytes()))
    ours = time.perf_counter() - t
    print(f"{'method':<58}{'images/s':>9}")
    print(f"{'heroes scanner: read + md5/sha1/sha256 + decode + PDQ':<58}{_rate(count, full)}")
    print(f"{'heroes PDQ alone (decode + pdqhash)':<58}{_rate(count, ours)}")
    try:
        from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file
    except ImportError:
        print("python-threatexchange not installed: reference skipped")
        return
    t = time.perf_counter()
    refs = [pdq_from_file(p)[0] for p in paths]
    ref_time = time.perf_counter() - t
    print(f"{'python-threatexchange pdq_from_file':<58}{_rate(count, ref_time)}")
    bits = sum(
        bin(int(r, 16) ^ int(hash_file(p).value("pdq") or "0", 16)).count("1")
        for r, p in zip(refs, paths, strict=False)
    )
    print(f"mean Hamming distance ours vs threatexchange: {bits / count:.2f} bits")


def bench_crypto(folder: Path, total_mb: int) -> None:
    files = []
    per = 64
    for i in range(max(1, total_mb // per)):
        p = folder / f"blob{i}.bin"
        with open(p, "wb") as fh:
            fh.write(os.urandom(per * 1024 * 1024))
        files.append(p)
    mb = sum(p.stat().st_size for p in files) / (1024 * 1024)
    for p in files:
        p.read_bytes()
    print(f"\n{len(files)} random files, {mb:.0f} MiB, page cache warm")
    print(f"{'method':<58}{'MiB/s':>9}")
    t = time.perf_counter()
    for p in files:
        hash_file(p)
    ours = time.perf_counter() - t
    print(f"{'heroes: md5 + sha1 + sha256 in one pass':<58}{mb / ours:9.1f}")
    for tools in (["sha256sum"], ["md5sum", "sha1sum", "sha256sum"]):
        t = time.perf_counter()
        for tool in tools:
            subprocess.run([tool, *map(str, files)], check=True, capture_output=True)
        el = time.perf_counter() - t
        print(f"{' + '.join(tools):<58}{mb / el:9.1f}")


def bench_video(folder: Path) -> None:
    from heroes.media.vpdq import hash_video

    path = make_video(folder / "clip.mp4", seed=5, seconds=20, fps=25)
    print("\n20 s generated clip, 160x120, 25 fps (500 frames, 20 hashed)")
    print(f"{'method':<58}{'frames/s':>9}")
    t = time.perf_counter()
    ours = hash_video(str(path))
    el = time.perf_counter() - t
    print(f"{'heroes vPDQ (PyAV + pdqhash)':<58}{500 / el:9.1f}")
    try:
        import vpdq  # type: ignore[import-not-found]
    except ImportError:
        print("vpdq package not installed: reference skipped")
        return
    t = time.perf_counter()
    theirs = vpdq.computeHash(str(path), thread_count=1)
    el = time.perf_counter() - t
    print(f"{'Meta vpdq package (1 thread)':<58}{500 / el:9.1f}")
    same = sum(a.pdq == b.hex and a.quality == b.quality for a, b in zip(ours, theirs, strict=False))
    print(f"identical features: {same} of {len(theirs)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--mb", type=int, default=256)
    args = ap.parse_args()
    print("Hashing throughput, one process, one core")
    with tempfile.TemporaryDirectory(prefix="heroes-media-bench-") as tmp:
        folder = Path(tmp)
        bench_images(folder, args.images)
        bench_crypto(folder, args.mb)
        bench_video(folder)


if __name__ == "__main__":
    main()
