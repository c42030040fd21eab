import json
import os
import signal
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

import heroes.media.scan as scan_module
from heroes.media.hashlists import HashEntry, HashList
from heroes.media.matcher import Matcher
from heroes.media.scan import hash_file, read_results, scan


def _rows(path: Path) -> dict[str, dict]:
    return {Path(r["path"]).name: r for r in read_results(path)}


def test_folder_with_duplicates_renames_corrupt_and_empty(evidence_folder: Path, tmp_path: Path) -> None:
    one = hash_file(evidence_folder / "one.jpg")
    two = hash_file(evidence_folder / "two.png")
    listed = HashList(
        "known",
        [
            HashEntry("md5", one.value("md5"), "A"),
            HashEntry("pdq", two.value("pdq"), "B"),
        ],
    )
    out = tmp_path / "results.jsonl"
    summary = scan([evidence_folder], out, Matcher([listed]))
    rows = _rows(out)
    assert set(rows) == {
        "one.jpg",
        "two.png",
        "copy-of-one.jpg",
        "holiday.txt",
        "broken.jpg",
        "noise.jpg",
        "empty.jpg",
        "notes.md",
        "grey.png",
    }
    # Key order is the line format.
    assert list(rows["one.jpg"]) == [
        "path",
        "size",
        "type",
        "md5",
        "sha1",
        "sha256",
        "pdq",
        "pdq_quality",
        "matches",
    ]
    for name in ("one.jpg", "copy-of-one.jpg"):
        assert [(m["list"], m["hash_type"], m["category"]) for m in rows[name]["matches"]] == [("known", "md5", "A")]
    # The renamed PNG is recognised by content and found by its picture.
    assert rows["holiday.txt"]["type"] == "image"
    assert any(m["hash_type"] == "pdq" and m["distance"] == 0 for m in rows["holiday.txt"]["matches"])
    # Broken files are reported with their byte hashes, and the scan went on.
    for name in ("broken.jpg", "noise.jpg"):
        assert rows[name]["error"].startswith("pdq:") and rows[name]["md5"] and rows[name]["pdq"] is None
    assert rows["empty.jpg"]["type"] == "empty" and rows["empty.jpg"]["size"] == 0
    assert rows["notes.md"]["type"] == "other" and rows["notes.md"]["pdq"] is None
    assert rows["grey.png"]["pdq_quality"] < 50
    assert summary.files == 9 and summary.errors == 2
    assert summary.by_category["known / A"] == 2  # one.jpg and its copy
    assert summary.matched_files == 4


def test_archives_are_read_in_place(evidence_folder: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as zf:
        zf.write(evidence_folder / "one.jpg", "inner/one.jpg")
        zf.writestr("inner/empty.bin", b"")
    with tarfile.open(tmp_path / "bundle.tar.gz", "w:gz") as tf:
        tf.add(evidence_folder / "two.png", "x/two.png")
    one = hash_file(evidence_folder / "one.jpg")
    two = hash_file(evidence_folder / "two.png")
    out = tmp_path / "r.jsonl"
    summary = scan([tmp_path / "bundle.zip", tmp_path / "bundle.tar.gz"], out)
    rows = {r["path"]: r for r in read_results(out)}
    zip_member = str(tmp_path / "bundle.zip") + "!inner/one.jpg"
    tar_member = str(tmp_path / "bundle.tar.gz") + "!x/two.png"
    assert rows[zip_member]["sha256"] == one.value("sha256")
    assert rows[zip_member]["pdq"] == one.value("pdq")
    assert rows[tar_member]["pdq"] == two.value("pdq")
    assert rows[str(tmp_path / "bundle.zip")]["type"] == "archive"
    assert summary.files == 5  # two archives, three members
    assert not (tmp_path / "inner").exists() and not (tmp_path / "x").exists()


def test_damaged_archive_and_missing_path_are_reported(tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("a.txt", b"hello " * 1000)
    data = good.read_bytes()
    (tmp_path / "bad.zip").write_bytes(data[:20] + b"\x00" * 40 + data[60:])
    out = tmp_path / "r.jsonl"
    summary = scan([tmp_path / "bad.zip", tmp_path / "nowhere"], out)
    rows = list(read_results(out))
    assert any("nowhere" in r["path"] and "no such" in r["error"] for r in rows)
    assert summary.errors >= 1


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from heroes.media.scan import scan
    def progress(done, total, path):
        if done == int(sys.argv[3]):
            os.kill(os.getpid(), signal.SIGKILL)
    scan([sys.argv[1]], sys.argv[2], progress=progress)
    """
)


def test_resume_after_killed_scan(evidence_folder: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "r.jsonl"
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(evidence_folder), str(out), "4"],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL
    finished = [r["path"] for r in read_results(out)]
    assert len(finished) == 4
    with open(out, "a", encoding="utf-8") as fh:
        fh.write('{"path": "half-writ')  # as if killed in the middle of a line
    hashed: list[str] = []
    real = scan_module.hash_stream

    def counting(path, opener, *args, **kwargs):
        hashed.append(path)
        return real(path, opener, *args, **kwargs)

    monkeypatch.setattr(scan_module, "hash_stream", counting)
    summary = scan([evidence_folder], out)
    assert sorted(hashed) == sorted(set(_all_paths(evidence_folder)) - set(finished))
    assert summary.resumed == 4 and summary.files == 9
    paths = [r["path"] for r in read_results(out)]
    assert sorted(paths) == sorted(_all_paths(evidence_folder))  # each once, torn line gone
    fresh = tmp_path / "fresh.jsonl"
    monkeypatch.setattr(scan_module, "hash_stream", real)
    scan([evidence_folder], fresh, resume=False)
    assert sorted(read_results(out), key=lambda r: r["path"]) == sorted(read_results(fresh), key=lambda r: r["path"])


def _all_paths(root: Path) -> list[str]:
    return [str(Path(d) / f) for d, _, files in os.walk(root) for f in files]


def test_output_inside_scanned_folder_is_not_scanned(evidence_folder: Path) -> None:
    out = evidence_folder / "results.jsonl"
    scan([evidence_folder], out)
    assert all(Path(r["path"]).name != "results.jsonl" for r in read_results(out))


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    p = tmp_path / "locked.jpg"
    p.write_bytes(b"x")
    p.chmod(0)
    scan([tmp_path], tmp_path / "r.jsonl")
    (row,) = [r for r in read_results(tmp_path / "r.jsonl") if r["path"].endswith("locked.jpg")]
    assert row["error"].startswith("unreadable")


def test_jsonl_lines_are_valid_json(evidence_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    scan([evidence_folder], out)
    for line in out.read_text(encoding="utf-8").splitlines():
        assert isinstance(json.loads(line), dict)
