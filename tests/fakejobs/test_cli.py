"""The CLI: one ad, and the batch round trip on CSV and JSONL with bad rows in them."""

import csv
import json

from typer.testing import CliRunner

from heroes.cli import app
from heroes.fakejobs.engine import default_checker

from .ads import NEUTRAL_EN, RISKY_EN, RISKY_ES

runner = CliRunner()


def test_check_reads_stdin_and_prints_a_verdict():
    result = runner.invoke(app, ["--lang", "en", "fakejobs", "check", "-"], input=RISKY_EN)
    assert result.exit_code == 0, result.output
    assert "High risk" in result.output and '"keep your passport"' in result.output
    assert "/reports/new" in result.output


def test_check_json_fields_in_spanish(tmp_path):
    ad = tmp_path / "ad.json"
    ad.write_text(json.dumps({"title": "Azafatas", "description": RISKY_ES, "contact": "ofertas@gmail.com"}))
    result = runner.invoke(app, ["--lang", "es", "fakejobs", "check", str(ad), "--json"])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.output)
    assert verdict["language"] == "es" and verdict["level"] == "high"
    assert "free_email_contact" in {i["id"] for i in verdict["indicators"]}
    assert verdict["report_label"] == "Denunciar este anuncio"


def test_check_in_spanish_writes_decimal_commas():
    result = runner.invoke(app, ["--lang", "es", "fakejobs", "check", "-"], input=RISKY_ES)
    assert result.exit_code == 0, result.output
    score = default_checker().check(RISKY_ES).score
    assert f"{score:.2f}".replace(".", ",") in result.output and "5,0 %" in result.output


def test_check_a_posting_of_200000_characters(tmp_path):
    ad = tmp_path / "long.txt"
    ad.write_text(("Warehouse shift in Leeds, apply on our website. " * 5000)[:200_000], encoding="utf-8")
    result = runner.invoke(app, ["--lang", "en", "fakejobs", "check", str(ad), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["level"] in {"low", "medium", "high"}


def test_check_refuses_an_empty_ad():
    result = runner.invoke(app, ["--lang", "en", "fakejobs", "check", "-"], input="   ")
    assert result.exit_code != 0 and "empty" in (result.output + str(result.exception))


def _read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_score_jsonl_with_bad_rows(tmp_path):
    source = tmp_path / "ads.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": RISKY_EN}),
                "{not json",
                json.dumps(
                    {"id": "b", "title": "Accountant", "description": NEUTRAL_EN, "company_profile": "Example Ltd"}
                ),
                json.dumps({"text": "an ad without id"}),
                json.dumps({"id": "c", "text": ""}),
                json.dumps(["a", "list"]),
                json.dumps({"id": 7, "text": RISKY_ES}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["fakejobs", "score", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = _read_jsonl(out)
    assert [r.get("id") for r in rows] == ["a", None, "b", None, "c", None, 7]
    assert [r.get("line") for r in rows if "error" in r] == [2, 4, 5, 6]
    for line in (2, 4, 5, 6):
        assert f"line {line}:" in result.output
    threshold = default_checker().model.metadata["decision"]["en"]["threshold"]
    for row in (rows[0], rows[2], rows[6]):
        assert set(row) == {"id", "score", "label", "level", "indicators"}
        assert 0 <= row["score"] <= 1 and row["label"] == int(row["score"] >= threshold)
    assert rows[0]["level"] == "high" and "documents_retained" in rows[0]["indicators"]
    assert rows[2]["indicators"] == []


def test_score_csv_with_emscad_columns_and_a_broken_row(tmp_path):
    source = tmp_path / "ads.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "company_profile", "description", "salary_range", "location"])
        writer.writerow(["1", "Hostess", "", RISKY_EN, "", "AE, DU, Dubai"])
        writer.writerow(["2", "Accountant", "Example Ltd", NEUTRAL_EN, "30000-35000", "GB, , Leeds"])
        writer.writerow(["3", "too", "few"])
        writer.writerow(["4", "", "", "", "", ""])
        writer.writerow(["5", "Multi\nline title", "Example", "Line one.\nLine two: free flights.", "", ""])
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["fakejobs", "score", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = _read_jsonl(out)
    assert [str(r["id"]) for r in rows] == ["1", "2", "3", "4", "5"]
    assert "error" in rows[2] and rows[2]["line"] == 4
    assert "error" in rows[3] and rows[3]["line"] == 5
    assert "travel_paid" in rows[4]["indicators"]
    assert rows[0]["level"] == "high"


def test_score_refuses_unknown_formats(tmp_path):
    source = tmp_path / "ads.txt"
    source.write_text("hello")
    result = runner.invoke(app, ["fakejobs", "score", str(source), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code != 0


def test_score_reports_a_missing_file(tmp_path):
    result = runner.invoke(app, ["fakejobs", "score", str(tmp_path / "none.csv"), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code != 0 and "does not exist" in str(result.exception)
