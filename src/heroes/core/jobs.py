"""Background jobs: a table with state, progress, result and error, and a runner behind a small
interface (inline for tests, threads, a local process pool by default; Ray can be added as one more
runner without touching the tools).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from heroes.core import audit
from heroes.core.db import read_scope, session_scope, utcnow
from heroes.core.errors import HeroesError, NotFoundError, PermissionDenied
from heroes.core.lifeline import exit_with_parent
from heroes.core.models import Job
from heroes.core.settings import Settings, get_settings, set_settings

log = logging.getLogger(__name__)
FINISHED = frozenset({"done", "failed", "interrupted", "cancelled"})
HEARTBEAT_SECONDS = 10.0  # a running job's worker writes a heartbeat this often
DEAD_AFTER_SECONDS = 45.0  # a running job without a heartbeat for this long lost its worker

Handler = Callable[[dict[str, Any], "Progress"], dict[str, Any]]
_handlers: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of one kind of job; a second handler for a kind is refused."""

    def register(function: Handler) -> Handler:
        known = _handlers.get(kind)

        def name(f: Handler) -> str:
            return f"{f.__module__}.{f.__qualname__}"

        # the same function again (a module reloaded) is not a clash
        if known is not None and name(known) != name(function):
            from heroes.core.tools import DuplicateName

            raise DuplicateName(f"The job kind {kind!r} already has a handler ({name(known)}).")
        _handlers[kind] = function
        return function

    return register


def handler_for(kind: str) -> Handler:
    if kind not in _handlers:
        from heroes.core.tools import import_job_modules

        import_job_modules()
    if kind not in _handlers:
        raise HeroesError(f"No handler for jobs of kind {kind!r}.")
    return _handlers[kind]


def workdir(job_id: str) -> Path:
    path = get_settings().ensure_data_dir() / "jobs" / job_id
    path.mkdir(parents=True, exist_ok=True)
    return path


class JobCancelled(Exception):
    """Raised inside a handler (at its next progress report) when someone cancelled the job."""


class Progress:
    """Handed to a job handler: report progress (stored at most twice a second) and find files.

    A report is also the moment a cancelled job stops: `update` raises JobCancelled.
    """

    def __init__(self, job_id: str, min_interval: float = 0.5) -> None:
        self.job_id = job_id
        self.workdir = workdir(job_id)
        self._min_interval = min_interval
        self._last_write = 0.0

    def update(self, done: int, total: int | None = None, message: str | None = None, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self._min_interval:
            return
        self._last_write = now
        with session_scope() as session:
            job = session.get(Job, self.job_id)
            if job is None:
                return
            job.done = done
            job.heartbeat_at = utcnow()
            if total is not None:
                job.total = total
            if message is not None:
                job.message = message[:500]
            cancelled = job.cancel_requested
        if cancelled:
            raise JobCancelled()


def _heartbeat(job_id: str, stop: threading.Event) -> None:
    """Beats while the handler works, even through long steps without progress reports; when the
    worker process dies the beats stop and `reap_dead_jobs` marks the job failed."""
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            with session_scope() as session:
                job = session.get(Job, job_id)
                if job is not None and job.state == "running":
                    job.heartbeat_at = utcnow()
        except Exception:  # a missed beat is not fatal; a dead worker stops beating anyway
            log.warning("job %s: heartbeat not written", job_id)


def _run(job_id: str) -> None:
    with session_scope() as session:
        job = session.get(Job, job_id)
        if job is None or job.state != "queued":
            return  # cancelled while it waited, or already taken
        if job.cancel_requested:
            _finish(session, job, "cancelled", None, "Cancelled before it started.")
            return
        job.state = "running"
        job.started_at = job.heartbeat_at = utcnow()
        kind, params = job.kind, dict(job.params)
    progress = Progress(job_id)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(job_id, stop), daemon=True)
    beat.start()
    try:
        result = handler_for(kind)(params, progress)
        state, error = "done", None
    except JobCancelled:
        result, state, error = None, "cancelled", "Cancelled while it ran; start it again to resume."
    except HeroesError as exc:
        result, state, error = None, "failed", exc.message
    except Exception as exc:  # a job must never take the runner down with it
        log.error("job %s failed:\n%s", job_id, traceback.format_exc())
        result, state, error = None, "failed", f"Internal error ({type(exc).__name__}). The log has the details."
    finally:
        stop.set()
    with session_scope() as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        _finish(session, job, state, result, error)


def _finish(session: Any, job: Job, state: str, result: dict[str, Any] | None, error: str | None) -> None:
    """A job's end: state, reason and time, in one audited write."""
    job.state = state
    job.error = error
    job.result = result
    job.finished_at = utcnow()
    if state == "done" and job.total is not None:
        job.done = job.total
    details = {"kind": job.kind} | ({"reason": error[:200]} if error else {})
    audit.record(session, job.owner, f"job.{state}", f"job:{job.id}", details)


