import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from heroes.chats.timeutil import zone
from heroes.core.errors import HeroesError
from heroes.rima import analysis, report
from heroes.rima.package import Package, acquire, verify


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_acquire_copies_bit_for_bit_parses_every_source_and_verifies(phone_dump: Path, tmp_path: Path):
    originals = {p: sha(p) for p in phone_dump.rglob("*") if p.is_file()}
    steps: list[tuple[str, str]] = []
    out = tmp_path / "pkg"
    manifest = acquire(
        [phone_dump], out, case="2024/17", examiner="Ana", tz=zone("Europe/Madrid"),
        custody=lambda step, item, hashes, details: steps.append((step, item)),
    )  # fmt: skip
    # The originals are untouched, and copied byte for byte.
    assert {p: sha(p) for p in originals} == originals
    for entry in manifest["files"]:
        copy = out / entry["path"]
        assert sha(copy) == entry["sha256"] == originals[Path(entry["source_path"])]
    assert any(e["path"].endswith("msgstore.db-wal") for e in manifest["files"])
    parsers = {Path(p["file"]).name: p["parser"] for p in manifest["parsed"]}
    assert parsers == {"msgstore.db": "whatsapp-android", "ChatStorage.sqlite": "whatsapp-ios",
                       "_chat.txt": "whatsapp", "result.json": "telegram"}  # fmt: skip
    assert manifest["not_recognised"] == [e["path"] for e in manifest["files"] if e["path"].endswith("wa.db")]
    tables = {Path(p["file"]).name: p["tables"] for p in manifest["parsed"]}
    assert tables["msgstore.db"] == ["message"] and tables["ChatStorage.sqlite"] == ["ZWAMESSAGE"]
    # A custody step for each copy, each parse and the seal.
    assert [s for s, _ in steps].count("acquire") == len(manifest["files"])
    assert [s for s, _ in steps].count("parse") == 4 and steps[-1] == ("seal", "manifest.json")
    assert manifest["timestamp"]["status"] == "skipped"
    assert verify(out).ok


def test_messages_carry_utc_times_sources_and_attachment_hashes(phone_dump: Path, tmp_path: Path):
    out = tmp_path / "pkg"
    acquire([phone_dump], out, case="c", examiner="e", tz=zone("Europe/Madrid"))
    with Package(out) as pkg:
        msgs = list(pkg.messages())
        convs = pkg.conversations()
    assert [m["id"] for m in msgs] == [f"M{i:07d}" for i in range(1, len(msgs) + 1)]
    export = [m for m in msgs if m["source_file"].endswith("_chat.txt")]
    # 23:50 CET is 22:50 UTC; 03:10 on the night the clocks went forward is CEST (UTC+2).
    assert [m["time"] for m in export] == ["2024-03-30T22:50:00Z", "2024-03-30T22:51:00Z", "2024-03-31T01:10:00Z"]
    assert export[2]["text"] == "¿nos vemos mañana?\nen el parque" and export[2]["source_ref"] == "line 3"
    photo = export[1]["attachments"][0]
    assert photo["sha256"] == hashlib.sha256(b"\xff\xd8\xff\xe0 not really a photo").hexdigest()
    assert photo["path"].endswith(".zip!/00000001-PHOTO-2024-03-30.jpg")
    telegram = next(m for m in msgs if m["app"] == "telegram")
    assert telegram["time"] == "2024-03-31T02:00:00Z" and telegram["utc_offset_minutes"] == 120
    wal = sorted(m["source_ref"] for m in msgs if m["text"] == "in the WAL only")
    assert wal == ["ZWAMESSAGE.Z_PK=1000", "message._id=1000"]  # both databases' write-ahead logs were read
    by_title = {c["title"]: c for c in convs}
    assert by_title["Lucía Pérez"]["messages_by_sender"]["Lucía Pérez"] == 4
    assert by_title["Sam"]["first_message"] == "2024-03-31T02:00:00Z"


def test_tampering_is_named(phone_dump: Path, tmp_path: Path):
    out = tmp_path / "pkg"
    acquire([phone_dump], out, case="c", examiner="e")
    db = next(out.rglob("ChatStorage.sqlite"))
    data = bytearray(db.read_bytes())
    data[-1] ^= 1
    db.write_bytes(bytes(data))
    (out / "originals" / "planted.txt").write_text("x")
    result = verify(out)
    assert not result.ok and result.changed == [db.relative_to(out).as_posix()]
    assert result.unexpected == ["originals/planted.txt"]
    # A manifest edited after sealing is named too, even when its seal file is rewritten to match.
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["examiner"] = "someone else"
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert "manifest.json" in verify(out).changed
    new_hash = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    (out / "manifest.sha256").write_text(f"{new_hash}  manifest.json\n")
    sealed = "0" * 64  # what the custody record kept
    assert verify(out, expected_manifest_sha256=sealed).changed[0] == "manifest.json"


