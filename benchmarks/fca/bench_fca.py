"""FCA benchmarks, all measured in one run on this machine, each beside its baseline:

1. ingest throughput on a generated ext4 image (mixed documents, pictures and binary filler) with
   1 and 2 workers, beside `openssl dgst -sha256` of the same image (the I/O and hashing floor) and
   beside a plain regular-expression scan of the same bytes;
2. entity precision/recall on generated files with planted valid identifiers and invalid
   look-alikes (broken checksums), heroes.entities beside a plain regex scan;
3. full-text search latency (p50/p95) over N items in SQLite FTS5.

    python benchmarks/fca/bench_fca.py --size-mb 256 --items 100000
    nice python benchmarks/fca/bench_fca.py --only throughput --size-mb 2048   # the issue's >= 2 GB run

The image size is a parameter (``--size-mb``); the image is deleted at the end. Figures are printed
with the load average seen before and after each step, because the machine may be shared.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

WORDS = [
    "the",
    "payment",
    "was",
    "sent",
    "to",
    "the",
    "account",
    "before",
    "the",
    "trip",
    "el",
    "pago",
    "se",
    "envió",
    "a",
    "la",
    "cuenta",
    "antes",
    "del",
    "viaje",
    "meeting",
    "hotel",
    "border",
    "passport",
    "transfer",
    "invoice",
    "travel",
    "work",
    "offer",
    "contract",
]
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def planted(rng: random.Random) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(kind, how it is written, normalised truth) for valid ones; written forms of invalid look-alikes."""
    from stdnum import iban

    from heroes import entities

    valid, invalid = [], []
    mobile = f"6{rng.randrange(10**7, 10**8)}"
    valid.append(("phone", f"+34 {mobile[:3]} {mobile[3:5]} {mobile[5:7]} {mobile[7:]}", f"+34{mobile}"))
    invalid.append(f"+34 0{rng.randrange(10**7, 10**8)}")
    name = f"user{rng.randrange(10**6)}"
    valid.append(("email", f"{name}@example{rng.randrange(100)}.com", ""))
    invalid.append(f"{name}@example.c")
    bban = f"{rng.randrange(10**7, 10**8)}{rng.randrange(10**9, 10**10)}"
    code = "DE" + iban.calc_check_digits("DE00" + bban) + bban
    valid.append(("iban", code, code))
    bad = code[:-1] + str((int(code[-1]) + 1) % 10)
    invalid.append(bad)
    btc = b58check(b"\0" + rng.randbytes(20))
    valid.append(("btc", btc, btc))
    invalid.append(btc[:-1] + ("2" if btc[-1] != "2" else "3"))
    eth = entities.normalize("eth", "0x" + rng.randbytes(20).hex()) or ""
    valid.append(("eth", eth, eth))
    swapped = eth[:2] + "".join(c.swapcase() if c.isalpha() else c for c in eth[2:])
    invalid.append(swapped)
    valid = [(k, w, t or w.lower()) for k, w, t in valid]
    return valid, invalid


def document(rng: random.Random) -> tuple[str, list[tuple[str, str, str]], list[str]]:
    valid, invalid = planted(rng)
    chunks = [" ".join(rng.choices(WORDS, k=rng.randrange(20, 60)))]
    for _, written, _ in valid:
        chunks.append(f"{written} " + " ".join(rng.choices(WORDS, k=8)))
    for written in invalid:
        chunks.append(f"{written} " + " ".join(rng.choices(WORDS, k=8)))
    rng.shuffle(chunks)
    return ".\n".join(chunks) + ".\n", valid, invalid


