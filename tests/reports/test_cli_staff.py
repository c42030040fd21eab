"""`heroes --user NAME reports list|show|export` against a real database."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from heroes.cli import app
from heroes.core.db import session_scope
from heroes.core.errors import PermissionDenied
from heroes.core.models import AuditEntry
from heroes.core.settings import Settings

from .helpers import FARM, GROOMING, submit

runner = CliRunner()


def test_list_show_export(heroes_db: Settings, make_user: Callable[..., str], tmp_path: Path) -> None:
    farm = submit(FARM, country="ES", phones=["612 345 678"])
    child = submit(GROOMING, danger_now=True)
    name = make_user("investigator")
    listed = runner.invoke(app, ["--user", name, "reports", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert [row["id"] for row in rows] == [child.report_id, farm.report_id]
    assert "danger_declared" in rows[0]["reasons"]
    table = runner.invoke(app, ["--user", name, "reports", "list"])
    assert table.exit_code == 0
    assert table.output.index(f"│ {child.report_id} ") < table.output.index(f"│ {farm.report_id} ")
    shown = runner.invoke(app, ["--user", name, "reports", "show", str(farm.report_id)])
    data = json.loads(shown.output)
    assert data["category"] == "labour_exploitation"
    assert data["identifiers"][0]["value"] == "+34612345678"
    target = tmp_path / "out.csv"
    exported = runner.invoke(
        app, ["--user", name, "reports", "export", str(farm.report_id), "--format", "csv", "-o", str(target)]
    )
    assert exported.exit_code == 0, exported.output
    rows_csv = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [int(r["id"]) for r in rows_csv] == [farm.report_id]
    assert rows_csv[0]["phones"] == "612 345 678"
    with session_scope() as session:
        acted = list(session.execute(select(AuditEntry.action).where(AuditEntry.actor == name)).scalars())
    assert acted == ["reports.queue", "reports.queue", "reports.view", "reports.export"]


def test_staff_commands_need_the_permission(heroes_db: Settings, make_user: Callable[..., str]) -> None:
    submit(FARM)
    caseworker = make_user("caseworker")
    result = runner.invoke(app, ["--user", caseworker, "reports", "list"])
    assert isinstance(result.exception, PermissionDenied)
    missing = runner.invoke(app, ["--user", caseworker, "reports", "show", "999"])
    assert isinstance(missing.exception, PermissionDenied)
