"""Ingest of real images: allocated and deleted files, hashes before and after, custody, archives,
budgets, wrong extensions, corrupt and truncated images, and resuming after an interruption."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from heroes.core.db import session_scope
from heroes.core.evidence import hash_file
from heroes.core.models import CustodyRecord
from heroes.fca import engine
from heroes.fca.archives import Budget
from heroes.fca.models import FcaItem, FcaSource
from heroes.fca.sources import SourceError
from tests.fca.conftest import DELETED_TEXT, viewer

IMAGES = "forensics/images"


def _items(case: str) -> dict[str, dict]:
    with session_scope() as s:
        return {f["path"]: f for f in engine.files(s, case, viewer=viewer("tester"))}


def test_ext4_image_with_deleted_file_archives_and_budgets(heroes_db, ext4_image: Path) -> None:
    before = hash_file(ext4_image)
    result = engine.ingest(ext4_image, "op", actor="tester", region="ES", budget=Budget(3, 1024 * 1024))
    assert result["status"] == "done"
    items = _items("op")
    gone = items["gone.txt"]
    assert gone["deleted"] and gone["inode"]
    assert gone["sha256"] == __import__("hashlib").sha256(DELETED_TEXT).hexdigest()
    assert not items["docs/note.txt"]["deleted"] and items["docs/note.txt"]["mtime"]
    assert items["docs/invoice.pdf"]["extension_mismatch"] and items["docs/invoice.pdf"]["type"] == "html"
    assert not items["docs/page.html"]["extension_mismatch"]
    # nested archives: opened down to the depth budget, not further
    assert "nested.zip!/level3.zip" in items and "nested.zip!/level3.zip!/level2.zip" in items
    assert not any(p.endswith("deep.txt") for p in items)
    # the zip bomb stops at the size budget
    assert not any(p.startswith("bomb.zip!/") for p in items)
    problems = " ".join(result["problems"])
    assert "size budget" in problems and "nested deeper than 3" in problems
    with session_scope() as s:
        (source,) = s.execute(select(FcaSource)).scalars()
        assert source.hashes_intake == source.hashes_end
        assert source.hashes_intake["seized.raw"]["sha256"] == before.sha256
        actions = [r.action for r in s.execute(select(CustodyRecord).order_by(CustodyRecord.id)).scalars()]
        photo = s.execute(select(FcaItem).where(FcaItem.path == "photo.jpg")).scalar_one()
        assert photo.meta["gps"] == {"lat": pytest.approx(40.416667), "lon": pytest.approx(-3.7)}
        assert photo.meta["make"] == "TestCam"
    assert actions == ["fca.intake", "fca.processed"]
    assert hash_file(ext4_image) == before  # read-only
    with session_scope() as s:
        found = {(e["kind"], e["value"]) for e in engine.entity_view(s, "op", viewer=viewer("tester"))}
    assert ("phone", "+34612345678") in found and ("iban", "ES9121000418450200051332") in found
    assert ("eth", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") in found  # from the deleted file
    assert not any(k == "btc" for k, _ in found)  # the planted address has a broken checksum


@pytest.mark.parametrize(
    "name",
    ["dfvfs/ext2.E01", "dfvfs/ext2.split.E01", "dfvfs/iso9660.raw", "dfvfs/hfsplus.raw", "dfvfs/ext2.vmdk",
     "dfvfs/ext2.vhd", "dfvfs/ext2.qcow2"],
)  # fmt: skip
def test_shared_images(heroes_db, shared_data: Path, name: str) -> None:
    engine.ingest(shared_data / IMAGES / name, "dfvfs", actor="tester")
    items = _items("dfvfs")
    names = {p.lower().rsplit("/", 1)[-1]: i for p, i in items.items()}
    assert {"a_file", "another_file", "passwords.txt"} <= set(names)
    assert names["passwords.txt"]["type"] == "txt" and names["passwords.txt"]["size"] == 116


def test_fat12_deleted_entry(heroes_db, shared_data: Path) -> None:
    engine.ingest(shared_data / IMAGES / "generated/fat12.raw", "fat", actor="tester")
    items = _items("fat")
    assert items["deleted_me.txt"]["deleted"] and not items["README.TXT"]["deleted"]


def test_corrupt_and_truncated_images_fail_cleanly(
    heroes_db, ext4_image: Path, shared_data: Path, tmp_path: Path
) -> None:
    corrupt = tmp_path / "corrupt.raw"
    corrupt.write_bytes(b"\x00garbage" * 100000)
    with pytest.raises(SourceError, match="no file system recognised"):
        engine.ingest(corrupt, "bad", actor="tester")
    truncated = tmp_path / "truncated.E01"
    truncated.write_bytes((shared_data / IMAGES / "dfvfs/ext2.E01").read_bytes()[:3000])
    with pytest.raises(SourceError, match=r"truncated\.E01"):
        engine.ingest(truncated, "bad", actor="tester")
    with session_scope() as s:
        sources = list(s.execute(select(FcaSource).order_by(FcaSource.id)).scalars())
        assert [src.status for src in sources] == ["failed", "failed"]
        assert all(src.error for src in sources)
        assert s.execute(select(FcaItem)).first() is None
        failed = [r for r in s.execute(select(CustodyRecord)).scalars() if r.action == "fca.failed"]
        assert len(failed) == 2


def test_interrupted_ingest_resumes(heroes_db, ext4_image: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "BATCH_FILES", 2)

    def stop(done: int, current: str) -> None:
        raise KeyboardInterrupt  # the process is killed after the first stored batch

    with pytest.raises(KeyboardInterrupt):
        engine.ingest(ext4_image, "op", actor="tester", progress=stop)
    assert len(_items("op")) == 2
    result = engine.ingest(ext4_image, "op", actor="tester")
    assert result["resumed"] and result["status"] == "done"
    with session_scope() as s:
        paths = list(s.execute(select(FcaItem.path)).scalars())
    assert len(paths) == len(set(paths)) > 8


def test_folder_source_and_two_workers(heroes_db, tmp_path: Path) -> None:
    from tests.fca.conftest import make_tree

    tree = make_tree(tmp_path / "folder")
    shutil.copy(tree / "docs" / "note.txt", tree / "docs" / "copy.txt")
    one = engine.ingest(tree, "a", actor="tester", region="ES")
    two = engine.ingest(tree, "b", actor="tester", region="ES", workers=2)
    assert one["items"] == two["items"]
    a, b = _items("a"), _items("b")
    assert {p: i["sha256"] for p, i in a.items()} == {p: i["sha256"] for p, i in b.items()}
    with session_scope() as s:
        shared = {e["value"]: e["other_cases"] for e in engine.entity_view(s, "a", viewer=viewer("tester"))}
    assert shared["+34612345678"] == ["b"]  # linked across cases


def test_files_over_the_read_limit_are_hashed_in_full(heroes_db, tmp_path: Path, monkeypatch) -> None:
    import hashlib

    from heroes.fca import sources

    monkeypatch.setattr(sources, "MAX_READ", 1000)
    folder = tmp_path / "big"
    folder.mkdir()
    data = b"0123456789" * 500
    (folder / "big.txt").write_bytes(data)
    engine.ingest(folder, "big", actor="tester")
    (item,) = _items("big").values()
    assert item["sha256"] == hashlib.sha256(data).hexdigest() and item["size"] == len(data)
