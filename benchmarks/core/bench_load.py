"""Load: many anonymous submissions at once while staff read and media scans run.

.venv/bin/python benchmarks/core/bench_load.py [--backend sqlite|postgresql] [--reports 200]
    [--readers 20] [--scans 2] [--images 240]

Starts the real server (uvicorn, process job runner) in a subprocess on a fresh data folder (and a
fresh PostgreSQL schema), then fires every submission at once with an Idempotency-Key, replays a
tenth of them, and counts what the database holds. Prints stored-once, 5xx, timeouts and p50/p95
latencies of a submission and of a staff page.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text

POSTGRES = os.environ.get("HEROES_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def prepare(data_dir: Path, database_url: str | None, images: int) -> tuple[dict[str, str], str, Path]:
    """Migrate, create a staff account with an API token, a hash list and a folder of benign images."""
    env = {**os.environ, "HEROES_DATA_DIR": str(data_dir), "HEROES_JOB_RUNNER": "process"}
    if database_url:
        env["HEROES_DATABASE_URL"] = database_url
    intake = data_dir / "media-intake" / "seized"
    intake.mkdir(parents=True)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the tests' benign image maker
    from tests.media.synthetic import make_image

    from heroes.core import db
    from heroes.core.auth import create_api_token, create_user
    from heroes.core.settings import Settings, set_settings
    from heroes.media import store
    from heroes.media.pdq import pdq_of_image

    set_settings(Settings(data_dir=data_dir, database_url=database_url))
    db.upgrade()
    rows = []
    for i in range(images):
        image = make_image(i, (320, 240))
        image.save(intake / f"img{i:04d}.png")
        if i % 10 == 0:
            rows.append(f"pdq,{pdq_of_image(image)[0]},bench,known-{i}")
    with db.session_scope() as session:
        user = create_user(session, "analyst", "load-bench-Passphrase-41", "admin")
        token = create_api_token(session, user, "bench")
        store.import_list(session, "analyst", "\n".join(rows), "bench", None, False, source="bench")
    set_settings(None)
    return env, token, intake


async def run(base: str, token: str, intake: Path, reports: int, readers: int, scans: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=reports + readers + 10, max_keepalive_connections=50)
    timeout = httpx.Timeout(120.0)
    staff = {"Authorization": f"Bearer {token}"}
    submit_times: list[float] = []
    read_times: list[float] = []
    statuses: dict[int, int] = {}
    timeouts = 0
    errors: list[str] = []
    done = asyncio.Event()

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:

        async def submit(i: int) -> str:
            nonlocal timeouts
            body = {"description": f"Load report {i}: workers at the farm are never paid and kept locked in."}
            start = time.perf_counter()
            try:
                response = await client.post("/api/reports", json=body, headers={"Idempotency-Key": f"bench-{i}"})
            except httpx.TimeoutException:
                timeouts += 1
                return ""
            except httpx.TransportError:
                errors.append(f"submission {i}")
                return ""
            submit_times.append(time.perf_counter() - start)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            return str(response.json().get("receipt", "")) if response.status_code in (200, 201) else ""

        async def read_loop(k: int) -> None:
            nonlocal timeouts
            paths = ["/api/me", "/api/reports?limit=20", "/healthz"]
            n = 0
            while not done.is_set():
                start = time.perf_counter()
                try:
                    response = await client.get(paths[(k + n) % len(paths)], headers=staff)
                except httpx.TimeoutException:
                    timeouts += 1
                    continue
                except httpx.TransportError as exc:  # e.g. a keep-alive connection closed under us
                    errors.append(type(exc).__name__)
                    continue
                read_times.append(time.perf_counter() - start)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                n += 1
                await asyncio.sleep(0.05)

        scan_ids = []
        for _ in range(scans):
            response = await client.post("/api/media/scans", json={"path": str(intake)}, headers=staff)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 202:
                scan_ids.append(response.json()["id"])
        reader_tasks = [asyncio.create_task(read_loop(k)) for k in range(readers)]
        wall = time.perf_counter()
        receipts = await asyncio.gather(*(submit(i) for i in range(reports)))
        wall = time.perf_counter() - wall
        replays = await asyncio.gather(*(submit(i) for i in range(0, reports, 10)))
        done.set()
        await asyncio.gather(*reader_tasks)
        scan_states = []
        deadline = time.monotonic() + 300
        for scan_id in scan_ids:
            while True:
                try:
                    state = (await client.get(f"/api/media/scans/{scan_id}", headers=staff)).json()
                except httpx.HTTPError as exc:
                    state = {"state": f"unreadable ({type(exc).__name__})"}
                if (
                    state["state"] not in ("queued", "running")
                    or state["state"] in ("done", "failed", "interrupted")
                    or time.monotonic() > deadline
                ):
                    scan_states.append((state["state"], (state.get("summary") or {}).get("files")))
                    break
                await asyncio.sleep(1)
    return {
        "receipts": [r for r in receipts if r],
        "replays_same_receipt": sum(
            1 for i, r in zip(range(0, reports, 10), replays, strict=True) if r and r == receipts[i]
        ),
        "statuses": statuses,
        "timeouts": timeouts,
        "errors": errors,
        "submit_times": submit_times,
        "read_times": read_times,
        "wall": wall,
        "scans": scan_states,
    }


def count_reports(database_url: str | None, data_dir: Path) -> tuple[int, int]:
    from heroes.core.settings import Settings, set_settings

    set_settings(Settings(data_dir=data_dir, database_url=database_url))
    from heroes.core.db import session_scope
    from heroes.reports.models import Report

    with session_scope() as session:
        total = int(session.execute(select(func.count()).select_from(Report)).scalar_one())
        distinct = int(session.execute(select(func.count(func.distinct(Report.submission_digest)))).scalar_one())
    set_settings(None)
    return total, distinct


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--scans", type=int, default=2)
    parser.add_argument("--images", type=int, default=240)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="heroes-load-"))
    schema = None
    database_url = None
    if args.backend == "postgresql":
        schema = f"heroes_load_{uuid.uuid4().hex[:10]}"
        with create_engine(POSTGRES).begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        database_url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    env, token, intake = prepare(data_dir, database_url, args.images)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "heroes.core.web.app:app_factory", "--factory", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(data_dir / "server.log", "w"),  # noqa: SIM115 - closed with the process
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not start; see " + str(data_dir / "server.log"))
            time.sleep(0.2)
        out = asyncio.run(run(base, token, intake, args.reports, args.readers, args.scans))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    total, distinct = count_reports(database_url, data_dir)
    five = sum(n for code, n in out["statuses"].items() if code >= 500)
    print(f"backend                 : {args.backend}")
    print(
        f"submissions at once     : {args.reports} (+{len(range(0, args.reports, 10))} replays), "
        f"{args.readers} staff readers, {args.scans} scans of {args.images} images"
    )
    print(f"receipts returned       : {len(out['receipts'])} of {args.reports}")
    print(f"reports stored          : {total} (distinct keys {distinct})")
    print(f"replays                 : {out['replays_same_receipt']} answered with their first receipt")
    print(f"5xx answers             : {five}; client timeouts: {out['timeouts']}; statuses {out['statuses']}")
    print(f"connection errors       : {len(out['errors'])} {sorted(set(out['errors']))[:5]}")
    st, rt = out["submit_times"], out["read_times"]
    print(
        f"submission p50 / p95    : {statistics.median(st) if st else float('nan'):.2f} s / "
        f"{_percentile(st, 0.95):.2f} s (all {args.reports} sent in {out['wall']:.1f} s)"
    )
    print(
        f"staff read p50 / p95    : {statistics.median(rt) if rt else float('nan'):.2f} s / "
        f"{_percentile(rt, 0.95):.2f} s ({len(rt)} reads)"
    )
    print(f"media scans             : {out['scans']}")
    if schema:
        with create_engine(POSTGRES).begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
