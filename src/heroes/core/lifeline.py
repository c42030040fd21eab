"""Pool workers end when the process that started them ends.

A `ProcessPoolExecutor` worker waits on a queue whose writing end it holds itself, so a server
killed without a clean shutdown (SIGKILL, an out-of-memory kill, a benchmark's hard stop) would
leave its workers running for ever, each holding the models it warmed up (up to 1 GB). Every pool
of the platform starts its workers with `exit_with_parent`, which watches the parent's pid.
"""

from __future__ import annotations

import os
import threading
import time

WATCHER_NAME = "heroes-lifeline"


def exit_with_parent(interval: float = 1.0) -> None:
    """Start a daemon thread that ends this process once its parent has gone."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name=WATCHER_NAME, daemon=True).start()


def other_threads() -> int:
    """How many threads besides the calling one and the lifeline watcher (which holds no lock,
    so forking beside it is safe)."""
    return sum(1 for t in threading.enumerate() if t is not threading.current_thread() and t.name != WATCHER_NAME)