def test_zip_package_and_missing_member(phone_dump: Path, tmp_path: Path):
    out = tmp_path / "pkg.zip"
    manifest = acquire([phone_dump / "result.json"], out, case="c", examiner="e")
    assert zipfile.is_zipfile(out) and verify(out).ok
    with Package(out) as pkg:
        assert [m["text"] for m in pkg.messages()] == ["call me on +34 612 34 56 78"]
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            if info.filename != manifest["files"][0]["path"]:
                dst.writestr(info, src.read(info))
    assert verify(broken).missing == [manifest["files"][0]["path"]]


def test_refusals(tmp_path: Path, phone_dump: Path):
    with pytest.raises(HeroesError, match="No such file"):
        acquire([tmp_path / "nope"], tmp_path / "p", case="c", examiner="e")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("x")
    with pytest.raises(HeroesError, match="already exists"):
        acquire([phone_dump], tmp_path / "taken", case="c", examiner="e")
    with pytest.raises(HeroesError, match="case and the examiner"):
        acquire([phone_dump], tmp_path / "p2", case=" ", examiner="e")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../evil.txt", "x")
    with pytest.raises(HeroesError, match="unsafe member"):
        acquire([bomb], tmp_path / "p3", case="c", examiner="e")


def test_a_damaged_database_is_acquired_with_what_could_not_be_read_listed(tmp_path: Path):
    from tests.chats import builders

    src = tmp_path / "src"
    src.mkdir()
    db = builders.android_current(src / "msgstore.db", rows=list(builders.generated(3000)), recent=[])
    builders.corrupt(db)
    manifest = acquire([db], tmp_path / "pkg", case="c", examiner="e")
    (parsed,) = manifest["parsed"]
    assert 0 < parsed["messages"] < 3000 and any("could not be read" in p for p in parsed["problems"])


def test_analysis_search_contacts_timeline_and_reports(phone_dump: Path, tmp_path: Path):
    out = tmp_path / "pkg"
    acquire([phone_dump], out, case="c", examiner="e", tz=zone("Europe/Madrid"))
    with Package(out) as pkg:
        found = list(analysis.search(pkg, "MANANA"))
        assert [m["text"] for m in found] == ["¿nos vemos mañana?\nen el parque"]
        contacts = {(c["kind"], c["value"]): c for c in analysis.contacts(pkg)}
        lucia = contacts[("phone", "+34600000001")]
        assert "Lucía Pérez" in lucia["names"] and lucia["messages_sent"] >= 4
        mentioned = contacts[("phone", "+34612345678")]
        assert mentioned["mentioned_in"] and mentioned["apps"] == ["telegram"]
        line = analysis.timeline(pkg)
        times = [m["time"] for m in line if m["time"]]
        assert times == sorted(times) and {m["app"] for m in line} == {"whatsapp", "telegram"}
    html = report.write(out, tmp_path / "r.html").read_text("utf-8")
    assert "M0000001" in html and "¿nos vemos mañana?" in html and "Every hash in the manifest matches" in html
    pdf = report.write(out, tmp_path / "r.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "r.pdf").pages)
    assert "M0000001" in text and "Lucía" in text
    rows = tmp_path / "r.csv"
    report.write(out, rows)
    import csv

    with open(rows, encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert table[0]["id"] == "M0000001" and table[0]["source_ref"] == "ZWAMESSAGE.Z_PK=1"
    with pytest.raises(HeroesError, match="Report format"):
        report.write(out, tmp_path / "r.docx")


def test_grooming_through_the_public_function(tmp_path: Path):
    chat = tmp_path / "chat.txt"
    lines = [
        "01/02/24, 20:00 - Alex: hi how old are you",
        "01/02/24, 20:01 - Kid: 12",
        "01/02/24, 20:02 - Alex: you seem very mature for your age",
        "01/02/24, 20:03 - Alex: dont tell your parents about me ok? this is our secret",
        "01/02/24, 20:04 - Alex: are you alone at home right now?",
        "01/02/24, 20:05 - Alex: delete our chat after reading",
    ]
    chat.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "pkg"
    acquire([chat], out, case="c", examiner="e")
    with Package(out) as pkg:
        (result,) = analysis.grooming(pkg)
    assert result["conversation"] == "C0001" and result["score"] > 0.5
    evidence = [e for st in result["stages"] for e in st["evidence"]]
    assert evidence and all(e["message_id"].startswith("M") for e in evidence)
    assert {"isolation"} & {st["stage"] for st in result["stages"]} or result["level"] != "low"


def test_rfc3161_timestamp_is_optional_and_a_failing_tsa_leaves_a_valid_package(
    phone_dump: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("HEROES_RIMA_TSA_URL", raising=False)
    skipped = acquire([phone_dump / "result.json"], tmp_path / "a", case="c", examiner="e")
    assert skipped["timestamp"] == {"status": "skipped", "tsa": None, "time": None, "error": None}
    monkeypatch.setenv("HEROES_RIMA_TSA_URL", "http://127.0.0.1:9/tsa")  # nothing listens on port 9
    failed = acquire([phone_dump / "result.json"], tmp_path / "b", case="c", examiner="e")
    assert failed["timestamp"]["status"] == "failed" and failed["timestamp"]["error"]
    assert verify(tmp_path / "b").ok and not (tmp_path / "b" / "timestamp.tsr").exists()