REGEX = {
    "phone": re.compile(r"\+\d{2}(?: ?\d){8,12}"),
    "email": re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "iban": re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{12,30}\b"),
    "btc": re.compile(r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b"),
    "eth": re.compile(r"\b0x[0-9a-fA-F]{40}\b"),
}
BYTES_REGEX = {kind: re.compile(p.pattern.replace("\\w", "A-Za-z0-9_").encode()) for kind, p in REGEX.items()}


def regex_find(text: str) -> set[tuple[str, str]]:
    out = set()
    for kind, pattern in REGEX.items():
        for m in pattern.finditer(text):
            value = m.group(0)
            value = value.replace(" ", "") if kind == "phone" else value
            out.add((kind, value.lower()))
    return out


def regex_scan_bytes(data: bytes) -> int:
    """The bulk_extractor-style baseline: patterns over raw bytes, no validation."""
    return sum(len(p.findall(data)) for p in BYTES_REGEX.values())


def entity_quality(n_docs: int, seed: int = 7) -> dict[str, dict[str, float]]:
    from heroes import entities

    rng = random.Random(seed)
    scores = {"heroes.entities": [0, 0, 0], "heroes.entities valid": [0, 0, 0], "regex": [0, 0, 0]}  # tp, fp, fn
    kinds = set(REGEX)
    for _ in range(n_docs):
        text, valid, _invalid = document(rng)
        truth = {(k, t.lower()) for k, _, t in valid}
        all_found = [e for e in entities.find(text, region="ES") if e.kind in kinds]
        found = {(e.kind, e.value.lower()) for e in all_found}
        strict = {(e.kind, e.value.lower()) for e in all_found if e.status == "valid"}
        runs = (("heroes.entities", found), ("heroes.entities valid", strict), ("regex", regex_find(text)))
        for name, got in runs:
            scores[name][0] += len(got & truth)
            scores[name][1] += len(got - truth)
            scores[name][2] += len(truth - got)
    out = {}
    for name, (tp, fp, fn) in scores.items():
        out[name] = {"precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn), "tp": tp, "fp": fp, "fn": fn}
    return out


def jpeg(rng: random.Random) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (320, 240), tuple(rng.randrange(256) for _ in range(3)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def docx(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.splitlines())
        z.writestr("word/document.xml", f"<w:document><w:body>{body}</w:body></w:document>")
    return buf.getvalue()


def build_tree(root: Path, size_mb: int, seed: int = 3) -> int:
    rng = random.Random(seed)
    target, written, n = size_mb * 1024 * 1024 * 0.7, 0, 0
    while written < target:
        folder = root / f"d{n // 200:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        choice = n % 10
        text, _, _ = document(rng)
        if choice < 4:
            data, name = (text * rng.randrange(1, 20)).encode(), f"note{n}.txt"
        elif choice < 6:
            data, name = docx(text), f"report{n}.docx"
        elif choice < 7:
            data, name = f"<html><body><p>{text}</p></body></html>".encode(), f"page{n}.html"
        elif choice < 9:
            data, name = jpeg(rng), f"img{n}.jpg"
        else:
            data, name = rng.randbytes(rng.randrange(256 * 1024, 2 * 1024 * 1024)), f"blob{n}.bin"
        (folder / name).write_bytes(data)
        written += len(data)
        n += 1
    return n


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def bench_account() -> Any:
    """The investigator `bench` of the organisation "Benchmark" (cases must belong to one)."""
    from sqlalchemy import select

    from heroes.core import organisations
    from heroes.core.auth import create_user
    from heroes.core.db import session_scope
    from heroes.core.models import User
    from heroes.fca.access import principal_for

    with session_scope() as s:
        if s.execute(select(User).where(User.username == "bench")).scalar_one_or_none() is None:
            org = organisations.find_organisation(s, "Benchmark") or organisations.create_organisation(
                s, "Benchmark", "police", "ES"
            )
            user = create_user(s, "bench", secrets.token_urlsafe(24), "investigator")
            organisations.assign(s, user, org)
    with session_scope() as s:
        return principal_for(s, "bench")


def throughput(size_mb: int, work: Path, semantic: bool = True) -> list[tuple[str, float, int]]:
    tree = work / "tree"
    t0 = time.perf_counter()
    n_files = build_tree(tree, size_mb)
    image = work / "bench.raw"
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", str(tree), str(image), f"{size_mb}M"], check=True)
    shutil.rmtree(tree)
    size = image.stat().st_size
    print(f"image: {size / 1e6:.0f} MB ext4, {n_files} files, built in {time.perf_counter() - t0:.0f} s", flush=True)
    rows: list[tuple[str, float, int]] = []

    def row(name: str, seconds: float, items: int, cores: int, before: str) -> None:
        rows.append((name, seconds, items))
        gbh = size / 1e9 / (seconds / 3600)
        extra = f", {items / seconds:.1f} items/s" if items else ""
        print(f"  {name:<40} {seconds:8.2f} s  {gbh:8.1f} GB/h ({gbh / cores:.1f} GB/h per core){extra}"
              f"  [load {before} -> {load()}]", flush=True)  # fmt: skip

    before = load()
    row("openssl dgst -sha256 (floor)", timed(["openssl", "dgst", "-sha256", str(image)]), 0, 1, before)
    before = load()
    start = time.perf_counter()
    hits = 0
    with open(image, "rb") as f:
        while chunk := f.read(16 * 1024 * 1024):
            hits += regex_scan_bytes(chunk)
    row("plain regex scan of the image bytes", time.perf_counter() - start, 0, 1, before)
    for workers in (1, 2):
        env = dict(os.environ, HEROES_DATA_DIR=str(work / f"data{workers}"),
                   HEROES_DATABASE_URL=f"sqlite:///{work}/bench{workers}.db", HEROES_USER="bench")  # fmt: skip
        code = (
            "import sys,time;from heroes.core import db;db.upgrade();from heroes.fca import engine;"
            f"sys.path.insert(0,{str(Path(__file__).parent)!r});import bench_fca;bench_fca.bench_account();"
            f"t=time.perf_counter();r=engine.ingest({str(image)!r},'bench',actor='bench',workers={workers},"
            f"semantic={semantic});print(time.perf_counter()-t, r['items'])"
        )
        before = load()
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(done.stderr[-3000:])
        seconds, items = done.stdout.split()[-2:]
        row(f"heroes fca ingest, {workers} worker(s)", float(seconds), int(items), workers, before)
        shutil.rmtree(work / f"data{workers}", ignore_errors=True)
        (work / f"bench{workers}.db").unlink(missing_ok=True)
    image.unlink()
    return rows


def fts_latency(n_items: int, work: Path) -> tuple[float, float]:
    os.environ.update(HEROES_DATA_DIR=str(work / "ftsdata"), HEROES_DATABASE_URL=f"sqlite:///{work}/fts.db")
    from sqlalchemy import insert

    from heroes.core import db
    from heroes.fca import access, engine
    from heroes.fca.models import FcaItem, FcaSource

    db.upgrade()
    viewer = bench_account()
    rng = random.Random(11)
    with db.session_scope() as s:
        case = access.open_or_create(s, viewer, "fts")
        src = FcaSource(case_id=case.id, path="/x", kind="folder", status="done", hashes_intake={}, hashes_end={})
        s.add(src)
        s.flush()
        case_id, source_id = case.id, src.id
    batch = 10000
    for start in range(0, n_items, batch):
        rows = [
            {"case_id": case_id, "source_id": source_id, "path": f"f{i}.txt", "inode": str(i), "size": 100,
             "deleted": False, "mime": "text/plain", "extension_mismatch": False, "md5": "", "sha1": "", "sha256": "",
             "text": " ".join(rng.choices(WORDS, k=40)) + f" token{i}", "meta": {}, "matches": [], "problems": []}
            for i in range(start, min(n_items, start + batch))
        ]  # fmt: skip
        with db.session_scope() as s:
            s.execute(insert(FcaItem), rows)
    queries = ['"border passport"', "transf*", "cuenta viaje", f"token{n_items // 2}", '"el pago"', "hotel*"] * 10
    times = []
    with db.session_scope() as s:
        for q in queries:
            t = time.perf_counter()
            engine.search(s, "fts", q, limit=20, viewer=viewer)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
    print(f"FTS5 over {n_items} items: p50 {p50:.1f} ms, p95 {p95:.1f} ms (20 hits with snippets per query)")
    return p50, p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--items", type=int, default=100000)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--only", choices=["quality", "throughput", "fts"], action="append",
                        help="run only these parts (repeatable); default: all")  # fmt: skip
    parser.add_argument("--no-vectors", action="store_true", help="ingest without the stored sentence vectors")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()
    parts = set(args.only or ["quality", "throughput", "fts"])
    print(f"load average at start: {load()} on {os.cpu_count()} cores", flush=True)
    work = Path(tempfile.mkdtemp(prefix="fca-bench-", dir=args.work))
    try:
        if "quality" in parts:
            quality = entity_quality(args.docs)
            print(f"entities on {args.docs} generated files (5 valid + 5 invalid look-alikes each):")
            for name, q in quality.items():
                counts = f"(tp {q['tp']}, fp {q['fp']}, fn {q['fn']})"
                print(f"  {name:<22} precision {q['precision']:.3f} recall {q['recall']:.3f} {counts}")
        if "throughput" in parts:
            throughput(args.size_mb, work, semantic=not args.no_vectors)
        if "fts" in parts:
            fts_latency(args.items, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
