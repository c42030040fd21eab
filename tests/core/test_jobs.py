from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from heroes.cli import app as cli
from heroes.core import jobs
from heroes.core.auth import Principal
from heroes.core.errors import HeroesError, PermissionDenied


def _owner(name: str, role: str = "caseworker") -> Principal:
    return Principal(role, name, 1, "cli")


def test_inline_job_runs_to_done_with_result_and_output(heroes_db: Any) -> None:
    owner = _owner("alice")
    job_id = jobs.submit("core.selftest", {"steps": 5}, owner)
    view = jobs.get(job_id, owner)
    assert view.state == "done" and view.done == 5 and view.total == 5 and view.percent == 100
    assert jobs.output_path(job_id, owner).read_text() == "5 steps\n"


def test_failing_job_stores_a_clear_error(heroes_db: Any) -> None:
    owner = _owner("alice")
    view = jobs.get(jobs.submit("core.selftest", {"fail": True}, owner), owner)
    assert view.state == "failed" and view.error == "Self-test asked to fail."


def test_unknown_kind_is_refused_before_queueing(heroes_db: Any) -> None:
    with pytest.raises(HeroesError, match="No handler"):
        jobs.submit("nope.nothing", {}, _owner("alice"))


def test_jobs_are_private_to_their_owner_except_for_admins(heroes_db: Any) -> None:
    job_id = jobs.submit("core.selftest", {"steps": 1}, _owner("alice"))
    with pytest.raises(PermissionDenied):
        jobs.get(job_id, _owner("bob"))
    assert jobs.get(job_id, _owner("root", "admin")).state == "done"
    assert [j.id for j in jobs.list_jobs(_owner("bob"))] == []


def test_process_pool_runner_runs_a_job_in_another_process(heroes_db: Any) -> None:
    from heroes.core.settings import get_settings, set_settings

    set_settings(get_settings().model_copy(update={"job_runner": "process", "job_workers": 1}))
    jobs.set_runner(None)
    owner = _owner("alice")
    job_id = jobs.submit("core.selftest", {"steps": 3, "delay": 0.05}, owner)
    view = jobs.wait(job_id, owner, timeout=60)
    assert view.state == "done", view.error
    jobs.set_runner(None)


def test_interrupted_jobs_are_marked(heroes_db: Any) -> None:
    from heroes.core.db import session_scope
    from heroes.core.models import Job

    with session_scope() as session:
        session.add(Job(id="stale-job", kind="core.selftest", owner="alice", params={}, state="running"))
    assert jobs.recover_interrupted() == 1
    assert jobs.get("stale-job", _owner("alice")).state == "interrupted"


def test_web_job_page_follows_and_downloads(client: Any, login_as: Any) -> None:
    name = login_as("caseworker")
    job_id = jobs.submit("core.selftest", {"steps": 2}, _owner(name))
    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 200 and 'data-state="done"' in page.text
    assert client.get(f"/jobs/{job_id}/download").text == "2 steps\n"
    assert client.get(f"/api/jobs/{job_id}").json()["percent"] == 100
    assert job_id in client.get("/jobs").text


def test_cli_watch_shows_the_finished_job(heroes_db: Any, make_user: Any) -> None:
    name = make_user("caseworker")
    job_id = jobs.submit("core.selftest", {"steps": 3}, _owner(name))
    result = CliRunner().invoke(cli, ["--user", name, "jobs", "watch", job_id])
    assert result.exit_code == 0 and "Done" in result.output
    listing = CliRunner().invoke(cli, ["--user", name, "jobs", "list"])
    assert job_id[:8] in listing.output


