"""The per-file steps, run on any worker: hashes, type, extraction, language, entities.

``process`` is a plain function of plain data so the fan-out can ship it to a process pool or Ray;
the steps it runs are the registered classes of detect.py, extractors.py and heroes.entities.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from typing import Any

from heroes import entities
from heroes.fca import vectors
from heroes.fca.detect import detect
from heroes.fca.extractors import extract, json_safe
from heroes.fca.lang import language
from heroes.media.api import content_hashes

IMAGE_KINDS = {"jpg", "jpeg", "png", "tif", "tiff", "webp", "gif", "bmp"}


def ocr(data: bytes) -> str:
    """Tesseract on an image (English and Spanish when both are installed); empty when unavailable."""
    if not shutil.which("tesseract"):
        return ""
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", "eng+spa"], input=data, capture_output=True, timeout=120
        )
        if done.returncode != 0:
            done = subprocess.run(["tesseract", "stdin", "stdout"], input=data, capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.decode("utf-8", "replace").strip()


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
    out["text"] = text
    out["meta"] = json_safe(extracted.meta)
    out["problems"] = extracted.problems
    out["language"] = language(text) if text else None
    out["entities"] = find_entities(text, options.get("region")) if text else []
    out["chunks"] = vectors.embed(text) if text and options.get("vectors", True) else []
    return out


def process_chunk(units: Sequence[tuple[str, bytes, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [process(u) for u in units]
