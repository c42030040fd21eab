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
