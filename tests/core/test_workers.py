"""The CPU worker pool: workers warm up (tools' models loaded) before the first request, a failed
warm-up costs nothing but time, and work still runs with its budget."""

import logging

import pytest

from heroes.core import workers
from heroes.core.settings import get_settings, set_settings


def _grooming_model_loaded() -> bool:
    import sys

    model = sys.modules.get("heroes.grooming.model")
    return model is not None and model._default is not None


def _boom() -> None:
    raise RuntimeError("no model here")


def _spin(seconds: float) -> float:
    """Compute for `seconds` of this process's CPU time; the CPU time used."""
    import time

    start = time.process_time()
    while time.process_time() - start < seconds:
        pass
    return time.process_time() - start


def _sleep_then_spin(sleep: float, seconds: float) -> str:
    """Wait (as work does on a loaded host: off the CPU), then compute a little."""
    import time

    time.sleep(sleep)
    _spin(seconds)
    return "done"


def test_the_grooming_tool_declares_its_warm_up():
    assert "heroes.grooming.analysis:warm_up" in workers._warm_ups()


def test_a_failed_warm_up_is_logged_and_the_others_still_run(caplog):
    with caplog.at_level(logging.ERROR, logger="heroes.core.workers"):
        workers._warm_up((f"{__name__}:_boom", "heroes.grooming.analysis:warm_up"))
    assert "no model here" in caplog.text
    assert _grooming_model_loaded()


@pytest.fixture
def process_runner():
    before = get_settings()
    set_settings(before.model_copy(update={"job_runner": "process", "cpu_workers": 1}))
    workers.shutdown()
    try:
        yield
    finally:
        workers.shutdown()
        set_settings(before)


def test_a_prewarmed_worker_has_the_model_before_any_request(process_runner):
    workers.prewarm()
    assert workers.run_bounded(_grooming_model_loaded, budget=120) is True


def test_paused_gc_restores_the_collector_as_it_was():
    import gc

    assert gc.isenabled()
    with workers.paused_gc():
        assert not gc.isenabled()
        with workers.paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause leaves the outer one in force
    assert gc.isenabled()
    with pytest.raises(ValueError), workers.paused_gc():
        raise ValueError
    assert gc.isenabled()


def test_the_budget_counts_cpu_time_not_the_clock(process_runner):
    """A host busy with other work stretches an upload's clock time, not its CPU time: 2.5 s by the
    clock but 0.2 s of CPU fits a 1 s budget, and the worker's own CPU past 1 s is refused."""
    workers.prewarm()
    workers.run_bounded(_spin, 0.0, budget=120)  # the worker is up and warm
    assert workers.run_bounded(_sleep_then_spin, 2.5, 0.2, budget=1.0) == "done"
    with pytest.raises(workers.TooMuchWork) as refused:
        workers.run_bounded(_spin, 30.0, budget=1.0, what="too long")
    assert refused.value.status_code == 413 and "too long" in str(refused.value)
    # the worker that overran unwound and took the next piece of work
    assert workers.run_bounded(_spin, 0.1, budget=5.0) >= 0.1


def test_the_wall_clock_ceiling_still_stops_work_that_never_computes(process_runner):
    workers.prewarm()
    workers.run_bounded(_spin, 0.0, budget=120)
    with pytest.raises(workers.TooMuchWork):
        workers.run_bounded(_sleep_then_spin, 60.0, 0.0, budget=0.5, wall=1.5)
    assert workers.run_bounded(_spin, 0.05, budget=5.0) >= 0.05  # a fresh pool took over


def test_the_cpu_budget_is_enforced_in_this_process_too():
    """`_with_cpu_budget` is what each worker runs: past its CPU seconds the work unwinds."""
    import signal

    before = signal.getsignal(signal.SIGPROF)
    with pytest.raises(workers._OverBudget):
        workers._with_cpu_budget(0.2, _spin, 10.0)
    assert workers._with_cpu_budget(5.0, _spin, 0.05) >= 0.05
    assert signal.getsignal(signal.SIGPROF) == before
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)


def _pid_and_sum(values: list[int]) -> tuple[int, int]:
    import os

    return os.getpid(), sum(values)


def _fails() -> None:
    raise ValueError("bad input in the copy")


@pytest.fixture
def no_other_threads(monkeypatch):
    """Other tests leave threads behind (the audit writer, servers): `forked` would then rightly
    run the work in place. These tests fork with functions that take no locks."""
    monkeypatch.setattr(workers, "other_threads", lambda: 0)


def test_forked_work_runs_in_a_copy_and_its_failures_come_back(no_other_threads):
    import os

    data = list(range(1000))  # the copy sees what this process holds, without being sent it
    with workers.forked(lambda: _pid_and_sum(data)) as join:
        here = sum(data[:10])
        pid, total = join()
    assert pid != os.getpid() and total == 499500 and here == 45
    with pytest.raises(ValueError, match="bad input in the copy"), workers.forked(_fails) as join:
        join()


def test_forked_work_runs_here_while_other_threads_run():
    """Forking a process whose other threads may hold locks is unsafe: then the work runs here."""
    import os
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with workers.forked(lambda: _pid_and_sum([1, 2])) as join:
            assert join() == (os.getpid(), 3)
    finally:
        stop.set()
        other.join()


def _note_pid_and_sleep(path: str) -> None:
    import os
    import time

    with open(path, "w") as out:
        out.write(str(os.getpid()))
    time.sleep(60)


def test_leaving_early_stops_the_copy(no_other_threads, tmp_path):
    import os
    import time

    note = tmp_path / "pid"
    with pytest.raises(RuntimeError), workers.forked(lambda: _note_pid_and_sleep(str(note))):
        for _ in range(600):
            if note.exists() and note.read_text():
                break
            time.sleep(0.05)
        raise RuntimeError("the parent's own share failed")
    pid = int(note.read_text())
    assert pid != os.getpid()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped and reaped: not even a zombie is left


def test_the_copy_keeps_to_the_cpu_budget_left(no_other_threads):
    with pytest.raises(workers._OverBudget):
        workers._with_cpu_budget(0.5, _fork_and_spin)


def _fork_and_spin() -> None:
    with workers.forked(lambda: _spin(30.0)) as join:
        join()
