"""The Ray runner on a real local Ray with 2 CPUs: same results as inline, a killed worker's units run
again, jobs run as Ray tasks. One Ray for the run (tests/conftest.py `local_ray`) (starting it takes a few seconds)."""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Any

import pytest

from heroes.core.fanout import InlineFanOut, get_fanout
from tests.core.test_fanout import die_once, square

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow


def test_ray_fan_out_matches_inline_with_aggregated_progress(local_ray: None) -> None:
    units = list(range(2000))
    progress: list[int] = []
    fan = get_fanout("ray")
    assert fan.workers == 2
    got = fan.map_reduce(square, units, operator.add, 0, chunk_size=100, progress=lambda d, _t: progress.append(d))
    assert got == InlineFanOut[int, int]().map_reduce(square, units, operator.add, 0)
    assert fan.map(square, units, chunk_size=64) == [n * n for n in units]
    assert progress[0] == 0 and progress[-1] == 2000 and len(progress) == 21 and progress == sorted(progress)


def test_ray_runs_the_units_of_a_killed_worker_again(local_ray: None, tmp_path: Path) -> None:
    units = [(i, str(tmp_path / "died")) for i in range(40)]
    got = get_fanout("ray").map(die_once, units, chunk_size=4)
    assert (tmp_path / "died").exists(), "the worker was never killed"
    assert got == [i * 3 for i in range(40)]


def test_a_job_runs_as_a_ray_task(local_ray: None, heroes_db: Any) -> None:
    from heroes.core import jobs
    from heroes.core.auth import Principal
    from heroes.core.settings import get_settings, set_settings

    set_settings(get_settings().model_copy(update={"job_runner": "ray"}))
    jobs.set_runner(None)
    try:
        owner = Principal("caseworker", "alice", 1, "cli")
        job_id = jobs.submit("core.selftest", {"steps": 3}, owner)
        view = jobs.wait(job_id, owner, timeout=120)
        assert view.state == "done", view.error
        assert jobs.output_path(job_id, owner).read_text() == "3 steps\n"
    finally:
        jobs.set_runner(None)
