"""Disk images the tests build: an ext4 file system made with mke2fs -d, with a deleted file,
nested archives, a zip bomb, a file with a wrong extension and planted entities."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

DELETED_TEXT = b"removed before seizure, wallet 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\n"


def _png_with_gps() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (40, 30), (20, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x0110] = "Model 1"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (40.0, 25.0, 0.0), 3: "W", 4: (3.0, 42.0, 0.0)})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def nested_zip(levels: int) -> bytes:
    data = b"deepest text with mail deep@example.org\n"
    name = "deep.txt"
    for n in range(levels):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(name, data)
        data, name = buf.getvalue(), f"level{n}.zip"
    return data


def zip_bomb(size: int = 8 * 1024 * 1024) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.bin", b"\0" * size)
    return buf.getvalue()


def make_tree(root: Path) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "note.txt").write_text(
        "Llama al 612 34 56 78 o escribe a ana.lopez@example.com. El pago va a la cuenta "
        "ES91 2100 0418 4502 0005 1332 y el resto en bitcoin 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb.\n",
        encoding="utf-8",
    )
    (root / "docs" / "page.html").write_text(
        "<html><head><title>Offer</title></head><body><p>The girls travel across the border on monday, "
        "contact http://offers.example.org/job?id=7</p></body></html>",
        encoding="utf-8",
    )
    (root / "docs" / "invoice.pdf").write_bytes((root / "docs" / "page.html").read_bytes())  # wrong extension
    (root / "photo.jpg").write_bytes(_png_with_gps())
    (root / "nested.zip").write_bytes(nested_zip(5))
    (root / "bomb.zip").write_bytes(zip_bomb())
    (root / "gone.txt").write_bytes(DELETED_TEXT)
    return root


@pytest.fixture(scope="session")
def ext4_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (shutil.which("mke2fs") and shutil.which("debugfs")):
        pytest.skip("e2fsprogs (mke2fs, debugfs) not installed")
    base = tmp_path_factory.mktemp("fca-image")
    tree = make_tree(base / "tree")
    image = base / "seized.raw"
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", str(tree), str(image), "16M"], check=True)
    subprocess.run(["debugfs", "-w", "-R", "rm gone.txt", str(image)], check=True, capture_output=True)
    image.chmod(0o444)  # read-only evidence: any write attempt would fail
    return image


@pytest.fixture
def case_name() -> str:
    return "op-test"


ORG_A, ORG_B = "Unit A", "Unit B"


def organisation(name: str) -> int:
    """The id of the organisation named, created on first use."""
    from heroes.core import organisations
    from heroes.core.db import session_scope

    with session_scope() as s:
        found = organisations.find_organisation(s, name)
        if found is None:
            found = organisations.create_organisation(s, name, "police", "ES", actor="test")
        return found.id


def join(username: str, org_name: str | None) -> None:
    from sqlalchemy import select

    from heroes.core import organisations
    from heroes.core.db import session_scope
    from heroes.core.models import Organisation, User

    org_id = organisation(org_name) if org_name else None
    with session_scope() as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one()
        organisations.assign(s, user, s.get(Organisation, org_id) if org_id else None, actor="test")


def viewer(username: str):  # type: ignore[no-untyped-def]
    from heroes.core.db import session_scope
    from heroes.fca.access import principal_for

    with session_scope() as s:
        return principal_for(s, username)


@pytest.fixture
def make_user(make_user):  # type: ignore[no-untyped-def]
    """Accounts made for FCA tests work for Unit A unless another organisation (or None) is named."""

    def make(role: str, username: str | None = None, org: str | None = ORG_A, **kwargs):  # type: ignore[no-untyped-def]
        name = make_user(role, username, **kwargs)
        join(name, org)
        return name

    return make


@pytest.fixture(autouse=True)
def tester(request: pytest.FixtureRequest) -> None:
    """The investigator `tester` of Unit A, the actor of the library-level tests' ingests."""
    if "heroes_db" in request.fixturenames:
        request.getfixturevalue("make_user")("investigator", "tester")
