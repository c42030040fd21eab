"""`heroes rima ...` end to end through the real command, with custody records in the database."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from heroes.cli import app as cli
from heroes.core.db import session_scope
from heroes.core.models import CustodyRecord
from heroes.rima.models import RimaPackage

runner = CliRunner()


def test_acquire_verify_messages_report_grooming(phone_dump: Path, tmp_path: Path, make_user) -> None:
    user = make_user("investigator")
    out = tmp_path / "case.zip"
    result = runner.invoke(
        cli, ["--user", user, "rima", "acquire", str(phone_dump), "--case", "2024/17", "--examiner", "Ana",
              "-o", str(out), "--tz", "Europe/Madrid"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Acquisition summary" in result.output and " 6 conversations from 7 files" in result.output
    with session_scope() as s:
        (pkg,) = s.execute(select(RimaPackage)).scalars().all()
        actions = [r.action for r in s.execute(select(CustodyRecord).order_by(CustodyRecord.id)).scalars()]
    assert pkg.case == "2024/17" and pkg.owner == user
    assert actions.count("rima.parse") == 4 and actions[-1] == "rima.seal" and "rima.acquire" in actions

    result = runner.invoke(cli, ["--user", user, "rima", "verify", str(out)])
    assert result.exit_code == 0 and "OK" in result.output

    result = runner.invoke(cli, ["--user", user, "rima", "messages", str(out), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    keys = {"conversation", "app", "sender", "time", "text", "source_file", "source_ref"}
    assert rows and all(keys <= set(r) for r in rows)
    assert all(r["time"] is None or r["time"].endswith("Z") for r in rows)

    result = runner.invoke(cli, ["--user", user, "rima", "messages", str(out), "--search", "parque"])
    assert result.exit_code == 0 and result.stdout.count("\n") == 1 and "Me:" in result.stdout

    pdf = tmp_path / "report.pdf"
    result = runner.invoke(cli, ["--user", user, "rima", "report", str(out), "-o", str(pdf), "--grooming"])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")

    result = runner.invoke(cli, ["--user", user, "rima", "grooming", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert {r["conversation"] for r in json.loads(result.stdout)} <= {f"C{i:04d}" for i in range(1, 20)}

    result = runner.invoke(cli, ["--user", user, "rima", "timeline", str(out), "--json"])
    times = [json.loads(line)["time"] for line in result.stdout.splitlines()]
    assert len(times) == len(rows) and [t for t in times if t] == sorted(t for t in times if t)

    result = runner.invoke(cli, ["--user", user, "rima", "contacts", str(out)])
    assert '"+34600000001"' in result.stdout


def test_verify_names_a_tampered_file_and_a_reforged_manifest(phone_dump: Path, tmp_path: Path, make_user) -> None:
    import hashlib

    user = make_user("investigator")
    out = tmp_path / "pkg"
    args = ["--user", user, "rima", "acquire", str(phone_dump / "result.json"), "--case", "c", "--examiner", "e"]
    assert runner.invoke(cli, [*args, "-o", str(out)]).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["case"] = "another case"
    (out / "manifest.json").write_text(json.dumps(manifest))
    digest = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    (out / "manifest.sha256").write_text(f"{digest}  manifest.json\n")  # the forger rewrites the seal too
    result = runner.invoke(cli, ["--user", user, "rima", "verify", str(out)])
    assert result.exit_code == 1 and "CHANGED: manifest.json" in result.output  # the custody record disagrees
    original = next(out.rglob("result.json"))
    original.write_text("{}")
    result = runner.invoke(cli, ["--user", user, "rima", "verify", str(out)])
    assert f"CHANGED: {original.relative_to(out).as_posix()}" in result.output


def test_roles_and_bad_input(phone_dump: Path, tmp_path: Path, make_user) -> None:
    caseworker = make_user("caseworker")
    result = runner.invoke(cli, ["--user", caseworker, "rima", "verify", str(tmp_path)])
    assert result.exit_code != 0 and "rima:read" in str(result.exception)
    user = make_user("investigator")
    result = runner.invoke(cli, ["--user", user, "rima", "verify", str(tmp_path)])
    assert result.exit_code != 0 and "not an evidence package" in str(result.exception)
    result = runner.invoke(
        cli, ["--user", user, "rima", "acquire", str(phone_dump), "--case", "c", "--examiner", "e", "-o",
              str(tmp_path / "p"), "--tz", "Mars/Base"],
    )  # fmt: skip
    assert result.exit_code != 0 and "Unknown time zone" in str(result.exception)
