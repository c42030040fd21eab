"""Ray: jobs and fan-outs on a cluster (``HEROES_JOB_RUNNER=ray``).

``HEROES_RAY_ADDRESS`` names the cluster (``ray://head:10001`` or ``head:6379``, see
docs/deployment.md); when it is empty a local Ray is started in this process with
``HEROES_JOB_WORKERS`` CPUs. Ray is imported only here, so installations without it lose nothing
but this runner.

A lost worker (killed, out of memory, node gone) is Ray's system failure: its task is run again,
up to ``max_retries`` times. Errors raised by the code itself are not retried.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from heroes.core.errors import HeroesError
from heroes.core.fanout import MAX_RETRIES, FanOut, WorkerLost, worker_sys_path

_lock = threading.Lock()
_started_here = False
JOB_RETRIES = 2  # a job whose worker died runs again; handlers resume from their checkpoint


def _ray() -> Any:
    try:
        import ray
    except ImportError:  # pragma: no cover - ray is a declared dependency
        raise HeroesError("The Ray runner needs the ray package: pip install 'heroes[ray]'.") from None
    return ray


def connect(address: str | None = None, num_cpus: int | None = None) -> Any:
    """Join the cluster at ``address``, or start a local one; once per process."""
    global _started_here
    ray = _ray()
    with _lock:
        if ray.is_initialized():
            return ray
        from heroes.core.settings import get_settings

        settings = get_settings()
        address = address if address is not None else settings.ray_address
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "warning"}
        if address:
            ray.init(address=address, **options)
        else:
            ray.init(
                num_cpus=num_cpus or settings.job_workers,
                object_store_memory=256 << 20,
                # Workers import the same heroes as this process (a development checkout included).
                runtime_env={"env_vars": {"PYTHONPATH": worker_sys_path()}},
                **options,
            )
            _started_here = True
        return ray


def disconnect() -> None:
    """Leave the cluster (and stop the local Ray if this process started it)."""
    global _started_here
    ray = _ray()
    with _lock:
        if ray.is_initialized():
            ray.shutdown()
        _started_here = False


@functools.cache
def _remote_chunk() -> Any:
    ray = _ray()

    def run(fn: Callable[[Sequence[Any]], Sequence[Any]], chunk: Sequence[Any]) -> list[Any]:
        return list(fn(chunk))

    return ray.remote(run)


class RayFanOut(FanOut[Any, Any]):
    """Chunks as Ray tasks; the cluster spreads them over its nodes' CPUs."""

    name = "ray"

    def __init__(self, address: str | None = None, max_retries: int = MAX_RETRIES) -> None:
        ray = connect(address)
        super().__init__(int(ray.cluster_resources().get("CPU", 1)), max_retries)

    def _run_chunks(
        self, fn: Callable[[Sequence[Any]], Sequence[Any]], chunks: list[Sequence[Any]]
    ) -> Iterator[tuple[int, list[Any]]]:
        ray = _ray()
        task = _remote_chunk().options(max_retries=self.max_retries, retry_exceptions=False)
        fn_ref = ray.put(fn)  # shipped once, not with every chunk
        pending = list(range(len(chunks)))
        pending.reverse()
        inflight: dict[Any, int] = {}
        window = self.workers * 4
        try:
            while pending or inflight:
                while pending and len(inflight) < window:
                    number = pending.pop()
                    inflight[task.remote(fn_ref, chunks[number])] = number
                ready, _ = ray.wait(list(inflight), num_returns=1)
                for ref in ready:
                    number = inflight.pop(ref)
                    try:
                        results = ray.get(ref)
                    except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError) as exc:
                        raise WorkerLost(
                            f"Ray lost the worker of chunk {number} {self.max_retries + 1} times: {exc}"
                        ) from None
                    except ray.exceptions.RayTaskError as exc:
                        raise exc.as_instanceof_cause() from None
                    yield number, results
        finally:
            for ref in inflight:
                ray.cancel(ref, force=True)


def _run_job(settings_json: str, job_id: str) -> None:
    from heroes.core.jobs import _run_in_worker

    _run_in_worker(settings_json, job_id)


class RayRunner:
    """Jobs as Ray tasks: the job's handler runs on any node and may fan out further from there."""

    def __init__(self, address: str | None = None) -> None:
        ray = connect(address)
        self._task = ray.remote(max_retries=JOB_RETRIES)(_run_job)
        self._refs: list[Any] = []

    def start(self, job_id: str) -> None:
        from heroes.core.settings import get_settings

        settings = get_settings()
        absolute = settings.model_copy(update={"data_dir": settings.data_dir.resolve()})
        self._refs = [ref for ref in self._refs if not _ray().wait([ref], timeout=0)[0]]
        self._refs.append(self._task.remote(absolute.model_dump_json(), job_id))

    def shutdown(self) -> None:
        self._refs.clear()
