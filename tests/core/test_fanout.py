"""The fan-out interface on the inline runner and the local process pool (Ray: test_ray.py)."""

from __future__ import annotations

import operator
import os
import signal
from collections.abc import Sequence
from pathlib import Path

import pytest

from heroes.core.errors import HeroesError
from heroes.core.fanout import InlineFanOut, ProcessFanOut, get_fanout, split


def square(n: int) -> int:
    return n * n


def squares_of_chunk(chunk: Sequence[int]) -> list[int]:
    return [n * n for n in chunk]


def die_once(unit: tuple[int, str]) -> int:
    """Kills its own worker the first time unit 7 is run: the chunk must be run again elsewhere."""
    number, marker = unit
    if number == 7 and not os.path.exists(marker):
        Path(marker).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return number * 3


def always_die(unit: int) -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return unit


def refuse(unit: int) -> int:
    if unit == 3:
        raise ValueError("unit 3 is bad input")
    return unit


def test_split_keeps_order_and_every_unit() -> None:
    assert split(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]


def test_inline_map_reduce_and_progress() -> None:
    seen: list[tuple[int, int]] = []
    fan = InlineFanOut[int, int]()
    total = fan.map_reduce(
        square, list(range(10)), operator.add, 0, chunk_size=3, progress=lambda d, t: seen.append((d, t))
    )
    assert total == sum(n * n for n in range(10))
    assert seen == [(0, 10), (3, 10), (6, 10), (9, 10), (10, 10)]


def test_process_pool_gives_the_inline_results_in_order() -> None:
    units = list(range(500))
    progress: list[int] = []
    with ProcessFanOut[int, int](workers=2) as fan:
        got = fan.map(square, units, chunk_size=17, progress=lambda done, _total: progress.append(done))
        chunked = fan.map_chunks(squares_of_chunk, units, chunk_size=50)
    assert got == chunked == InlineFanOut[int, int]().map(square, units)
    assert progress[0] == 0 and progress[-1] == 500 and progress == sorted(progress)


def test_process_pool_runs_the_units_of_a_killed_worker_again(tmp_path: Path) -> None:
    units = [(i, str(tmp_path / "died")) for i in range(40)]
    with ProcessFanOut[tuple[int, str], int](workers=2) as fan:
        got = fan.map(die_once, units, chunk_size=4)
        assert fan.retried >= 1
    assert (tmp_path / "died").exists()
    assert got == [i * 3 for i in range(40)]


def test_process_pool_gives_up_on_a_unit_that_always_kills_its_worker() -> None:
    with ProcessFanOut[int, int](workers=1, max_retries=1) as fan, pytest.raises(HeroesError, match="died 2 times"):
        fan.map(always_die, [1, 2], chunk_size=1)


def test_an_error_of_the_function_is_raised_not_retried() -> None:
    with ProcessFanOut[int, int](workers=1) as fan, pytest.raises(ValueError, match="unit 3 is bad input"):
        fan.map(refuse, list(range(6)), chunk_size=2)
    assert fan.retried == 0


def test_unknown_runner_is_refused() -> None:
    with pytest.raises(HeroesError, match="inline, process, ray"):
        get_fanout("spark")
