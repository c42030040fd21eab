"""Fan-out: map a function over work units on many workers, then reduce, behind one interface.

Tool code asks for a fan-out (``get_fanout("inline" | "process" | "ray")``) and calls
``map``/``imap``/``map_reduce`` on it; the same code runs in one process, on a local process pool
or on a Ray cluster, and gives the same results in the same order on each:

    from heroes.core.fanout import get_fanout

    with get_fanout("process") as fan:
        total = fan.map_reduce(count_words, documents, operator.add, 0, progress=report)

Units are cut into chunks (``chunk_size``); a worker gets a whole chunk, so per-unit overhead stays
small. ``map_chunks`` hands the chunk itself to the function (to batch work inside a chunk, such as
index queries). Progress (units done, units in all) is reported in the calling process as chunks
finish on any worker. A chunk whose worker dies (killed, out of memory, node lost) is run again, up
to ``max_retries`` times; an exception raised by the function itself is not retried: it is a bug or
bad input, and it is raised to the caller.

Functions and units must be picklable (module-level functions, plain data) for the process pool and
Ray; on Ray the code must be importable on every node (install heroes there too).
"""

from __future__ import annotations

import functools
import math
import os
import sys
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from types import TracebackType
from typing import Any, ClassVar, Generic, TypeVar

from heroes.core.errors import HeroesError

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")

ChunkFunction = Callable[[Sequence[T]], Sequence[R]]
ProgressCallback = Callable[[int, int], None]

RUNNERS = ("inline", "process", "ray")
MAX_RETRIES = 3
MAX_CHUNK = 2000


class WorkerLost(HeroesError):
    """A chunk's worker died more often than the retries allow."""