def _fail_lost(job_id: str, reason: str) -> None:
    with session_scope() as session:
        job = session.get(Job, job_id)
        if job is not None and job.state not in FINISHED:
            _finish(session, job, "failed", None, reason)


WORKER_DIED = "The worker running this job stopped (it crashed or was killed). Start the job again to resume."


def reap_dead_jobs(stale_after: float = DEAD_AFTER_SECONDS) -> int:
    """Running jobs whose worker stopped beating are marked failed, with the reason and the time."""
    limit = utcnow() - timedelta(seconds=stale_after)
    with session_scope() as session:
        running = session.execute(select(Job).where(Job.state == "running")).scalars().all()
        dead = [job for job in running if (job.heartbeat_at or job.started_at or job.created_at) < limit]
        for job in dead:
            _finish(session, job, "failed", None, WORKER_DIED)
        return len(dead)


def start_reaper(interval: float = 15.0) -> threading.Event:
    """A daemon thread that runs `reap_dead_jobs` every `interval` seconds; set the event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                reap_dead_jobs()
            except Exception:
                log.warning("dead-job check failed:\n%s", traceback.format_exc())

    threading.Thread(target=loop, name="heroes-job-reaper", daemon=True).start()
    return stop


def _run_in_worker(settings_json: str, job_id: str) -> None:
    set_settings(Settings.model_validate_json(settings_json))
    _run(job_id)


class Runner(Protocol):
    def start(self, job_id: str) -> None: ...

    def shutdown(self) -> None: ...


class InlineRunner:
    """Runs the job before submit() returns (tests, CLI)."""

    def start(self, job_id: str) -> None:
        _run(job_id)

    def shutdown(self) -> None:
        pass


class PoolRunner:
    def __init__(self, executor: Executor, pass_settings: bool, make: Callable[[], Executor] | None = None) -> None:
        self._executor = executor
        self._pass_settings = pass_settings
        self._make = make
        self._lock = threading.Lock()

    def _submit(self, job_id: str) -> Future[None]:
        if self._pass_settings:
            return self._executor.submit(_run_in_worker, get_settings().model_dump_json(), job_id)
        return self._executor.submit(_run, job_id)

    def start(self, job_id: str) -> None:
        with self._lock:
            try:
                future = self._submit(job_id)
            except BrokenProcessPool:
                # A worker died earlier (killed, out of memory): the pool refuses work until replaced.
                if self._make is None:
                    raise
                self._executor = self._make()
                future = self._submit(job_id)
        future.add_done_callback(lambda done: self._finished(job_id, done))

    def _finished(self, job_id: str, future: Future[None]) -> None:
        if future.cancelled():
            _fail_lost(job_id, "The job was dropped before it started (the server was stopping). Start it again.")
        elif future.exception() is not None:
            _fail_lost(job_id, WORKER_DIED)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


_runner: Runner | None = None


def get_runner() -> Runner:
    global _runner
    if _runner is None:
        settings = get_settings()
        if settings.job_runner == "inline":
            _runner = InlineRunner()
        elif settings.job_runner == "thread":
            _runner = PoolRunner(ThreadPoolExecutor(settings.job_workers), pass_settings=False)
        elif settings.job_runner == "ray":
            from heroes.core.ray_runner import RayRunner

            _runner = RayRunner(settings.ray_address)
        else:
            workers = settings.job_workers

            def make() -> Executor:
                return ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=exit_with_parent)

            _runner = PoolRunner(make(), pass_settings=True, make=make)
    return _runner


def set_runner(runner: Runner | None) -> None:
    global _runner
    if _runner is not None and runner is not _runner:
        _runner.shutdown()
    _runner = runner


# --- the API the tools use ---------------------------------------------------------------


@dataclass(frozen=True)
class JobView:
    id: str
    kind: str
    owner: str
    state: str
    done: int
    total: int | None
    message: str
    result: dict[str, Any] | None
    error: str | None
    created_at: str
    finished: bool
    finished_at: str | None = None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.state == "done" else None
        return min(100, int(100 * self.done / self.total))

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "percent": self.percent}


def view(job: Job) -> JobView:
    """A detached, read-only view of a job row (safe to use after its session closes)."""
    return JobView(
        job.id,
        job.kind,
        job.owner,
        job.state,
        job.done,
        job.total,
        job.message,
        job.result,
        job.error,
        job.created_at.isoformat(),
        job.state in FINISHED,
        job.finished_at.isoformat() if job.finished_at else None,
    )


def submit(kind: str, params: dict[str, Any], owner: Any, prepare: Callable[[Path], None] | None = None) -> str:
    """Queue a job and hand it to the runner. `owner` is a Principal (or a username).

    `prepare(workdir)` may place input files in the job's folder before it starts.
    """
    handler_for(kind)  # fail now, not in the worker, if the kind is unknown
    owner_name = getattr(owner, "actor", None) or str(owner)
    job_id = str(uuid.uuid4())
    if prepare is not None:
        prepare(workdir(job_id))
    with session_scope() as session:
        session.add(Job(id=job_id, kind=kind, owner=owner_name, params=params, state="queued"))
        audit.record(session, owner_name, "job.submit", f"job:{job_id}", {"kind": kind})
    get_runner().start(job_id)
    return job_id


def cancel(job_id: str, principal: Any) -> JobView:
    """Stop a job: a queued one at once, a running one at its next progress report."""
    with session_scope() as session:
        job = _visible_job(session, job_id, principal)
        if job.state in FINISHED:
            raise HeroesError("This job has already ended.", status_code=409)
        job.cancel_requested = True
        actor = getattr(principal, "actor", str(principal))
        audit.record(session, actor, "job.cancel", f"job:{job_id}", {"kind": job.kind})
        if job.state == "queued":
            _finish(session, job, "cancelled", None, "Cancelled before it started.")
        return view(job)


def resume(job_id: str, principal: Any) -> str:
    """Start a failed, cancelled or interrupted job again; handlers that keep a checkpoint in their
    work folder (``resume_from``) take over what the old job had finished."""
    with session_scope() as session:
        job = _visible_job(session, job_id, principal)
        if job.state not in ("failed", "cancelled", "interrupted"):
            raise HeroesError("Only a failed, cancelled or interrupted job can be started again.", status_code=409)
        kind, params, owner = job.kind, dict(job.params), job.owner
    params["resume_from"] = job_id
    return submit(kind, params, owner)


def _visible_job(session: Session, job_id: str, principal: Any) -> Job:
    """The job, if it exists and the principal may see it (its owner, or a holder of jobs:all)."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFoundError(f"No job {job_id!r}.")
    if not _may_see(job, principal):
        raise PermissionDenied("This job belongs to someone else.")
    return job


