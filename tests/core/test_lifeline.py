"""Pool workers end with the process that started them, however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from heroes.core.lifeline import WATCHER_NAME, exit_with_parent, other_threads

PARENT = textwrap.dedent(
    """
    import os, sys
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context
    from heroes.core.fanout import _init_worker
    from heroes.core.lifeline import exit_with_parent

    if sys.argv[1] == "fanout":
        pool = ProcessPoolExecutor(2, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(None,))
    else:
        pool = ProcessPoolExecutor(2, mp_context=get_context("spawn"), initializer=exit_with_parent)
    pids = {pool.submit(os.getpid).result() for _ in range(8)}
    print(" ".join(map(str, pids)), flush=True)
    sys.stdin.read()
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/status") as status:  # a zombie has ended too
        return "\tZ" not in next(line for line in status if line.startswith("State:"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("kind", ["plain", "fanout"])
def test_workers_end_when_their_parent_is_killed(kind: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, kind], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert pids and all(_alive(p) for p in pids)
    parent.send_signal(signal.SIGKILL)  # no clean shutdown: the pool never tells its workers
    parent.wait()
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(p) for p in pids)


def test_the_watcher_does_not_count_as_a_thread_that_blocks_forking() -> None:
    before = other_threads()
    exit_with_parent(interval=3600)
    assert any(t.name == WATCHER_NAME for t in threading.enumerate())
    assert other_threads() == before
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert other_threads() == before + 1
    finally:
        stop.set()
        other.join()