def _apply_each(fn: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [fn(unit) for unit in chunk]


def _run_chunk(fn: Callable[[Sequence[T]], Sequence[R]], chunk: Sequence[T]) -> list[R]:
    out = list(fn(chunk))
    if len(out) != len(chunk):
        raise ValueError(f"a chunk function returned {len(out)} results for {len(chunk)} units")
    return out


def split(units: Sequence[T], chunk_size: int) -> list[Sequence[T]]:
    return [units[i : i + chunk_size] for i in range(0, len(units), chunk_size)]


class FanOut(ABC, Generic[T, R]):
    """Runs chunks of units on workers; subclasses only say how one chunk reaches a worker."""

    name: ClassVar[str]
    # True when the work leaves this process: functions and units must then be picklable.
    remote: ClassVar[bool] = True

    def __init__(self, workers: int = 1, max_retries: int = MAX_RETRIES) -> None:
        self.workers = max(1, workers)
        self.max_retries = max_retries
        self.retried = 0  # chunks run again after their worker was lost

    def chunk_size_for(self, n_units: int) -> int:
        """About eight chunks per worker: enough to balance uneven units, few enough to stay cheap."""
        return max(1, min(MAX_CHUNK, math.ceil(n_units / (self.workers * 8))))

    @abstractmethod
    def _run_chunks(
        self, fn: Callable[[Sequence[Any]], Sequence[Any]], chunks: list[Sequence[Any]]
    ) -> Iterator[tuple[int, list[Any]]]:
        """Yield (chunk number, results) in the order chunks finish."""

    def imap_chunks(
        self,
        fn: Callable[[Sequence[T]], Sequence[R]],
        units: Sequence[T],
        chunk_size: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> Iterator[R]:
        """Results in the order of ``units``, each as soon as every earlier one is in."""
        units = list(units)
        chunks = split(units, chunk_size or self.chunk_size_for(len(units)))
        ready: dict[int, list[R]] = {}
        next_chunk = 0
        done = 0
        if progress:
            progress(0, len(units))
        for number, results in self._run_chunks(functools.partial(_run_chunk, fn), chunks):
            ready[number] = results
            done += len(chunks[number])
            if progress:
                progress(done, len(units))
            while next_chunk in ready:
                yield from ready.pop(next_chunk)
                next_chunk += 1

    def map_chunks(
        self,
        fn: Callable[[Sequence[T]], Sequence[R]],
        units: Sequence[T],
        chunk_size: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[R]:
        return list(self.imap_chunks(fn, units, chunk_size, progress))

    def imap(
        self,
        fn: Callable[[T], R],
        units: Sequence[T],
        chunk_size: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> Iterator[R]:
        return self.imap_chunks(functools.partial(_apply_each, fn), units, chunk_size, progress)

    def map(
        self,
        fn: Callable[[T], R],
        units: Sequence[T],
        chunk_size: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[R]:
        return list(self.imap(fn, units, chunk_size, progress))

    def map_reduce(
        self,
        fn: Callable[[T], R],
        units: Sequence[T],
        reduce: Callable[[A, R], A],
        initial: A,
        chunk_size: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> A:
        """Reduce in unit order, in this process: the result does not depend on the runner."""
        return functools.reduce(reduce, self.imap(fn, units, chunk_size, progress), initial)

    def close(self) -> None:
        """Release the workers this fan-out started."""

    def __enter__(self) -> FanOut[T, R]:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class InlineFanOut(FanOut[T, R]):
    """Every chunk in the calling process, one after the other (tests, small inputs)."""

    name = "inline"
    remote = False

    def _run_chunks(
        self, fn: Callable[[Sequence[Any]], Sequence[Any]], chunks: list[Sequence[Any]]
    ) -> Iterator[tuple[int, list[Any]]]:
        for number, chunk in enumerate(chunks):
            yield number, list(fn(chunk))


def _init_worker(settings_json: str | None) -> None:
    from heroes.core.lifeline import exit_with_parent

    exit_with_parent()
    if settings_json is not None:
        from heroes.core.settings import Settings, set_settings

        set_settings(Settings.model_validate_json(settings_json))


class ProcessFanOut(FanOut[T, R]):
    """A local pool of spawned processes; a pool broken by a dead worker is replaced."""

    name = "process"

    def __init__(self, workers: int | None = None, max_retries: int = MAX_RETRIES) -> None:
        super().__init__(workers or os.cpu_count() or 1, max_retries)
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        from heroes.core.settings import get_settings

        settings = get_settings()
        absolute = settings.model_copy(update={"data_dir": settings.data_dir.resolve()})
        return ProcessPoolExecutor(
            self.workers,
            mp_context=get_context("spawn"),
            initializer=_init_worker,
            initargs=(absolute.model_dump_json(),),
        )

    def _run_chunks(
        self, fn: Callable[[Sequence[Any]], Sequence[Any]], chunks: list[Sequence[Any]]
    ) -> Iterator[tuple[int, list[Any]]]:
        pending = deque(range(len(chunks)))
        attempts: Counter[int] = Counter()
        inflight: dict[Future[list[Any]], int] = {}
        window = self.workers * 2
        while pending or inflight:
            if self._pool is None:
                self._pool = self._new_pool()
            while pending and len(inflight) < window:
                number = pending.popleft()
                inflight[self._pool.submit(fn, chunks[number])] = number  # type: ignore[arg-type]
            finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
            lost: list[int] = []
            for future in finished:
                number = inflight.pop(future)
                try:
                    results = future.result()
                except BrokenProcessPool:
                    lost.append(number)
                    continue
                except BaseException:
                    self.close()
                    raise
                yield number, results
            if lost:
                # A dead worker breaks the whole pool: every chunk still in flight is lost with it.
                lost += inflight.values()
                inflight.clear()
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
                for number in sorted(lost, reverse=True):
                    attempts[number] += 1
                    if attempts[number] > self.max_retries:
                        raise WorkerLost(
                            f"A worker died {attempts[number]} times while running units of chunk {number}; "
                            "giving up (see the system log: out of memory?)."
                        )
                    pending.appendleft(number)
                self.retried += len(lost)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def get_fanout(name: str | None = None, workers: int | None = None) -> FanOut[Any, Any]:
    """The fan-out named (``inline``, ``process``, ``ray``); by default the one the job runner uses."""
    from heroes.core.settings import get_settings

    settings = get_settings()
    name = name or ("ray" if settings.job_runner == "ray" else "inline")
    if name == "inline":
        return InlineFanOut()
    if name == "process":
        return ProcessFanOut(workers or settings.job_workers)
    if name == "ray":
        from heroes.core.ray_runner import RayFanOut

        return RayFanOut(settings.ray_address or None)
    raise HeroesError(f"Unknown runner {name!r}: use one of {', '.join(RUNNERS)}.")


def worker_sys_path() -> str:
    """The import path of this process, for workers started from it (a local Ray)."""
    return os.pathsep.join(p for p in sys.path if p and os.path.isdir(p))
