"""FCA format benchmarks, each beside its baseline measured in the same run:

1. OCR of scanned PDF pages (pdfium render at 300 DPI + Tesseract eng+spa), seconds per page, beside
   the render alone and beside pypdf reading the text layer of the same page set as a text PDF;
   also the word recall of the OCR against the words drawn on the pages;
2. 7z expansion (py7zr, LZMA2) beside ZIP expansion (deflate) of the same members, MB/s of content;
3. Outlook MSG and RTF extraction, items per second, beside plain-text extraction of the same text.

    python benchmarks/fca/bench_formats.py --pages 4 --members 200
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import resource
import shutil
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

WORDS = ["payment", "account", "transfer", "border", "bus", "ticket", "hotel", "passport", "meeting",
         "tomorrow", "cash", "pago", "cuenta", "frontera", "autobús", "billete", "pasaporte", "reunión",
         "mañana", "efectivo"]  # fmt: skip
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _timed(fn: Callable[[], object], repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def _children_cpu() -> float:
    """CPU seconds used by finished child processes (Tesseract): what an idle core would take."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _page_lines(rng: random.Random) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(6)) for _ in range(18)]


def scanned_pdf(pages: list[list[str]]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 30)
    images = []
    for lines in pages:
        img = Image.new("L", (1240, 1754), 255)  # A4 at 150 DPI, as a cheap office scanner makes
        draw = ImageDraw.Draw(img)
        for n, line in enumerate(lines):
            draw.text((110, 150 + 70 * n), line, font=font, fill=0)
        images.append(img)
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return out.getvalue()


def text_pdf(pages: list[list[str]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.set_font("dejavu", size=12)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def bench_ocr(n_pages: int) -> None:
    from heroes.fca.extractors import extract
    from heroes.fca.processing import OCR_DPI, ocr_pdf_pages

    if not shutil.which("tesseract"):
        print("OCR: tesseract not installed, skipped")
        return
    import pypdfium2 as pdfium

    rng = random.Random(7)
    pages = [_page_lines(rng) for _ in range(n_pages)]
    scan, text = scanned_pdf(pages), text_pdf(pages)

    def render_only() -> None:
        doc = pdfium.PdfDocument(scan)
        for i in range(len(doc)):
            doc[i].render(scale=OCR_DPI / 72, grayscale=True).to_pil()
        doc.close()

    t_layer = _timed(lambda: extract("pdf", text), repeat=3) / n_pages
    t_render = _timed(render_only) / n_pages
    from heroes.fca import processing

    processing.OCR_THREADS = 0
    cpu = _children_cpu()
    t_all_threads = _timed(lambda: ocr_pdf_pages(scan, list(range(n_pages)))) / n_pages
    cpu_all_threads = (_children_cpu() - cpu) / n_pages
    processing.OCR_THREADS = 1
    start, cpu = time.perf_counter(), _children_cpu()
    read, problems = ocr_pdf_pages(scan, list(range(n_pages)))
    t_ocr = (time.perf_counter() - start) / n_pages
    cpu_ocr = (_children_cpu() - cpu) / n_pages
    drawn = [w.lower() for lines in pages for line in lines for w in line.split()]
    seen = set(re.findall(r"\w+", " ".join(read.values()).lower()))
    recall = sum(w in seen for w in drawn) / len(drawn)
    print(f"\nOCR of scanned PDF pages ({n_pages} A4 pages scanned at 150 DPI, rendered at {OCR_DPI} DPI)")
    print(f"  baseline: pypdf, text layer of the same pages   {t_layer * 1000:8.1f} ms/page")
    print(f"  pdfium render only                             {t_render * 1000:8.1f} ms/page")
    print(f"  render + Tesseract eng+spa, OpenMP all cores   {t_all_threads:8.2f} s/page wall, "
          f"{cpu_all_threads:.2f} s/page Tesseract CPU")  # fmt: skip
    print(f"  render + Tesseract eng+spa, 1 thread (FCA)     {t_ocr:8.2f} s/page wall, "
          f"{cpu_ocr:.2f} s/page Tesseract CPU")  # fmt: skip
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  word recall of the OCR (drawn words found)     {recall:8.3f}   problems: {problems or 'none'}")


def bench_7z(n_members: int) -> None:
    from tests.fca.test_formats import seven_zip

    from heroes.fca.archives import Budget, expand
    from heroes.fca.sources import Entry

    rng = random.Random(3)
    members = [
        (f"doc{n}.txt", " ".join(rng.choice(WORDS) for _ in range(rng.randint(500, 5000))).encode())
        for n in range(n_members)
    ]
    total = sum(len(d) for _, d in members) / 1e6
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    archives = {"zip": buf.getvalue(), "7z": seven_zip(members)}

    def run(data: bytes) -> int:
        entry = Entry(path="a", size=len(data), read=lambda: data)
        return sum(1 for _ in expand(entry, data, Budget()))

    print(f"\nArchive expansion ({n_members} text members, {total:.1f} MB of content)")
    for kind, data in archives.items():
        seconds = _timed(lambda d=data: run(d), repeat=3)  # type: ignore[misc]
        label = "baseline: ZIP (deflate)" if kind == "zip" else "7z (py7zr, LZMA2)"
        print(f"  {label:28s} {len(data) / 1e6:6.2f} MB packed  {seconds:6.3f} s  {total / seconds:7.1f} MB/s")


def bench_mail(n_items: int) -> None:
    from tests.fca.test_formats import RTF, outlook_msg

    from heroes.fca.extractors import extract

    msg = outlook_msg([("plan.txt", b"meet at the port\n")])
    rtf = RTF.encode()
    plain = extract("rtf", rtf).text.encode()
    print(f"\nMail and RTF extraction ({n_items} items each)")
    for label, kind, data in (("baseline: plain text", "txt", plain), ("RTF (striprtf)", "rtf", rtf),
                              ("Outlook MSG (extract-msg)", "msg", msg)):  # fmt: skip
        seconds = _timed(lambda k=kind, d=data: [extract(k, d) for _ in range(n_items)])  # type: ignore[misc]
        print(f"  {label:28s} {n_items / seconds:9.0f} items/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--items", type=int, default=200)
    args = parser.parse_args()
    bench_ocr(args.pages)
    bench_7z(args.members)
    bench_mail(args.items)


if __name__ == "__main__":
    main()
