"""`heroes screening ...` and `heroes referral ...`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from heroes.cli import app as cli
from heroes.core.db import session_scope
from heroes.screening import store
from heroes.screening.content import get_content
from heroes.screening.hsds import seed_directory, to_hsds

runner = CliRunner()


def test_checklist_json_and_text() -> None:
    result = runner.invoke(
        cli, ["screening", "checklist", "--country", "UK", "--sector", "health", "--child", "--lang", "es", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["country"] == "GB" and data["child"] is True and data["consent_question"] is None
    assert data["danger_question"].startswith("¿")
    text = runner.invoke(cli, ["screening", "checklist", "--country", "ES", "--sector", "transport"])
    assert text.exit_code == 0 and "tra-one-way-vague-job" in text.output and "Does the adult agree" in text.output


def test_assess_prints_level_reasons_and_steps(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"country": "UK", "sector": "health", "observed": ["gen-documents-held"], "danger_now": True})
    )
    result = runner.invoke(cli, ["screening", "assess", str(answers), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["level"] == "urgent" and data["safety_steps"][0]["service"]["phones"][0]["number"] == "999"
    pdf = tmp_path / "note.pdf"
    text = runner.invoke(cli, ["screening", "assess", str(answers), "--lang", "es", "--pdf", str(pdf)])
    assert text.exit_code == 0, text.output
    assert "Urgente" in text.output and "999" in text.output
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_assess_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text('{"country": "UK", "observed": ["made-up"]}')
    result = runner.invoke(cli, ["screening", "assess", str(answers)])
    assert result.exit_code != 0
    assert "unknown indicator id(s): made-up" in str(result.exception)
    answers.write_text("not json")
    assert "is not valid JSON" in str(runner.invoke(cli, ["screening", "assess", str(answers)]).exception)


def test_validate_and_guide() -> None:
    result = runner.invoke(cli, ["screening", "validate"])
    assert result.exit_code == 0 and "countries (BD, CO, ES, GB" in result.output
    guide = runner.invoke(cli, ["screening", "guide", "--json", "--lang", "es"])
    assert json.loads(guide.output)["dimensions"][0]["name"] == "Desequilibrio de poder"


def test_referral_export_from_data_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "dir.json"
    result = runner.invoke(cli, ["referral", "export", "--from-data", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == to_hsds(seed_directory(get_content()))


def test_referral_import_needs_an_admin_and_round_trips(heroes_db: Any, make_user: Any, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(to_hsds(seed_directory(get_content()))))
    caseworker = make_user("caseworker")
    denied = runner.invoke(cli, ["--user", caseworker, "referral", "import", str(source)])
    assert denied.exit_code != 0 and "referral:edit" in str(denied.exception)
    admin = make_user("admin")
    result = runner.invoke(cli, ["--user", admin, "referral", "import", str(source), "--replace"])
    assert result.exit_code == 0, result.output
    with session_scope() as session:
        assert store.load_directory(session) == seed_directory(get_content())
    out = tmp_path / "out.json"
    exported = runner.invoke(cli, ["referral", "export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text()) == json.loads(source.read_text())