def test_a_crashed_worker_process_fails_its_job_and_the_pool_recovers(heroes_db: Any) -> None:
    from heroes.core.settings import get_settings, set_settings

    set_settings(get_settings().model_copy(update={"job_runner": "process", "job_workers": 1}))
    jobs.set_runner(None)
    owner = _owner("alice")
    try:
        crashed = jobs.wait(jobs.submit("core.selftest", {"crash": True}, owner), owner, timeout=60)
        assert crashed.state == "failed" and crashed.error == jobs.WORKER_DIED and crashed.finished_at
        after = jobs.wait(jobs.submit("core.selftest", {"steps": 2}, owner), owner, timeout=60)
        assert after.state == "done", after.error  # a new pool replaced the broken one
    finally:
        jobs.set_runner(None)


def test_a_running_job_without_heartbeat_is_reaped_with_reason_and_time(heroes_db: Any) -> None:
    from datetime import timedelta

    from heroes.core.db import session_scope, utcnow
    from heroes.core.models import Job

    old = utcnow() - timedelta(seconds=jobs.DEAD_AFTER_SECONDS + 5)
    with session_scope() as session:
        session.add(
            Job(id="lost-job", kind="core.selftest", owner="alice", params={}, state="running", heartbeat_at=old)
        )
        session.add(
            Job(id="alive-job", kind="core.selftest", owner="alice", params={}, state="running", heartbeat_at=utcnow())
        )
    assert jobs.reap_dead_jobs() == 1
    lost = jobs.get("lost-job", _owner("alice"))
    assert lost.state == "failed" and lost.error == jobs.WORKER_DIED and lost.finished_at
    assert jobs.get("alive-job", _owner("alice")).state == "running"
    assert jobs.DEAD_AFTER_SECONDS + 15 <= 60  # reaped within a minute (the reaper runs every 15 s)


def test_running_job_can_be_cancelled_and_resumed(heroes_db: Any) -> None:
    from heroes.core.settings import get_settings, set_settings

    set_settings(get_settings().model_copy(update={"job_runner": "thread"}))
    jobs.set_runner(None)
    owner = _owner("alice")
    try:
        job_id = jobs.submit("core.selftest", {"steps": 200, "delay": 0.05}, owner)
        for _ in range(100):
            if jobs.get(job_id, owner).state == "running":
                break
            import time

            time.sleep(0.05)
        jobs.cancel(job_id, owner)
        view = jobs.wait(job_id, owner, timeout=30)
        assert view.state == "cancelled" and view.finished_at and view.done < 200
        with pytest.raises(HeroesError, match="already ended"):
            jobs.cancel(job_id, owner)
        again = jobs.resume(job_id, owner)
        jobs.cancel(again, owner)  # cancelled while queued or running: it stops either way
        assert jobs.wait(again, owner, timeout=30).state == "cancelled"
        with pytest.raises(PermissionDenied):
            jobs.cancel(again, _owner("mallory"))
    finally:
        jobs.set_runner(None)


def test_job_reads_are_audited(client: Any, login_as: Any) -> None:
    from heroes.core import audit
    from heroes.core.db import session_scope

    name = login_as("caseworker")
    job_id = jobs.submit("core.selftest", {"steps": 1}, name)
    assert client.get(f"/jobs/{job_id}").status_code == 200
    assert client.get(f"/api/jobs/{job_id}").json()["state"] == "done"
    client.get("/api/jobs")
    with session_scope() as session:
        assert audit.count(session, "job.read", f"job:{job_id}") == 2
        assert audit.count(session, "job.list") == 1


def test_a_second_handler_for_a_job_kind_is_refused() -> None:
    from heroes.core import jobs
    from heroes.core.tools import DuplicateName

    def first(params, progress):  # type: ignore[no-untyped-def]
        return {}

    def second(params, progress):  # type: ignore[no-untyped-def]
        return {}

    try:
        jobs.job_handler("tests.duplicate")(first)
        jobs.job_handler("tests.duplicate")(first)  # the same function again (a reload) is fine
        with pytest.raises(DuplicateName, match=r"tests\.duplicate"):
            jobs.job_handler("tests.duplicate")(second)
    finally:
        jobs._handlers.pop("tests.duplicate", None)
