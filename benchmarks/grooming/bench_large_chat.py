"""Speed of `heroes grooming analyze` on large WhatsApp exports, beside the previous engine.

.venv/bin/python benchmarks/grooming/bench_large_chat.py [--sizes 1 5 19] [--old-max-mb 5] [--digest]

Run it with PYTHONPATH at another checkout's src to time that code; --digest prints a SHA-256 of
each whole report (JSON), so two checkouts can be shown to give the same reports.

For each size a benign export is generated (make_large_chat.py), parsed, and analysed by the
current engine (`analyse`, which feeds messages in bulk) and by the previous message-by-message
engine (tests/grooming/reference_stream.py, the test's reference), in the same run. Prints
seconds (CPU time of this process and of the copies it forks to read texts on a second core, the
CPU time of the main thread alone, and wall time: the machine may be shared) and messages/s.
On an idle two-core machine the wall time of the new engine is about its main thread's CPU time
plus half of the rest (the copy and the helper threads run beside the main thread).
The previous engine costs about 1 ms per message, so by default it only runs up to 5 MB.
Both curves are checked to agree to 1e-9 where both ran.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_large_chat import make_chat  # noqa: E402
from tests.grooming.reference_stream import RefStreamAnalyser  # noqa: E402

from heroes.chats import parse_file  # noqa: E402
from heroes.chats.model import Message  # noqa: E402
from heroes.grooming.analysis import analyse  # noqa: E402
from heroes.grooming.cues import default_cues  # noqa: E402
from heroes.grooming.model import default_model  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process (all threads) and of its reaped children (the forked copies)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def _timed(fn):  # type: ignore[no-untyped-def]
    c, w = _cpu(), time.perf_counter()
    out = fn()
    return out, _cpu() - c, time.perf_counter() - w


def _timed_main(fn):  # type: ignore[no-untyped-def]
    """`_timed`, with the main thread's own CPU seconds as well."""
    t = time.thread_time()
    out, cpu, wall = _timed(fn)
    return out, cpu, time.thread_time() - t, wall


def _old(ref: RefStreamAnalyser, messages: list[Message]) -> list[float]:
    return [ref.feed(m).risk for m in messages]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 19])
    parser.add_argument("--old-max-mb", type=float, default=5)
    parser.add_argument("--digest", action="store_true", help="print a digest of each report")
    args = parser.parse_args()
    model, cues = default_model(), default_cues()
    cols = ["Size", "Messages", "Parse s (CPU)", "New s (CPU / main thread / wall)", "New msg/s"]
    cols += ["Old s (CPU / wall)", "Old msg/s", "Speed-up"]
    print("| " + " | ".join(cols) + " |")
    print("|---" * len(cols) + "|")
    for mb in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "chat.txt"
            path.write_bytes(make_chat(int(mb * 1_000_000)))
            convs, parse_cpu, _ = _timed(partial(parse_file, path, "whatsapp"))
        conv = convs[0]
        n = len(conv.messages)
        rep, new_cpu, new_main, new_wall = _timed_main(partial(analyse, conv, model=model, cues=cues))
        old = "not run"
        old_rate = "—"
        speed = "—"
        if mb <= args.old_max_mb:
            ref = RefStreamAnalyser(model, cues)
            readable = [m for m in conv.messages if m.text.strip()]
            curve, old_cpu, old_wall = _timed(partial(_old, ref, readable))
            assert all(abs(round(a, 4) - b) <= 1e-9 for a, b in zip(curve, rep.risk_over_time, strict=True))
            old = f"{old_cpu:.1f} / {old_wall:.1f}"
            old_rate = f"{n / old_cpu:,.0f}"
            speed = f"{old_cpu / new_cpu:.1f}x"
        new = f"{new_cpu:.1f} / {new_main:.1f} / {new_wall:.1f}"
        row = [f"{mb:g} MB", f"{n:,}", f"{parse_cpu:.2f}", new, f"{n / new_cpu:,.0f}"]
        row += [old, old_rate, speed]
        print("| " + " | ".join(row) + " |", flush=True)
        if args.digest:
            blob = json.dumps(rep.to_dict(), sort_keys=True, default=str).encode()
            print(f"report digest {mb:g} MB: {hashlib.sha256(blob).hexdigest()[:16]}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
