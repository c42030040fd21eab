import io

import pytest
from PIL import Image

from heroes.reports.attachments import (
    AttachmentRefused,
    check_attachment,
    detect_kind,
    safe_filename,
)

from .imagegen import GPS_IFD, hostile_pdf, jpeg_with_gps, pdf_with_author, png_with_text


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


def test_pdf_metadata_removed_and_scripts_removed() -> None:
    original = pdf_with_author()
    assert b"Jane Reporter" in original
    clean = check_attachment(original)
    assert clean.kind == "pdf"
    assert b"Jane Reporter" not in clean.data
    assert "document information" in clean.removed
    scripted = check_attachment(pdf_with_author(javascript=True))
    assert b"app.alert" not in scripted.data and b"/JavaScript" not in scripted.data
    assert "actions" in scripted.removed


def test_hostile_pdf_keeps_only_page_content_and_clean_images() -> None:
    import pikepdf

    original = hostile_pdf()
    for marker in (b"Jane Reporter", b"GoToR", b"SubmitForm", b"/URI", b"PieceInfo", b"Exif", b"attacker.example"):
        assert marker in original
    clean = check_attachment(original)
    for marker in (
        b"Jane Reporter",
        b"GoToR",
        b"SubmitForm",
        b"/URI",
        b"/JavaScript",
        b"PieceInfo",
        b"/Annots",
        b"/OpenAction",
        b"/AA",
        b"/EmbeddedFile",
        b"/Metadata",
        b"attacker.example",
        b"tracker.example",
        b"collect.example",
    ):
        assert marker not in clean.data, marker
    assert {"annotations", "actions", "xmp", "piece info", "document information", "image metadata"} <= set(
        clean.removed
    )
    with pikepdf.open(io.BytesIO(clean.data)) as pdf:
        assert len(pdf.pages) == 1 and not pdf.attachments and not pdf.docinfo.keys()
        page = pdf.pages[0]
        assert set(page.obj.keys()) <= {"/Type", "/MediaBox", "/Resources", "/Contents", "/Parent"}
        image = page.Resources.XObject.Im0
        picture = pikepdf.PdfImage(image).as_pil_image()
        assert picture.size == (32, 24)
        assert not picture.getexif()
        assert b"Exif" not in image.read_raw_bytes() and b"TestCam" not in image.read_raw_bytes()
        # the page still shows the image: its content stream is kept as it was
        assert page.Contents.read_bytes() == b"q 100 0 0 75 50 60 cm /Im0 Do Q"


def test_pdf_image_pixel_bomb_refused_before_decoding() -> None:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    bomb = pikepdf.Stream(pdf, b"\x00" * 16)
    bomb.Type, bomb.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    bomb.Width, bomb.Height, bomb.BitsPerComponent = 100_000, 100_000, 8
    bomb.ColorSpace = pikepdf.Name.DeviceGray
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=bomb))
    out = io.BytesIO()
    pdf.save(out)
    with pytest.raises(AttachmentRefused, match="too large"):
        check_attachment(out.getvalue())


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
