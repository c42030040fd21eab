"""Messages per second on one core: the streaming analyser against a TF-IDF + LR baseline.

Both read the same messages one at a time (the on-device case: a message arrives, it is
scored). Uses real chat lines when ../shared/data is present, otherwise invented lines.

    .venv/bin/python benchmarks/grooming/bench_speed.py [DATA_DIR]
"""

from __future__ import annotations

import os
import time

from _shared import baseline

from heroes.grooming.conversation import Message
from heroes.grooming.corpus import DEFAULT_DATA_DIR
from heroes.grooming.stream import StreamAnalyser

INVENTED = [
    "hi how are you",
    "how old are u?",
    "lol ok",
    "are your parents home?",
    "what are you doing today",
    "this is our secret ok",
    "i like football",
    "add me on snapchat",
    "cool",
    "we could meet this weekend",
]


def lines() -> tuple[list[str], list[int], str]:
    root = DEFAULT_DATA_DIR
    pred = sorted((root / "pj" / "predator").glob("*.txt"))[:20] if root.is_dir() else []
    dec = sorted((root / "pj" / "decoy").glob("*.txt"))[:20] if root.is_dir() else []
    if not pred:
        return INVENTED * 500, [1, 0] * 2500, "invented lines"
    text, labels = [], []
    for files, y in ((pred, 1), (dec, 0)):
        for f in files:
            for ln in f.read_text("utf-8", "replace").splitlines():
                if ln.strip():
                    text.append(ln)
                    labels.append(y)
    return text, labels, f"{len(text)} PJ lines from 40 files"


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    msgs, labels, what = lines()
    an = StreamAnalyser()
    an.feed(Message("warm", "up"))
    # CPU time of this process: on a shared machine wall time measures the neighbours too.
    t = time.process_time()
    for i, m in enumerate(msgs):
        an.feed(Message(str(i % 2), m))
    ours = time.process_time() - t
    vec, clf = baseline()
    clf.fit(vec.fit_transform(msgs), labels)
    t = time.process_time()
    for m in msgs:
        clf.predict_proba(vec.transform([m]))
    base = time.process_time() - t
    t = time.process_time()
    clf.predict_proba(vec.transform(msgs))
    base_batch = time.process_time() - t
    n = len(msgs)
    print(f"{n} messages ({what}), one core, CPU time, load average {os.getloadavg()[0]:.1f}")
    print(
        f"ours, streaming analyser (cues + text model + stacker + hysteresis): "
        f"{n / ours:,.0f} msg/s, {ours / n * 1e6:.0f} us/msg"
    )
    print(f"baseline TF-IDF + LR, one message at a time: {n / base:,.0f} msg/s, {base / n * 1e6:.0f} us/msg")
    print(f"baseline TF-IDF + LR, one batch: {n / base_batch:,.0f} msg/s (not streaming)")


if __name__ == "__main__":
    main()
