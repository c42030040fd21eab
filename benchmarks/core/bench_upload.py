"""A big chat upload must not stall the server: /healthz latency while a chat is analysed.

.venv/bin/python benchmarks/core/bench_upload.py [--messages 12000] [--mb 19]

Starts the real server (process job runner, worker pool) on a fresh SQLite data folder, signs in
over the API with a token, uploads a generated (benign) WhatsApp export and polls /healthz every
50 ms while it is analysed. Prints the upload's size and answer time and the /healthz p50/p99/max.
With --mb the export is benchmarks/grooming/make_large_chat.py's (the grooming speed benchmark's
chats; 19 MB is the largest upload the page takes) instead of the short repeated line.
The upload is sent once the server's CPU workers have had their time to start (--settle seconds).
Run it with PYTHONPATH pointing at another checkout to measure that code as the baseline.
Also prints the CPU seconds the server and its worker processes (and their reaped children) spent
during the upload, read from /proc on Linux: on a shared machine the wall time says more about the
load than about the code.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx


def _chat(messages: int) -> bytes:
    lines = []
    for i in range(messages):
        who = "alex" if i % 2 else "sam"
        lines.append(f"[01/02/2024, 10:{i % 60:02d}:00] {who}: how was school today, did you finish the homework {i}")
    return "\n".join(lines).encode()


def _tree_cpu(root: int) -> float:
    """CPU seconds (user + system, with reaped children) of `root` and all its descendants; NaN
    where /proc is not there."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        stats[int(entry.name)] = text[text.rindex(")") + 2 :].split()
    if root not in stats:
        return float("nan")
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, f in stats.items() if int(f[1]) in tree} - tree
        grew = bool(more)
        tree |= more
    # fields after the name: state ppid ... utime(11) stime(12) cutime(13) cstime(14)
    return sum(sum(int(stats[pid][i]) for i in (11, 12, 13, 14)) for pid in tree) / tick


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=12000)
    parser.add_argument("--mb", type=float, default=0.0, help="use make_large_chat.py's export of this size")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds between the first /healthz and the upload")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="heroes-upload-"))
    env = {**os.environ, "HEROES_DATA_DIR": str(data_dir), "HEROES_JOB_RUNNER": "process"}
    from heroes.core import db
    from heroes.core.auth import create_api_token, create_user
    from heroes.core.settings import Settings, set_settings

    set_settings(Settings(data_dir=data_dir))
    db.upgrade()
    with db.session_scope() as session:
        token = create_api_token(session, create_user(session, "analyst", "upload-bench-Passphrase-7", "admin"), "b")
    set_settings(None)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 - closed at the end
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "heroes.core.web.app:app_factory", "--factory", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    if args.mb:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "grooming"))
        from make_large_chat import make_chat

        chat = make_chat(int(args.mb * 1_000_000))
        args.messages = chat.count(b"\n[") + 1
    else:
        chat = _chat(args.messages)
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        time.sleep(args.settle)
        latencies: list[float] = []
        stop = threading.Event()

        def poll() -> None:
            with httpx.Client(base_url=base, timeout=600) as client:
                while not stop.is_set():
                    start = time.perf_counter()
                    client.get("/healthz")
                    latencies.append(time.perf_counter() - start)
                    time.sleep(0.05)

        poller = threading.Thread(target=poll)
        cpu_before = _tree_cpu(server.pid)
        start = time.perf_counter()
        poller.start()
        with httpx.Client(base_url=base, timeout=900) as client:
            response = client.post(
                "/api/grooming/analyze/file",
                files={"file": ("chat.txt", chat, "text/plain")},
                headers={"Authorization": f"Bearer {token}"},
            )
        took = time.perf_counter() - start
        cpu = _tree_cpu(server.pid) - cpu_before
        stop.set()
        poller.join()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("nan")
    print(f"chat upload             : {len(chat) / 1e6:.2f} MB, {args.messages} messages")
    print(f"answer                  : HTTP {response.status_code} after {took:.1f} s")
    print(f"server + workers CPU    : {cpu:.1f} s during the upload (load average {os.getloadavg()[0]:.1f})")
    print(
        f"/healthz while it runs  : p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms ({len(ordered)} polls)"
    )


if __name__ == "__main__":
    main()
