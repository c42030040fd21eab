"""`heroes media scan --runner ray` on a real local Ray: the inline results, line for line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from heroes.cli import app as cli
from heroes.media.scan import hash_file

pytestmark = pytest.mark.slow


@pytest.fixture
def intake(evidence_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from heroes.core.settings import get_settings

    monkeypatch.setattr(get_settings(), "media_roots", str(evidence_folder.parent))
    return evidence_folder


def test_scan_on_ray_writes_the_inline_results(local_ray: None, evidence_folder: Path, tmp_path: Path) -> None:
    one = hash_file(evidence_folder / "one.jpg")
    listed = tmp_path / "national.csv"
    listed.write_text(f"hash_type,hash,category\npdq,{one.value('pdq')},A\n", encoding="utf-8")
    outputs = {}
    for runner_name in ("inline", "ray"):
        out = tmp_path / f"{runner_name}.jsonl"
        args = ["media", "scan", str(evidence_folder), "--hashlist", str(listed), "-o", str(out)]
        result = CliRunner().invoke(cli, [*args, "--runner", runner_name])
        assert result.exit_code == 0, result.output
        outputs[runner_name] = out.read_text(encoding="utf-8")
    assert outputs["ray"] == outputs["inline"] and outputs["inline"].count('"matches": [{') == 2


def test_a_scan_job_runs_as_a_ray_task_and_fans_out_there(local_ray: None, client, login_as, intake: Path) -> None:
    """HEROES_JOB_RUNNER=ray: the job is a Ray task and spreads its files over the cluster from there."""
    import time

    from heroes.core import jobs
    from heroes.core.settings import get_settings, set_settings
    from tests.conftest import csrf_of
    from tests.media.test_web import _list_csv

    login_as("investigator")
    headers = {"X-CSRF-Token": csrf_of(client)}
    up = client.post("/api/media/lists", files={"file": ("l.csv", _list_csv(intake), "text/csv")}, headers=headers)
    assert up.status_code == 201, up.text
    set_settings(get_settings().model_copy(update={"job_runner": "ray"}))
    jobs.set_runner(None)
    try:
        scan_id = client.post("/api/media/scans", json={"path": str(intake)}, headers=headers).json()["id"]
        deadline = time.monotonic() + 180
        status = client.get(f"/api/media/scans/{scan_id}").json()
        while status["state"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)
            status = client.get(f"/api/media/scans/{scan_id}").json()
        assert status["state"] == "done", status
        assert status["summary"]["files"] == 9 and status["summary"]["matched_files"] == 4
    finally:
        jobs.set_runner(None)
