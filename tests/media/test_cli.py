"""`heroes media ...` end to end through the real command."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from heroes.cli import app as cli
from heroes.media.scan import hash_file

runner = CliRunner()


def test_hash_then_scan_then_export(evidence_folder: Path, tmp_path: Path) -> None:
    hashes = tmp_path / "hashes.jsonl"
    result = runner.invoke(cli, ["media", "hash", str(evidence_folder), "-o", str(hashes)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in hashes.read_text().splitlines()]
    assert len(rows) == 9 and all(r["matches"] == [] for r in rows)

    one = hash_file(evidence_folder / "one.jpg")
    listed = tmp_path / "national.csv"
    listed.write_text(f"hash_type,hash,category\npdq,{one.value('pdq')},A\nmd5,zz,A\n", encoding="utf-8")
    out = tmp_path / "results.jsonl"
    result = runner.invoke(
        cli, ["media", "scan", str(evidence_folder), "--hashlist", str(listed), "-o", str(out), "--distance", "20"]
    )
    assert result.exit_code == 0, result.output
    assert "line 3" in result.output  # the malformed row, by line
    assert "national / A" in result.output and "Files matched" in result.output
    matched = [json.loads(line) for line in out.read_text().splitlines() if '"matches": [{' in line]
    assert sorted(Path(r["path"]).name for r in matched) == ["copy-of-one.jpg", "one.jpg"]

    vics = tmp_path / "export.json"
    result = runner.invoke(cli, ["media", "export", str(out), "-o", str(vics)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(vics.read_text())["value"]) == 1


def test_scan_needs_a_list_and_reports_bad_list(evidence_folder: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["media", "scan", str(evidence_folder), "-o", str(tmp_path / "r.jsonl")])
    assert result.exit_code != 0 and "hash list" in str(result.exception)
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing useful here\n", encoding="utf-8")
    result = runner.invoke(
        cli, ["media", "scan", str(evidence_folder), "--hashlist", str(bad), "-o", str(tmp_path / "r.jsonl")]
    )
    assert result.exit_code != 0 and "cannot tell the list format" in str(result.exception)


def test_lists_import_ls_rm_and_scan_with_db_list(heroes_db, make_user, evidence_folder: Path, tmp_path: Path) -> None:
    user = make_user("investigator")
    one = hash_file(evidence_folder / "one.jpg")
    path = tmp_path / "caid.csv"
    path.write_text(f"CAID ID,MD5,Grade\n7,{one.value('md5')},A\n8,xyz,B\n", encoding="utf-8")
    result = runner.invoke(cli, ["--user", user, "media", "lists", "import", str(path), "--name", "caid-test"])
    assert result.exit_code == 0, result.output
    assert "1 hashes, 1 malformed" in result.output and "line 3" in result.output
    listing = runner.invoke(cli, ["--user", user, "media", "lists", "ls"])
    assert "caid-test" in listing.output and "caid" in listing.output
    out = tmp_path / "r.jsonl"
    result = runner.invoke(
        cli, ["--user", user, "media", "scan", str(evidence_folder), "--list", "caid-test", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "caid-test / A" in result.output
    recorded = runner.invoke(
        cli,
        ["--user", user, "media", "scan", str(evidence_folder), "--list", "caid-test", "-o", str(out), "--record"],
    )
    assert recorded.exit_code == 0 and "Stored as scan" in recorded.output
    from sqlalchemy import select

    from heroes.core.db import session_scope
    from heroes.core.models import CustodyRecord
    from heroes.media.models import MediaScanResult

    with session_scope() as session:
        assert len(session.execute(select(MediaScanResult)).scalars().all()) == 9
        custody = session.execute(select(CustodyRecord)).scalars().all()
        matched = [c for c in custody if c.action == "media.match"]
        assert len(matched) == 2 and {c.sha256_before for c in matched} == {one.value("sha256")}
    removed = runner.invoke(cli, ["--user", user, "media", "lists", "rm", "caid-test"])
    assert removed.exit_code == 0 and "Removed caid-test" in removed.output
    assert "caid-test" not in runner.invoke(cli, ["--user", user, "media", "lists", "ls"]).output


def test_caseworker_may_not_manage_lists(heroes_db, make_user, tmp_path: Path) -> None:
    user = make_user("caseworker")
    result = runner.invoke(cli, ["--user", user, "media", "lists", "ls"])
    assert result.exit_code != 0 and "media:use" in str(result.exception)


def test_prebuilt_index_gives_the_same_results(evidence_folder: Path, tmp_path: Path) -> None:
    one = hash_file(evidence_folder / "one.jpg")
    listed = tmp_path / "l.csv"
    listed.write_text(f"md5,{one.value('md5')},A\npdq,{one.value('pdq')},B\n", encoding="utf-8")
    index = tmp_path / "lists.npz"
    built = runner.invoke(cli, ["media", "index", "--hashlist", str(listed), "-o", str(index)])
    assert built.exit_code == 0, built.output
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert (
        runner.invoke(cli, ["media", "scan", str(evidence_folder), "--hashlist", str(listed), "-o", str(a)]).exit_code
        == 0
    )
    assert (
        runner.invoke(cli, ["media", "scan", str(evidence_folder), "--index", str(index), "-o", str(b)]).exit_code == 0
    )
    assert a.read_text() == b.read_text()
    both = runner.invoke(
        cli, ["media", "scan", str(evidence_folder), "--index", str(index), "--hashlist", str(listed), "-o", str(b)]
    )
    assert both.exit_code != 0 and "not both" in str(both.exception)


def _scan_lines(evidence_folder: Path, listed: Path, out: Path, *extra: str) -> list[str]:
    result = runner.invoke(
        cli, ["media", "scan", str(evidence_folder), "--hashlist", str(listed), "-o", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8").splitlines()


def test_scan_on_the_process_pool_writes_the_inline_results_line_for_line(
    evidence_folder: Path, tmp_path: Path
) -> None:
    import zipfile

    with zipfile.ZipFile(evidence_folder / "sub" / "photos.zip", "w") as zf:
        zf.write(evidence_folder / "one.jpg", "inner/one.jpg")
        zf.write(evidence_folder / "two.png", "inner/two.png")
    one = hash_file(evidence_folder / "one.jpg")
    listed = tmp_path / "national.csv"
    listed.write_text(f"hash_type,hash,category\npdq,{one.value('pdq')},A\n", encoding="utf-8")
    inline = _scan_lines(evidence_folder, listed, tmp_path / "inline.jsonl")
    pooled = _scan_lines(evidence_folder, listed, tmp_path / "pool.jsonl", "--runner", "process")
    assert pooled == inline and len(inline) == 12
    assert sum('"matches": [{' in line for line in inline) == 3  # one.jpg, its copy, the zipped one
    assert not list(tmp_path.glob(".*.index.npz"))  # the matcher file for the workers is cleaned up


def test_scan_counts_pictures_too_flat_to_compare(evidence_folder: Path, tmp_path: Path) -> None:
    listed = tmp_path / "l.csv"
    listed.write_text("hash_type,hash,category\nmd5," + "0" * 32 + ",A\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    result = runner.invoke(cli, ["media", "scan", str(evidence_folder), "--hashlist", str(listed), "-o", str(out)])
    assert "too flat to compare (PDQ quality below 50)" in " ".join(result.output.split())
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    flat = [r for r in rows if r["pdq_quality"] is not None and r["pdq_quality"] < 50]
    assert [Path(r["path"]).name for r in flat] == ["grey.png"]
    result = runner.invoke(
        cli,
        [
            "media",
            "scan",
            str(evidence_folder),
            "--hashlist",
            str(listed),
            "-o",
            str(out),
            "--restart",
            "--min-quality",
            "0",
        ],
    )
    assert result.exit_code == 0 and "too flat" not in result.output
    result = runner.invoke(
        cli, ["media", "scan", str(evidence_folder), "--hashlist", str(listed), "-o", str(out), "--runner", "spark"]
    )
    assert result.exit_code != 0 and "Unknown runner spark" in str(result.exception)
