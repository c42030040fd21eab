import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from heroes.cli import app

from .conftest import GROOMING_CHAT, GROOMING_CHAT_ES, ORDINARY_CHAT, ORDINARY_CHAT_ES

HEROES = str(Path(sys.executable).parent / "heroes")


def _messages(lines):
    return [{"author": a, "text": t} for a, t in lines]


def test_analyze_text_and_json(tmp_path):
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"format": "heroes-chat", "id": "c1", "messages": _messages(GROOMING_CHAT)}))
    out = CliRunner().invoke(app, ["grooming", "analyze", str(f)])
    assert out.exit_code == 0, out.output
    assert "Isolation and secrecy" in out.output and "sam" in out.output
    js = CliRunner().invoke(app, ["grooming", "analyze", str(f), "--json"])
    rep = json.loads(js.output)
    assert rep["riskiest_author"] == "sam" and rep["label"] is True
    es = CliRunner().invoke(app, ["--lang", "es", "grooming", "analyze", str(f)])
    assert "Aislamiento y secreto" in es.output


def test_analyze_json_warns_on_a_spanish_chat_and_not_on_an_ordinary_one(tmp_path):
    f = tmp_path / "es.json"
    f.write_text(json.dumps({"format": "heroes-chat", "id": "es1", "messages": _messages(GROOMING_CHAT_ES)}))
    rep = json.loads(CliRunner().invoke(app, ["--lang", "es", "grooming", "analyze", str(f), "--json"]).output)
    # Warned before the end, by the adult, with the stages the warning pointed at.
    assert rep["alert_at"] is not None and rep["alert_at"] < len(GROOMING_CHAT_ES) - 2
    assert rep["riskiest_author"] == "leo" and rep["level"] == "high"
    stages = [a["stage"] for a in rep["alerts"]]
    assert len(stages) == len(set(stages)) >= 2 and "approach" in stages
    assert all(set(a) == {"index", "stage", "snippet"} for a in rep["alerts"])
    assert "Aviso" not in rep["advice"] and "pruebas" in rep["advice"]
    g = tmp_path / "abuela.json"
    g.write_text(json.dumps({"format": "heroes-chat", "id": "o", "messages": _messages(ORDINARY_CHAT_ES)}))
    rep = json.loads(CliRunner().invoke(app, ["grooming", "analyze", str(g), "--json"]).output)
    assert rep["alert_at"] is None and rep["alerts"] == [] and rep["level"] != "high"
    assert "sexual" not in [s["stage"] for s in rep["stages"]]  # a photo of a drawing


def test_score_jsonl_and_csv(tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "messages": _messages(GROOMING_CHAT)},
        {"id": "b", "messages": _messages(ORDINARY_CHAT)},
        {"id": "c", "text": "sam: are your parents home? alex: no"},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["grooming", "score", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = [json.loads(x) for x in out.read_text().splitlines()]
    assert [g["id"] for g in got] == ["a", "b", "c"]
    assert set(got[0]) == {"id", "score", "label", "stages", "alert_at"}
    assert got[0]["label"] == 1 and got[0]["alert_at"] is not None
    assert got[1]["label"] == 0 and got[1]["alert_at"] is None
    assert got[2]["alert_at"] is None and "risk_assessment" in got[2]["stages"]
    assert all(0 <= g["score"] <= 1 for g in got)
    csv_in = tmp_path / "in.csv"
    csv_in.write_text('id,text\nx,"hi, how old are u?"\ny,lol ok\n')
    res = CliRunner().invoke(app, ["grooming", "score", str(csv_in), "-o", str(out)])
    assert res.exit_code == 0
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["x", "y"]


def test_identify_pan(tmp_path):
    msgs = "".join(
        f'<message line="{i + 1}"><author>{a}</author><time>10:{i:02d}</time><text>{t}</text></message>'
        for i, (a, t) in enumerate(GROOMING_CHAT)
    )
    plain = "".join(
        f'<message line="{i + 1}"><author>{a}</author><time>11:{i:02d}</time><text>{t}</text></message>'
        for i, (a, t) in enumerate(ORDINARY_CHAT)
    )
    xml = tmp_path / "pan.xml"
    xml.write_text(
        f'<conversations><conversation id="c1">{msgs}</conversation>'
        f'<conversation id="c2">{plain}</conversation></conversations>'
    )
    out = tmp_path / "pred.txt"
    assert CliRunner().invoke(app, ["grooming", "identify", str(xml), "-o", str(out)]).exit_code == 0
    assert out.read_text().split() == ["sam"]
    CliRunner().invoke(app, ["grooming", "identify", str(xml), "-o", str(out), "--lines"])
    lines = out.read_text().splitlines()
    assert lines and all(ln.startswith("c1 ") for ln in lines)
    assert "c1 8" in lines  # "this is our secret ok, don't tell your mom"


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "in.jsonl"
    bad.write_text('{"id": "a", "text": "hi"}\n{"id": "b", oops}\n')
    res = subprocess.run(
        [HEROES, "grooming", "score", str(bad), "-o", str(tmp_path / "o.jsonl")],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )
    assert res.returncode == 2
    (error,) = [ln for ln in res.stderr.splitlines() if ln.startswith("Error:")]
    assert "in.jsonl: line 2: invalid JSON" in error
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "o.jsonl").exists()