def _may_see(job: Job, principal: Any) -> bool:
    can = getattr(principal, "can", None)
    return bool(job.owner == getattr(principal, "actor", principal) or (can and can("jobs:all")))


def get(job_id: str, principal: Any, audited: bool = False) -> JobView:
    """One job; `audited` records the read (pages and the API; not the progress poll)."""
    with read_scope() as session:  # the read's audit entry goes to the batch writer (core.audit)
        job = _visible_job(session, job_id, principal)
        if audited:
            audit.record(session, getattr(principal, "actor", str(principal)), "job.read", f"job:{job_id}")
        return view(job)


def list_jobs(principal: Any, limit: int = 100) -> list[JobView]:
    with read_scope() as session:
        query = select(Job).order_by(Job.created_at.desc()).limit(limit)
        if not getattr(principal, "can", lambda _p: False)("jobs:all"):
            query = query.where(Job.owner == principal.actor)
        return [view(job) for job in session.execute(query).scalars()]


def audit_list(principal: Any) -> None:
    with read_scope() as session:
        audit.record(session, getattr(principal, "actor", str(principal)), "job.list")


def output_path(job_id: str, principal: Any) -> Path:
    view = get(job_id, principal)
    name = (view.result or {}).get("output")
    if view.state != "done" or not name:
        raise NotFoundError("This job has no output to download (yet).")
    path = (workdir(job_id) / str(name)).resolve()
    if workdir(job_id).resolve() not in path.parents or not path.is_file():
        raise NotFoundError("The job's output file is missing.")
    return path


def recover_interrupted() -> int:
    """Jobs left queued or running by a stopped server are marked interrupted, not left hanging."""
    with session_scope() as session:
        stale = session.execute(select(Job).where(Job.state.in_(("queued", "running")))).scalars().all()
        for job in stale:
            job.state = "interrupted"
            job.error = "The server stopped while this job was running. Start it again."
            job.finished_at = utcnow()
        return len(stale)


def wait(job_id: str, principal: Any, timeout: float = 60.0, poll: float = 0.1) -> JobView:
    deadline = time.monotonic() + timeout
    while True:
        view = get(job_id, principal)
        if view.finished or time.monotonic() > deadline:
            return view
        time.sleep(poll)


@job_handler("core.selftest")
def selftest(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Counts to `steps`, writing an output file: checks that the runner, progress and downloads work."""
    steps = int(params.get("steps", 10))
    if params.get("fail"):
        raise HeroesError("Self-test asked to fail.")
    if params.get("crash"):  # the worker process dies: the runner must notice
        import os

        os._exit(3)
    for step in range(steps):
        time.sleep(float(params.get("delay", 0.0)))
        progress.update(step + 1, steps, f"step {step + 1}")
    (progress.workdir / "selftest.txt").write_text(f"{steps} steps\n")
    return {"output": "selftest.txt", "steps": steps}
