"""The per-file steps, run on any worker: hashes, type, extraction, language, entities.

``process`` is a plain function of plain data so the fan-out can ship it to a process pool or Ray;
the steps it runs are the registered classes of detect.py, extractors.py and heroes.entities.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Sequence
from typing import Any

from heroes import entities
from heroes.fca import vectors
from heroes.fca.detect import detect
from heroes.fca.extractors import MAX_TEXT, extract, json_safe
from heroes.fca.lang import language
from heroes.media.api import content_hashes

IMAGE_KINDS = {"jpg", "jpeg", "png", "tif", "tiff", "webp", "gif", "bmp"}
OCR_DPI = 300  # Tesseract's accuracy falls off quickly below ~300 DPI on body text
OCR_MAX_PAGES = 100  # per PDF; the rest of a longer scan is noted as not read
OCR_THREADS = 1  # Tesseract's OpenMP threads; 0 lets it take every core


def ocr(data: bytes) -> str:
    """Tesseract on an image (English and Spanish when both are installed); empty when unavailable.

    One OpenMP thread per Tesseract (OCR_THREADS) unless OMP_THREAD_LIMIT says otherwise: ingest already
    runs one file per worker, and Tesseract's own threads spin against them (slower on a busy machine).
    """
    if not shutil.which("tesseract"):
        return ""
    env = dict(os.environ)
    if OCR_THREADS and "OMP_THREAD_LIMIT" not in env:
        env["OMP_THREAD_LIMIT"] = str(OCR_THREADS)
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", "eng+spa"], input=data, capture_output=True, timeout=120, env=env
        )
        if done.returncode != 0:
            done = subprocess.run(
                ["tesseract", "stdin", "stdout"], input=data, capture_output=True, timeout=120, env=env
            )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.decode("utf-8", "replace").strip()


def ocr_pdf_pages(data: bytes, pages: Sequence[int]) -> tuple[dict[int, str], list[str]]:
    """The text of the given PDF pages (numbered from 0), each rendered at OCR_DPI (pdfium) and read
    by Tesseract. Returns the text per page and any problems."""
    import pypdfium2 as pdfium

    problems: list[str] = []
    if len(pages) > OCR_MAX_PAGES:
        problems.append(f"ocr: {len(pages)} pages without text, only the first {OCR_MAX_PAGES} read")
    out: dict[int, str] = {}
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        return out, [f"ocr: the PDF could not be rendered ({exc})"]
    try:
        for number in pages[:OCR_MAX_PAGES]:
            page = document[number]
            image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
            page.close()
            buffer = io.BytesIO()
            image.save(buffer, "PNG", compress_level=1)
            out[number] = ocr(buffer.getvalue())
    except pdfium.PdfiumError as exc:
        problems.append(f"ocr: page could not be rendered ({exc})")
    finally:
        document.close()
    return out, problems


def chat_text(path: str, data: bytes) -> tuple[str, dict[str, Any]] | None:
    """A messaging database handed to the shared chat parsers (heroes.chats): its messages as text."""
    import tempfile
    from pathlib import Path, PurePosixPath

    from heroes.chats.model import Conversation, Message
    from heroes.chats.registry import find_parser

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / PurePosixPath(path).name
        copy.write_bytes(data)
        try:
            parser = find_parser(copy, data[:4096])
            if parser is None:
                return None
            problems: list[str] = []
            items = list(parser.stream(copy, problems))
        except Exception as exc:  # a damaged database: noted, never fatal
            return "", {"chat_error": f"{type(exc).__name__}: {exc}"}
    messages = [m for m in items if isinstance(m, Message) and m.text]
    lines = [f"{m.author}: {m.text}" for m in messages]
    apps = {c.app for c in items if isinstance(c, Conversation) and c.app}
    meta = {"chat_app": ",".join(sorted(apps)) or parser.app, "chat_parser": parser.name, "chat_messages": len(lines)}
    return "\n".join(lines), meta


def find_entities(text: str, region: str | None) -> list[dict[str, Any]]:
    return [
        {"kind": e.kind, "value": e.value, "status": e.status, "start": e.start, "end": e.end}
        for e in entities.find(text, region=region)
    ]


def process(unit: tuple[str, bytes, dict[str, Any]]) -> dict[str, Any]:
    path, data, options = unit
    out: dict[str, Any] = {"hashes": content_hashes(data, path)}
    kind, mime, mismatch = detect(path, data)
    out.update(kind=kind, mime=mime, extension_mismatch=mismatch)
    extracted = extract(kind, data)
    text = extracted.text
    if kind == "sqlite":
        chats = chat_text(path, data)
        if chats is not None:
            extracted.meta.update(chats[1])
            text = chats[0] or text
    if options.get("ocr") and kind in IMAGE_KINDS:
        text = ocr(data)
        if text:
            extracted.meta["ocr"] = True
    if options.get("ocr") and kind == "pdf" and extracted.meta.get("pages_without_text"):
        blank = [n for n, page in enumerate(extracted.pages) if not page.strip()]
        read, problems = ocr_pdf_pages(data, blank)
        pages = [read.get(n, page) for n, page in enumerate(extracted.pages)]
        text = "\n".join(pages)[:MAX_TEXT]
        extracted.problems += problems
        extracted.meta["ocr_pages"] = sum(1 for page in read.values() if page)
    out["text"] = text
    out["meta"] = json_safe(extracted.meta)
    out["problems"] = extracted.problems
    out["language"] = language(text) if text else None
    out["entities"] = find_entities(text, options.get("region")) if text else []
    out["chunks"] = vectors.embed(text) if text and options.get("vectors", True) else []
    return out


def process_chunk(units: Sequence[tuple[str, bytes, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [process(u) for u in units]
