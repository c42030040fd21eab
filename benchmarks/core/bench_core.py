"""Core figures: audit-log appends and verification, streaming evidence hashing beside sha256sum.

.venv/bin/python benchmarks/core/bench_core.py [--entries 5000] [--megabytes 256]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import tempfile
import time
from pathlib import Path

from heroes.core import audit, db, evidence
from heroes.core.settings import Settings, set_settings


def bench_audit(entries: int, workdir: Path) -> None:
    set_settings(Settings(data_dir=workdir))
    db.upgrade()
    start = time.perf_counter()
    with db.session_scope() as session:
        for i in range(entries):
            audit.record(session, "bench", "bench.write", f"item:{i}", {"i": i})
    batched = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(entries // 10):
        with db.session_scope() as session:
            audit.record(session, "bench", "bench.single", f"item:{i}")
    single = time.perf_counter() - start
    start = time.perf_counter()
    with db.session_scope() as session:
        result = audit.verify(session)
    verify = time.perf_counter() - start
    print(f"audit append, one transaction : {entries / batched:10.0f} entries/s")
    print(f"audit append, own transaction : {entries // 10 / single:10.0f} entries/s (SQLite, WAL)")
    rate = result.entries / verify
    print(f"audit verify                  : {rate:10.0f} entries/s ({result.entries} entries, ok={result.ok})")
    set_settings(None)


def bench_hashing(megabytes: int, workdir: Path) -> None:
    path = workdir / "blob.bin"
    with path.open("wb") as handle:
        for _ in range(megabytes):
            handle.write(os.urandom(1024 * 1024))
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
    start = time.perf_counter()
    ours = evidence.hash_file(path)
    three = time.perf_counter() - start
    start = time.perf_counter()
    with path.open("rb") as handle:
        only = hashlib.file_digest(handle, "sha256").hexdigest()
    one = time.perf_counter() - start
    start = time.perf_counter()
    out = subprocess.run(["sha256sum", str(path)], capture_output=True, text=True, check=True).stdout.split()[0]
    coreutils = time.perf_counter() - start
    assert ours.sha256 == only == out
    print(f"hash_file (MD5+SHA-1+SHA-256)  : {megabytes / three:8.0f} MB/s")
    print(f"hashlib SHA-256 only          : {megabytes / one:8.0f} MB/s")
    print(f"sha256sum (baseline)          : {megabytes / coreutils:8.0f} MB/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--megabytes", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_audit(args.entries, Path(tmp))
        bench_hashing(args.megabytes, Path(tmp))


if __name__ == "__main__":
    main()
