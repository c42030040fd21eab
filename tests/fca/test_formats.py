"""Formats: 7z inside a source (nested, a bomb, a damaged one), RTF, Outlook MSG with its attachments
as child items, OCR of a scanned PDF, and APFS containers (bare and inside a partitioned disk)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from heroes.core.db import session_scope
from heroes.core.evidence import hash_file
from heroes.fca import engine
from heroes.fca.archives import Budget
from heroes.fca.models import FcaItem
from heroes.fca.sources import SourceError
from tests.fca.conftest import viewer

IMAGES = "forensics/images/dfvfs"
WALLET = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def _items(case: str) -> dict[str, dict]:
    me = viewer("tester")
    with session_scope() as s:
        return {f["path"]: f for f in engine.files(s, case, viewer=me)}


def _search(case: str, query: str) -> set[str]:
    me = viewer("tester")
    with session_scope() as s:
        return {h["path"] for h in engine.search(s, case, query, viewer=me)}


def seven_zip(files: list[tuple[str, bytes]], password: str | None = None) -> bytes:
    import py7zr

    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w", password=password) as archive:
        for name, data in files:
            archive.writestr(data, name)
    return buf.getvalue()


def _corrupt(data: bytes) -> bytes:
    """The packed stream damaged in its middle; the header (at the end) still reads."""
    out = bytearray(data)
    for pos in range(40, min(len(out) - 200, 240)):
        out[pos] ^= 0x5A
    return bytes(out)


def test_7z_nested_bomb_and_corrupt(heroes_db, tmp_path: Path) -> None:
    folder = tmp_path / "seized"
    folder.mkdir()
    deep = seven_zip([("deep.txt", b"ledger kept by deep@example.org\n")])
    middle = seven_zip([("inner.7z", deep), ("list.csv", b"name,phone\nana,+34 612 34 56 78\n")])
    (folder / "outer.7z").write_bytes(seven_zip([("middle.7z", middle), ("readme.txt", b"hello")]))
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:  # a 7z inside a ZIP is opened too
        z.writestr("in-zip.7z", seven_zip([("orders.txt", b"orders for QUETZAL street\n")]))
    (folder / "mixed.zip").write_bytes(zipped.getvalue())
    (folder / "bomb.7z").write_bytes(seven_zip([("zeros.bin", b"\0" * (8 * 1024 * 1024))]))
    text = b" ".join(b"entry %d for the accounts" % n for n in range(4000))
    (folder / "broken.7z").write_bytes(_corrupt(seven_zip([("accounts.txt", text)])))
    (folder / "locked.7z").write_bytes(seven_zip([("secret.txt", b"hidden")], password="s3cret"))
    (folder / "zz-after.txt").write_text("still read after the broken archive: TUCAN", encoding="utf-8")

    result = engine.ingest(folder, "7z", actor="tester", region="ES", budget=Budget(3, 1024 * 1024))
    assert result["status"] == "done"
    items = _items("7z")
    assert items["outer.7z"]["type"] == "7z" and not items["outer.7z"]["extension_mismatch"]
    assert "outer.7z!/middle.7z!/inner.7z!/deep.txt" in items
    assert (
        items["outer.7z!/middle.7z!/list.csv"]["sha256"]
        == hashlib.sha256(b"name,phone\nana,+34 612 34 56 78\n").hexdigest()
    )
    assert "mixed.zip!/in-zip.7z!/orders.txt" in items
    assert _search("7z", "quetzal") == {"mixed.zip!/in-zip.7z!/orders.txt"}
    assert _search("7z", "ledger") == {"outer.7z!/middle.7z!/inner.7z!/deep.txt"}
    # the bomb: stopped by the size budget, nothing of it expanded, the reason on its own item
    assert not any(p.startswith("bomb.7z!/") for p in items)
    assert any("size budget" in p for p in items["bomb.7z"]["problems"])
    # the damaged archive: a clear error on that item; the rest of the ingest went on
    assert not any(p.startswith("broken.7z!/") for p in items)
    (broken,) = items["broken.7z"]["problems"]
    assert broken.startswith("7z could not be read")
    assert _search("7z", "tucan") == {"zz-after.txt"}
    # an encrypted one: listed and hashed, not opened, and it says why
    assert not any(p.startswith("locked.7z!/") for p in items) and items["locked.7z"]["sha256"]
    assert "PasswordRequired" in items["locked.7z"]["problems"][0]
    me = viewer("tester")
    with session_scope() as s:
        found = {(e["kind"], e["value"]) for e in engine.entity_view(s, "7z", viewer=me)}
    assert ("phone", "+34612345678") in found and ("email", "deep@example.org") in found


def test_7z_bomb_with_a_lying_header_stops_while_decompressing(monkeypatch: pytest.MonkeyPatch) -> None:
    import py7zr

    from heroes.fca.archives import expand
    from heroes.fca.sources import Entry

    listed = py7zr.SevenZipFile.list

    def lying(self: py7zr.SevenZipFile) -> list:  # the header claims tiny members
        infos = listed(self)
        for info in infos:
            info.uncompressed = 10
        return infos

    monkeypatch.setattr(py7zr.SevenZipFile, "list", lying)
    bomb = seven_zip([("a.txt", b"small"), ("zeros.bin", b"\0" * (8 * 1024 * 1024))])
    budget = Budget(3, 1024 * 1024)
    children = list(expand(Entry(path="bomb.7z", size=len(bomb), read=lambda: bomb), bomb, budget))
    assert children == [] and budget.problems == ["bomb.7z: size budget of 1048576 bytes exceeded"]
    assert budget.used == 0  # nothing of the bomb was kept


def test_7z_beyond_the_depth_budget(heroes_db, tmp_path: Path) -> None:
    data, name = b"bottom", "bottom.txt"
    for level in range(4):
        data, name = seven_zip([(name, data)]), f"level{level}.7z"
    source = tmp_path / "nested.7z"  # a 7z given as the source itself
    source.write_bytes(data)
    result = engine.ingest(source, "deep7z", actor="tester", budget=Budget(2, 1024 * 1024))
    items = _items("deep7z")
    assert "nested.7z!/level2.7z!/level1.7z" in items
    assert not any(p.endswith("level0.7z") or p.endswith("bottom.txt") for p in items)
    assert "nested deeper than 2" in " ".join(result["problems"])
    assert any("nested deeper" in p for p in items["nested.7z!/level2.7z!/level1.7z"]["problems"])


RTF = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Helvetica;}}{\colortbl;\red255\green0\blue0;}"
    r"{\info{\author Ana}}\f0\fs24 Reuni\'f3n en el puerto: \b llama al 612 34 56 78\b0\par"
    r"Pago a la cuenta ES91 2100 0418 4502 0005 1332, se\u241?or Garc\'eda.\par}"
)


def outlook_msg(attachments: list[tuple[str, bytes]], rtf_body: str | None = None) -> bytes:
    """A minimal Outlook MSG (MS-OXMSG): MAPI property streams in an OLE file written by extract-msg's OleWriter."""
    from extract_msg.ole_writer import OleWriter

    def text(value: str) -> bytes:
        return value.encode("utf-16-le")

    def prop(tag: int, value: int) -> bytes:
        return struct.pack("<IIQ", tag, 6, value)

    sent = dt.datetime(2024, 3, 5, 10, 30, tzinfo=dt.UTC)
    filetime = int((sent - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10**7)
    writer = OleWriter()
    writer.addEntry("__substg1.0_001A001F", text("IPM.Note"))
    writer.addEntry("__substg1.0_0037001F", text("Envío del viernes"))
    if rtf_body is None:
        writer.addEntry("__substg1.0_1000001F", text("Paga a ES91 2100 0418 4502 0005 1332 antes del viernes."))
    else:  # only the compressed RTF body (PR_RTF_COMPRESSED), as Outlook often stores it
        from compressed_rtf import compress

        writer.addEntry("__substg1.0_10090102", compress(rtf_body.encode("ascii")))
    writer.addEntry("__substg1.0_0C1A001F", text("Boss Man"))
    writer.addEntry("__substg1.0_0C1F001F", text("boss@example.org"))
    writer.addEntry("__substg1.0_0E04001F", text("Ana Lopez"))
    headers = "From: Boss Man <boss@example.org>\r\nTo: Ana Lopez <ana@example.com>\r\nSubject: Envío del viernes\r\n"
    writer.addEntry("__substg1.0_007D001F", text(headers))
    counts = struct.pack("<IIII", 1, len(attachments), 1, len(attachments))
    top = b"\0" * 8 + counts + b"\0" * 8 + prop(0x00390040, filetime) + prop(0x0E060040, filetime)
    writer.addEntry("__properties_version1.0", top)
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    recipient = "__recip_version1.0_#00000000"
    writer.addEntry(recipient, storage=True)
    writer.addEntry(f"{recipient}/__substg1.0_3001001F", text("Ana Lopez"))
    writer.addEntry(f"{recipient}/__substg1.0_39FE001F", text("ana@example.com"))
    writer.addEntry(f"{recipient}/__properties_version1.0", b"\0" * 8 + prop(0x0C150003, 1))
    for n, (name, data) in enumerate(attachments):
        folder = f"__attach_version1.0_#{n:08X}"
        writer.addEntry(folder, storage=True)
        writer.addEntry(f"{folder}/__substg1.0_3707001F", text(name))
        writer.addEntry(f"{folder}/__substg1.0_37010102", data)
        writer.addEntry(f"{folder}/__properties_version1.0", b"\0" * 8 + prop(0x37050003, 1))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_rtf_and_outlook_msg_with_attachments(heroes_db, tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "letter.rtf").write_text(RTF, encoding="ascii")
    plan = f"meet at the port, pay to {WALLET.lower()}\n".encode()
    attached_zip = io.BytesIO()
    with zipfile.ZipFile(attached_zip, "w") as z:
        z.writestr("route.txt", "route through the northern crossing")
    (folder / "mail.msg").write_bytes(
        outlook_msg([("plan.txt", plan), ("note.rtf", RTF.encode()), ("route.zip", attached_zip.getvalue())])
    )
    (folder / "renamed.txt").write_bytes(outlook_msg([], rtf_body=RTF))  # wrong extension, RTF body only
    (folder / "forward.eml").write_bytes(_eml_with_attachments(plan))

    engine.ingest(folder, "mail", actor="tester", region="ES")
    items = _items("mail")
    letter = items["letter.rtf"]
    assert letter["type"] == "rtf" and letter["language"] == "es"
    mail = items["mail.msg"]
    assert mail["type"] == "msg" and not mail["extension_mismatch"]
    assert items["renamed.txt"]["type"] == "msg" and items["renamed.txt"]["extension_mismatch"]
    # attachments are child items: typed, hashed and searched on their own, archives in them opened
    assert items["mail.msg!/plan.txt"]["sha256"] == hashlib.sha256(plan).hexdigest()
    assert items["mail.msg!/note.rtf"]["type"] == "rtf"
    assert "mail.msg!/route.zip!/route.txt" in items
    me = viewer("tester")
    with session_scope() as s:
        item = s.execute(select(FcaItem).where(FcaItem.path == "mail.msg")).scalar_one()
        meta, body = item.meta, item.text
        rtf_text = s.execute(select(FcaItem.text).where(FcaItem.path == "letter.rtf")).scalar_one()
        view = {(e["kind"], e["value"]): e["paths"] for e in engine.entity_view(s, "mail", viewer=me)}
    assert meta["from"] == "Boss Man <boss@example.org>" and "ana@example.com" in meta["to"]
    assert meta["subject"] == "Envío del viernes" and meta["date"].startswith("2024-03-05T10:30")
    assert meta["attachments"] == ["plan.txt", "note.rtf", "route.zip"]
    assert "ES91 2100 0418" in body and "{" not in rtf_text
    assert "Reunión en el puerto" in rtf_text and "señor García" in rtf_text
    assert _search("mail", "reunión") == {"letter.rtf", "mail.msg!/note.rtf", "renamed.txt"}
    assert view[("eth", WALLET)] == ["forward.eml!/plan.txt", "mail.msg!/plan.txt"]
    assert {"letter.rtf", "mail.msg", "mail.msg!/note.rtf"} <= set(view[("iban", "ES9121000418450200051332")])
    assert _search("mail", "viernes") >= {"mail.msg"}
    assert _search("mail", '"northern crossing"') == {"mail.msg!/route.zip!/route.txt"}
    # an e-mail's attachments are child items too; a forwarded message keeps its own attachments
    assert items["forward.eml!/plan.txt"]["sha256"] == items["mail.msg!/plan.txt"]["sha256"]
    assert items["forward.eml!/original.eml"]["type"] == "eml"
    assert _search("mail", "lighthouse") == {"forward.eml!/original.eml!/inner.txt"}

    # an Outlook message given as the source itself
    engine.ingest(folder / "mail.msg", "one-msg", actor="tester")
    assert set(_items("one-msg")) == {"mail.msg", "mail.msg!/plan.txt", "mail.msg!/note.rtf", "mail.msg!/route.zip",
                                      "mail.msg!/route.zip!/route.txt"}  # fmt: skip


def _eml_with_attachments(attached: bytes) -> bytes:
    from email.message import EmailMessage

    original = EmailMessage()
    original["From"], original["To"], original["Subject"] = "x@example.org", "y@example.org", "original"
    original.set_content("see the attachment")
    original.add_attachment(b"by the lighthouse at nine", maintype="text", subtype="plain", filename="inner.txt")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "boss@example.org", "ana@example.com", "Fwd: plan"
    message.set_content("forwarding the plan")
    message.add_attachment(attached, maintype="text", subtype="plain", filename="plan.txt")
    message.add_attachment(original, filename="original.eml")
    return bytes(message)


def scanned_pdf(lines: list[str]) -> bytes:
    """A PDF whose only page is a picture of text (PIL, DejaVu Sans): no text layer at all."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font_path.exists():
        pytest.skip("fonts-dejavu-core not installed")
    font = ImageFont.truetype(str(font_path), 40)
    page = Image.new("L", (1240, 1754), 255)  # A4 at 150 DPI
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        draw.text((120, 200 + 80 * n), line, font=font, fill=0)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150)
    return out.getvalue()


def mixed_pdf(typed: str, scanned: list[str]) -> bytes:
    """Page 1 with a text layer (fpdf2), page 2 a scanned picture of text."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    first = FPDF()
    first.add_page()
    first.set_font("helvetica", size=14)
    first.cell(0, 10, typed)
    writer = PdfWriter()
    for part in (bytes(first.output()), scanned_pdf(scanned)):
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_ocr_of_a_scanned_pdf(heroes_db, tmp_path: Path) -> None:
    if not shutil.which("tesseract"):
        pytest.skip("tesseract-ocr not installed (scripts/setup.sh installs it)")
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(scanned_pdf(["Shipment MARIGOLD leaves on Tuesday", "call +34 612 34 56 78"]))
    (folder / "mixed.pdf").write_bytes(mixed_pdf("Invoice from the HARBOUR office", ["El camión sale el LUNES"]))

    engine.ingest(folder, "plain", actor="tester", region="ES")
    assert _search("plain", "marigold") == set()  # no text layer: nothing without --ocr
    engine.ingest(folder, "ocr", actor="tester", region="ES", ocr=True)
    assert _search("ocr", "marigold") == {"scan.pdf"}
    assert _search("plain", "harbour") == {"mixed.pdf"} and _search("plain", "lunes") == set()
    assert _search("ocr", "harbour") == {"mixed.pdf"} == _search("ocr", "lunes")
    me = viewer("tester")
    with session_scope() as s:
        case_id = engine.get_case(s, "ocr", viewer=me).id
        items = {i.path: i for i in s.execute(select(FcaItem).where(FcaItem.case_id == case_id)).scalars()}
        assert items["scan.pdf"].meta["pages_without_text"] == 1 and items["scan.pdf"].meta["ocr_pages"] == 1
        mixed = items["mixed.pdf"]
        assert mixed.meta["pages"] == 2 and mixed.meta["pages_without_text"] == 1 and mixed.meta["ocr_pages"] == 1
        assert mixed.text.index("HARBOUR") < mixed.text.index("LUNES")  # OCR text in its page's place
        phones = {e["value"] for e in engine.entity_view(s, "ocr", kind="phone", viewer=me)}
    assert phones == {"+34612345678"}


def _check_apfs(items: dict[str, dict], hfs: dict[str, dict], prefix: str) -> None:
    files = {p.removeprefix(prefix): i for p, i in items.items()}
    assert {"passwords.txt", "a_directory/a_file", "a_directory/another_file"} <= set(files)
    assert "a_link" not in files  # a symbolic link is not a file
    assert files["passwords.txt"]["size"] == 116 and files["passwords.txt"]["type"] == "txt"
    assert files["passwords.txt"]["inode"] and files["passwords.txt"]["crtime"].startswith("2022-01-14T07:19:41")
    # the same files as in the HFS+ image, read there by The Sleuth Kit: same content, same hashes
    for name in ("passwords.txt", "a_directory/a_file", "a_directory/another_file"):
        assert files[name]["md5"] == hfs[name]["md5"] and files[name]["sha256"] == hfs[name]["sha256"]


def test_apfs_container_and_apfs_in_a_partitioned_disk(heroes_db, shared_data: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyfsapfs")
    apfs = shared_data / IMAGES / "apfs.raw"
    before = hash_file(apfs)
    engine.ingest(shared_data / IMAGES / "hfsplus.raw", "hfs", actor="tester")
    hfs = _items("hfs")
    result = engine.ingest(apfs, "apfs", actor="tester")
    assert result["status"] == "done"
    _check_apfs(_items("apfs"), hfs, "")
    assert _search("apfs", "password*")
    me = viewer("tester")
    with session_scope() as s:
        (source,) = engine.sources(s, "apfs", viewer=me)
    assert source["kind"] == "apfs" and source["hashes_intake"] == source["hashes_end"]
    assert source["hashes_intake"]["apfs.raw"]["sha256"] == before.sha256 == hash_file(apfs).sha256

    # the same container as the second partition of an MBR disk, found by the image opener
    disk = tmp_path / "mac.raw"
    content = apfs.read_bytes()
    mbr = bytearray(512)
    mbr[446:462] = struct.pack("<B3sB3sII", 0, b"\0\0\0", 0xAF, b"\0\0\0", 2048, len(content) // 512)
    mbr[510:512] = b"\x55\xaa"
    disk.write_bytes(bytes(mbr) + bytes(2048 * 512 - 512) + content)
    engine.ingest(disk, "mac", actor="tester")
    items = _items("mac")
    (prefix,) = {p.split("/", 1)[0] + "/" for p in items}
    _check_apfs(items, hfs, prefix)

    # a truncated container: a clear error, the source failed, nothing kept
    truncated = tmp_path / "truncated-apfs.raw"
    truncated.write_bytes(content[:200_000])
    with pytest.raises(SourceError, match=r"truncated-apfs\.raw is not a readable APFS container"):
        engine.ingest(truncated, "cut", actor="tester")
    me = viewer("tester")
    with session_scope() as s:
        (source,) = engine.sources(s, "cut", viewer=me)
    assert source["status"] == "failed" and source["items"] == 0 and _items("cut") == {}


def test_files_page_and_api_show_why_a_container_was_not_read(client, login_as, tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / "broken.7z").write_bytes(_corrupt(seven_zip([("a.txt", b" ".join(b"word %d" % n for n in range(3000)))])))
    name = login_as("investigator")
    engine.ingest(folder, "web7z", actor=name)
    (case,) = client.get("/api/fca/cases").json()
    (item,) = client.get(f"/api/fca/cases/{case['id']}/files").json()
    assert item["path"] == "broken.7z" and item["problems"][0].startswith("7z could not be read")
    page = client.get(f"/fca/cases/{case['id']}", params={"view": "files"})
    assert 'data-testid="problems"' in page.text and "7z could not be read" in page.text
    spanish = client.get(f"/fca/cases/{case['id']}", params={"view": "files"}, headers={"Accept-Language": "es"})
    assert "no leído del todo" in spanish.text
