"""The CLI contract end to end: ingest, files, entities, search (full text and semantic), match,
timeline, tagging and report."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from heroes.cli import app as cli
from tests.fca.conftest import make_tree

runner = CliRunner()


def _run(user: str, *args: str) -> str:
    result = runner.invoke(cli, ["--user", user, "fca", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_cli_contract(heroes_db, make_user, ext4_image: Path, tmp_path: Path) -> None:
    user = make_user("investigator")
    empty_list = tmp_path / "empty.csv"
    empty_list.write_text(f"hash_type,hash,category\nsha256,{'1' * 64},other\n", encoding="utf-8")
    out = _run(user, "ingest", str(ext4_image), "--case", "op", "--region", "ES", "--hashlist", str(empty_list))
    assert "Ingest summary" in out and "1 deleted" in out and "0 items match" in out

    files = json.loads(_run(user, "files", "op", "--json"))
    keys = {"path", "size", "type", "extension_mismatch", "deleted", "md5", "sha256", "matches"}
    assert all(keys <= set(f) for f in files)
    by_path = {f["path"]: f for f in files}
    assert by_path["gone.txt"]["deleted"] and by_path["docs/invoice.pdf"]["extension_mismatch"]

    entities = json.loads(_run(user, "entities", "op", "--json"))
    phone = next(e for e in entities if e["kind"] == "phone")
    assert phone["value"] == "+34612345678" and phone["count"] == 1 and phone["paths"] == ["docs/note.txt"]
    assert phone["status"] == "valid"

    hits = json.loads(_run(user, "search", "op", '"across the border"', "--json"))
    assert {h["path"] for h in hits} == {"docs/page.html", "docs/invoice.pdf"}
    assert all("[" in h["snippet"] and set(h) == {"path", "score", "snippet"} for h in hits)
    assert json.loads(_run(user, "search", "op", "cuent*", "--json"))[0]["path"] == "docs/note.txt"
    assert json.loads(_run(user, "search", "op", '"border across"', "--json")) == []

    semantic = json.loads(_run(user, "search", "op", "mover chicas a través de la frontera", "--semantic", "--json"))
    assert semantic[0]["path"] in {"docs/page.html", "docs/invoice.pdf"}

    listed = tmp_path / "known.csv"
    md5 = by_path["photo.jpg"]["md5"]
    listed.write_text(f"hash_type,hash,category\nmd5,{md5},known-test\nsha256,{'0' * 64},other\n", encoding="utf-8")
    matched = json.loads(_run(user, "match", "op", "--hashlist", str(listed), "--json"))
    assert matched == [
        {
            "path": "photo.jpg",
            "matches": [{"list": "known", "hash_type": "md5", "category": "known-test", "distance": 0}],
        }
    ]
    files = {f["path"]: f for f in json.loads(_run(user, "files", "op", "--json"))}
    assert files["photo.jpg"]["matches"][0]["list"] == "known"

    exported = tmp_path / "items.csv"
    _run(user, "export", "op", "-o", str(exported))
    exported_rows = list(csv.DictReader(exported.open(encoding="utf-8")))
    assert {r["path"] for r in exported_rows} == set(files) and exported_rows[0]["sha256"]
    ents = tmp_path / "entities.jsonl"
    _run(user, "export", "op", "-o", str(ents), "--what", "entities")
    assert len(ents.read_text(encoding="utf-8").splitlines()) == len(entities)

    timeline = tmp_path / "timeline.csv"
    _run(user, "timeline", "op", "-o", str(timeline))
    rows = list(csv.DictReader(timeline.open(encoding="utf-8")))
    assert rows and {"date", "time", "MACB", "filename", "inode"} <= set(rows[0])
    assert any(r["filename"] == "gone.txt" and "(deleted)" in r["desc"] for r in rows)
    jsonl = tmp_path / "timeline.jsonl"
    _run(user, "timeline", "op", "-o", str(jsonl))
    assert len(jsonl.read_text().splitlines()) == len(rows)

    _run(user, "tag", "op", str(files["docs/note.txt"]["id"]))
    _run(user, "tag", "op", str(files["photo.jpg"]["id"]))
    pdf = tmp_path / "report.pdf"
    _run(user, "report", "op", "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    html = tmp_path / "report.html"
    _run(user, "report", "op", "-o", str(html))
    page = html.read_text(encoding="utf-8")
    assert "docs/note.txt" in page and files["photo.jpg"]["sha256"] in page and "known" in page


def test_cli_needs_a_staff_account(heroes_db, make_user, tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "t")
    user = make_user("caseworker")
    result = runner.invoke(cli, ["--user", user, "fca", "ingest", str(tree), "--case", "x"])
    assert result.exit_code != 0


def test_messaging_database_goes_to_the_chat_parsers(heroes_db, make_user, tmp_path: Path) -> None:
    from tests.chats import builders

    root = tmp_path / "phone"
    root.mkdir()
    builders.android_current(root / "msgstore.db")
    user = make_user("investigator")
    _run(user, "ingest", str(root), "--case", "phone")
    files = json.loads(_run(user, "files", "phone", "--json"))
    assert (
        files[0]["type"] == "sqlite"
        and hashlib.sha256((root / "msgstore.db").read_bytes()).hexdigest() == files[0]["sha256"]
    )
    from heroes.core.db import session_scope
    from heroes.fca.models import FcaItem

    with session_scope() as s:
        item = s.get(FcaItem, files[0]["id"])
        assert item is not None and item.meta["chat_app"] == "whatsapp" and item.meta["chat_messages"] > 0
