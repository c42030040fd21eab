"""Small synthetic test files, made in the test run (plain colour blocks, no real photos)."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin

GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (64, 48), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0131] = "TestSoftware"
    exif[GPS_IFD] = {1: "N", 2: (40.0, 25.0, 1.0), 3: "W", 4: (3.0, 42.0, 2.0)}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Reporter")
    info.add_text("Comment", "taken at home")
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 255, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def pdf_with_author(javascript: bool = False) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Jane Reporter", "/Title": "my notes"})
    if javascript:
        from pypdf.generic import DictionaryObject, NameObject, TextStringObject

        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert(1);"),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = action
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
