import io

import pytest
from PIL import Image

from heroes.reports.attachments import (
    AttachmentRefused,
    check_attachment,
    detect_kind,
    safe_filename,
)

from .imagegen import GPS_IFD, jpeg_with_gps, pdf_with_author, png_with_text


def test_jpeg_exif_and_gps_are_gone() -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the fixture really has GPS
    clean = check_attachment(original)
    assert clean.kind == "jpeg" and clean.content_type == "image/jpeg"
    assert "exif" in clean.removed
    reopened = Image.open(io.BytesIO(clean.data))
    assert len(reopened.getexif()) == 0
    assert b"TestCam" not in clean.data and b"Exif" not in clean.data
    assert (clean.width, clean.height) == (64, 48)
    assert clean.sha256 != clean.original_sha256


def test_orientation_is_applied_before_exif_goes() -> None:
    clean = check_attachment(jpeg_with_gps(size=(64, 48), orientation=6))  # 6: rotate 90°
    assert (clean.width, clean.height) == (48, 64)
    assert Image.open(io.BytesIO(clean.data)).size == (48, 64)


def test_png_text_chunks_are_gone_and_transparency_kept() -> None:
    clean = check_attachment(png_with_text())
    assert b"Jane Reporter" not in clean.data and b"tEXt" not in clean.data
    assert Image.open(io.BytesIO(clean.data)).mode == "RGBA"


def test_pdf_metadata_removed_and_scripts_refused() -> None:
    original = pdf_with_author()
    assert b"Jane Reporter" in original
    clean = check_attachment(original)
    assert clean.kind == "pdf"
    assert b"Jane Reporter" not in clean.data
    assert "document information" in clean.removed
    with pytest.raises(AttachmentRefused, match="scripts"):
        check_attachment(pdf_with_author(javascript=True))


def test_type_decided_by_content_not_name() -> None:
    # An executable renamed .jpg, a zip, and a truncated image: all refused.
    with pytest.raises(AttachmentRefused, match="not accepted"):
        check_attachment(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)))
    with pytest.raises(AttachmentRefused, match="not accepted"):
        check_attachment(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(AttachmentRefused, match="damaged"):
        check_attachment(jpeg_with_gps()[:40])
    assert detect_kind(png_with_text()).name == "png"  # type: ignore[union-attr]


def test_text_must_be_utf8() -> None:
    assert check_attachment("Dirección: calle Mayor 5\n".encode()).kind == "text"
    with pytest.raises(AttachmentRefused):
        check_attachment("caf\xe9 ".encode("latin-1") * 3)


def test_size_and_pixel_limits() -> None:
    with pytest.raises(AttachmentRefused, match="at most 1 MB"):
        check_attachment(b"a" * (1024 * 1024 + 1), max_bytes=1024 * 1024)
    with pytest.raises(AttachmentRefused, match="empty"):
        check_attachment(b"")
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, "PNG")  # 48 Mpx, tiny on disk
    with pytest.raises(AttachmentRefused, match="too large"):
        check_attachment(out.getvalue())


def test_safe_filename() -> None:
    assert safe_filename("../../etc/passwd.jpg", "jpg") == "etc_passwd.jpg"
    assert safe_filename("photo 1.exe", "png") == "photo_1.png"
    assert safe_filename(None, "txt") == "attachment.txt"
