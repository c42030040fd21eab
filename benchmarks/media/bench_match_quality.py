"""Match quality of PDQ on generated benign pictures.

    .venv/bin/python benchmarks/media/bench_match_quality.py [--originals 300] [--unrelated 3000]

The share of originals found again (distance <= 31, quality >= 50) after each variation, with
plain PDQ and with the 8 dihedral hashes (rotations/flips), and the false-match rate: the
share of unrelated generated pictures that match any original. The baseline in the same run
is exact hashing (MD5), which finds none of the variations.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the generated test pictures (tests/media/synthetic.py)

from tests.media.synthetic import VARIATIONS, make_image

from heroes.media.hashers import HashValue
from heroes.media.hashlists import HashEntry, HashList
from heroes.media.matcher import Matcher
from heroes.media.pdq import pdq_dihedral_of_image, pdq_of_image

SIZE = (640, 480)


def _jpeg_roundtrip(img: Image.Image) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--originals", type=int, default=300)
    ap.add_argument("--unrelated", type=int, default=3000)
    ap.add_argument("--distance", type=int, default=31)
    args = ap.parse_args()
    t0 = time.perf_counter()
    originals = [_jpeg_roundtrip(make_image(seed, SIZE)) for seed in range(args.originals)]
    listed = []
    for img in originals:
        value, quality = pdq_of_image(img)
        listed.append((value, quality))
    usable = [i for i, (_, q) in enumerate(listed) if q >= 50]
    entries = [HashEntry("pdq", listed[i][0], "test") for i in usable]
    plain = Matcher([HashList("originals", entries)], distance=args.distance)
    print(f"{len(originals)} originals ({len(usable)} with PDQ quality >= 50), threshold {args.distance}")
    print(f"{'variation':<14}{'found (PDQ)':>12}{'found (+dihedral)':>19}{'mean dist':>11}{'found (MD5)':>13}")
    for name, vary in VARIATIONS.items():
        found = found_d = 0
        dists: list[int] = []
        for i in usable:
            img = vary(originals[i])
            value, quality = pdq_of_image(img)
            hv = {"pdq": HashValue("pdq", value, quality)}
            hits = plain.match(hv).matches
            if hits:
                found += 1
                dists.append(min(m.distance for m in hits))
            variants, _ = pdq_dihedral_of_image(img)
            if plain.match(hv, variants[1:]).matches:
                found_d += 1
        n = len(usable)
        mean = f"{np.mean(dists):.1f}" if dists else "-"
        print(f"{name:<14}{100 * found / n:>11.1f}%{100 * found_d / n:>18.1f}%{mean:>11}{0.0:>12.1f}%")
    false = false_d = low = 0
    for seed in range(100_000, 100_000 + args.unrelated):
        img = make_image(seed, SIZE)
        value, quality = pdq_of_image(img)
        if quality < 50:
            low += 1
            continue
        hv = {"pdq": HashValue("pdq", value, quality)}
        if plain.match(hv).matches:
            false += 1
        variants, _ = pdq_dihedral_of_image(img)
        if plain.match(hv, variants[1:]).matches:
            false_d += 1
    checked = args.unrelated - low
    print(
        f"\nunrelated pictures: {checked} checked ({low} below quality 50 skipped); "
        f"false matches: {false} ({100 * false / checked:.3f}%), with dihedral: {false_d} "
        f"({100 * false_d / checked:.3f}%)"
    )
    print(f"time: {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
