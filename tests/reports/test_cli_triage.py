import json
from pathlib import Path

from typer.testing import CliRunner

from heroes.core.errors import HeroesError
from heroes.reports.cli import app

runner = CliRunner()


def test_triage_json_from_stdin() -> None:
    text = "Un hombre escribe a mi hija de 12 años y le pide fotos. Su número es 612 345 678."
    result = runner.invoke(app, ["triage", "-", "--json", "--country", "ES"], input=text)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["category"] == "online_grooming"
    assert data["classification"]["language"] == "es"
    assert {r["code"] for r in data["urgency"]["reasons"]} >= {"child"}
    assert data["urgency"]["level"] in {"critical", "high"}
    child = next(f for f in data["urgency"]["facts"] if f["kind"] == "child" and "age" in f)
    assert text[child["start"] : child["end"]] == child["quote"] == "12 años"
    assert {"kind": "phone", "value": "+34612345678"}.items() <= data["identifiers"][0].items()


def test_triage_json_file_with_fields_and_plain_output(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            {
                "description": "The workers are never paid and the boss keeps their passports.",
                "danger_now": True,
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["triage", str(report)])
    assert result.exit_code == 0, result.output
    assert "Labour exploitation" in result.output
    assert "danger now" in result.output and "High" in result.output
    assert "passports" in result.output  # the words behind the facts


def test_triage_bad_input_is_one_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["triage", str(broken)])
    assert isinstance(result.exception, HeroesError)
    assert "not valid" in str(result.exception)
    missing = runner.invoke(app, ["triage", str(tmp_path / "nope.txt")])
    assert isinstance(missing.exception, HeroesError)
