"""CPU-heavy work requested by a web page, run in a pool of worker processes with a time budget.

The web server's event loop and its thread pool stay free while a chat is analysed or a hash list
is parsed; a piece of work that runs past its budget is refused with a clear message, so one
upload can never hold the server.

The budget counts the CPU time the worker spends on the work (`cpu_budget_seconds`), not the
clock: on a loaded host the same upload takes longer by the clock but no more CPU, and must not
be refused for the load. A wall-clock ceiling (`cpu_wall_seconds`, much higher) stays as a safety
net for work that waits on something instead of computing; past it the worker is replaced.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, TypeVar

from heroes.core.errors import HeroesError
from heroes.core.lifeline import other_threads
from heroes.core.settings import get_settings

T = TypeVar("T")
log = logging.getLogger(__name__)
_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


class TooMuchWork(HeroesError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=413)


class _OverBudget(Exception):
    """The work used up its CPU budget (raised in the worker by the CPU-time timer)."""


def _over_budget(signum: int, frame: object) -> None:
    raise _OverBudget


def _with_cpu_budget(budget: float, function: Callable[..., T], *args: Any) -> T:
    """In the worker: `function(*args)`, stopped with `_OverBudget` once this process has used
    `budget` more seconds of CPU. ITIMER_PROF counts user and system time of the whole process
    (every thread of the work), not the clock. The handler runs between Python bytecodes, so the
    work unwinds like any exception (its `finally` blocks and context managers run) and the
    worker stays usable."""
    if not hasattr(signal, "setitimer") or budget <= 0:
        return function(*args)
    previous = signal.signal(signal.SIGPROF, _over_budget)
    signal.setitimer(signal.ITIMER_PROF, budget)
    try:
        return function(*args)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _warm_up(references: tuple[str, ...]) -> None:
    """In each new worker: the tools' warm-up functions (imports, models), before any request."""
    from heroes.core.lifeline import exit_with_parent
    from heroes.core.tools import load_object

    exit_with_parent()
    for reference in references:
        try:
            load_object(reference)()
        except Exception:  # a failed warm-up only costs the first request its time
            log.exception("worker warm-up %s failed", reference)


def _warm_ups() -> tuple[str, ...]:
    from heroes.core.tools import all_tools

    return tuple(t.warmup for t in all_tools() if t.warmup)


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                get_settings().cpu_workers,
                mp_context=get_context("spawn"),
                initializer=_warm_up,
                initargs=(_warm_ups(),),
            )
        return _pool


def _ready() -> bool:
    return True


def prewarm() -> None:
    """Start the workers now (each warms up as it starts), without waiting for them: the first
    upload then finds them ready. Nothing to do with the inline runner."""
    if get_settings().job_runner == "inline":
        return
    pool = _get_pool()
    for _ in range(get_settings().cpu_workers):
        pool.submit(_ready)


def _discard_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool whose worker overran its budget: the runaway work must not go on eating CPU."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def run_bounded(
    function: Callable[..., T], *args: Any, budget: float | None = None, what: str = "", wall: float | None = None
) -> T:
    """Run `function(*args)` in a worker process, with at most `budget` seconds of its CPU time
    (`cpu_budget_seconds` when None) and at most `wall` seconds by the clock from now, waiting in
    the queue included (`cpu_wall_seconds` when None, and never less than `budget`).

    Blocking: call it from a sync route (FastAPI's thread pool), never from the event loop.
    With the inline job runner (tests, CLI) the work runs in this process, without a budget.
    """
    settings = get_settings()
    if settings.job_runner == "inline":
        return function(*args)
    budget = settings.cpu_budget_seconds if budget is None else budget
    wall = max(settings.cpu_wall_seconds if wall is None else wall, budget)
    pool = _get_pool()
    try:
        future = pool.submit(_with_cpu_budget, budget, function, *args)
    except BrokenProcessPool:
        _discard_pool(pool)
        pool = _get_pool()
        future = pool.submit(_with_cpu_budget, budget, function, *args)
    too_long = what or f"This would take longer than {budget:.0f} seconds here."
    try:
        return future.result(timeout=wall)
    except _OverBudget:
        raise TooMuchWork(too_long) from None
    except FutureTimeout:
        _discard_pool(pool)  # stuck rather than computing: the runaway work must not go on
        raise TooMuchWork(too_long) from None
    except BrokenProcessPool:
        _discard_pool(pool)
        raise HeroesError("The worker stopped while working on this. Try again with a smaller file.", 503) from None


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while building many long-lived objects (a big chat's messages
    and assessments): each collection walks everything alive, about a fifth of the time on a large
    upload. Reference counting still frees what is dropped; the collector runs again after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextlib.contextmanager
def forked(function: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """Start `function()` in a forked copy of this process and give a callable that waits for its
    result, so this process can do another share of the work meanwhile (a second core for one
    upload, without sending it the data: the copy already holds the parsed chat and the models).

    The copy keeps to what is left of this process's CPU budget (`_with_cpu_budget`); its result
    comes back through a private pipe, pickled by our own code (never user files). Where forking
    is not safe (not POSIX, or other threads running that could hold a lock the copy would need),
    the callable runs `function` here instead. Leaving the block early stops the copy."""
    if not hasattr(os, "fork") or other_threads() > 0:
        yield function
        return
    remaining = signal.getitimer(signal.ITIMER_PROF)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the copy; coverage does not follow it
        code = 1
        try:
            os.close(read)
            if remaining[0] > 0:
                signal.setitimer(signal.ITIMER_PROF, *remaining)
            try:
                payload = pickle.dumps((True, function()), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:
                payload = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as out:
                out.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    done = False

    def join() -> T:
        nonlocal done
        with os.fdopen(read, "rb", closefd=False) as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        done = True
        if not data:
            raise HeroesError("A helper process stopped while working on this. Try again.", 503)
        ok, value = pickle.loads(data)  # noqa: S301 - written by our own forked copy, above
        if not ok:
            raise value
        result: T = value
        return result

    try:
        yield join
    finally:
        if not done:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(read)


_slots: threading.BoundedSemaphore | None = None


@contextlib.contextmanager
def cpu_slot() -> Iterator[None]:
    """Bound how many request threads do CPU-heavy Python at once (about one per core).

    Dozens of threads computing at once share one GIL: a thread holding the database's write lock
    then waits its turn behind all of them and the whole burst slows to a crawl. Queued here, the
    others sleep until a slot frees.
    """
    global _slots
    if _slots is None:
        _slots = threading.BoundedSemaphore(max(1, get_settings().cpu_workers))
    with _slots:
        yield


def shutdown() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
