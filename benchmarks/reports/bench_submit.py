"""Submission latency and throughput under concurrent load against a real server on 127.0.0.1.

Starts the app under uvicorn in this process (a temporary data folder and SQLite unless
HEROES_DATABASE_URL names PostgreSQL), then sends a bounded number of POST /api/reports at a few
concurrency levels. Baselines measured in the same run: GET /healthz (the framework and network
cost of a request) and one Argon2id receipt hash (the deliberate cost of each submission).

    nice -n 10 .venv/bin/python benchmarks/reports/bench_submit.py [REQUESTS_PER_LEVEL]
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from corpus import make_texts

LEVELS = (1, 4, 8)
Request = tuple[str, str, dict | None]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(data_dir: Path) -> tuple[str, Any, threading.Thread]:
    import os

    import uvicorn

    from heroes.core import db
    from heroes.core.settings import Settings, set_settings

    set_settings(Settings(data_dir=data_dir, database_url=os.environ.get("HEROES_DATABASE_URL")))
    db.upgrade()
    from heroes.core.web.app import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def _measure(base: str, concurrency: int, requests: list[Request]) -> tuple[list[float], float, list[int]]:
    local = threading.local()
    clients: list[httpx.Client] = []

    def one(item: Request) -> tuple[float, int]:
        method, path, body = item
        if not hasattr(local, "client"):  # one keep-alive connection per worker, as a browser has
            local.client = httpx.Client(base_url=base, timeout=120)
            clients.append(local.client)
        start = time.perf_counter()
        response = local.client.request(method, path, json=body)
        return time.perf_counter() - start, response.status_code

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, requests))
    wall = time.perf_counter() - start
    for client in clients:
        client.close()
    return [r[0] for r in results], wall, [r[1] for r in results]


def _report(label: str, latencies: list[float], wall: float, statuses: list[int]) -> None:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(
        f"{label:<36} {len(latencies) / wall:>7.1f} req/s   p50 {statistics.median(ordered) * 1000:>7.1f} ms"
        f"   p95 {p95 * 1000:>7.1f} ms   statuses {sorted(set(statuses))}"
    )


def main() -> None:
    per_level = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    from heroes.reports.receipts import new_receipt

    start = time.perf_counter()
    for _ in range(10):
        new_receipt()
    print(f"baseline: one Argon2id receipt hash      {(time.perf_counter() - start) * 100:.1f} ms")
    with tempfile.TemporaryDirectory(prefix="heroes-bench-") as tmp:
        base, server, thread = _start_server(Path(tmp))
        texts = make_texts(per_level * len(LEVELS), seed=11)
        try:
            for concurrency in LEVELS:
                health = [("GET", "/healthz", None)] * per_level
                _report(f"baseline GET /healthz  x{concurrency}", *_measure(base, concurrency, health))
                batch = texts[:per_level]
                texts = texts[per_level:]
                posts = [("POST", "/api/reports", {"description": t, "country": "ES"}) for t in batch]
                _report(f"POST /api/reports      x{concurrency}", *_measure(base, concurrency, posts))
        finally:
            server.should_exit = True
            thread.join(timeout=10)
        from sqlalchemy import func, select

        from heroes.core.db import session_scope
        from heroes.reports.models import Report

        with session_scope() as session:
            stored = session.execute(select(func.count()).select_from(Report)).scalar_one()
        print(f"reports stored: {stored} of {per_level * len(LEVELS)} sent")


if __name__ == "__main__":
    main()
