"""`heroes media scan --runner ray` on a real local Ray: the inline results, line for line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from heroes.cli import app as cli
from heroes.media.scan import hash_file

pytestmark = pytest.mark.slow


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
