"""Hash files and match them; write one JSON line per file; resume where a scan stopped.

The output file is its own checkpoint: each result is written and flushed as soon as the file
is done, so a scan killed at any moment restarts with the paths already in the output and
hashes only the rest (a half-written last line is cut off first).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from heroes.media.filetype import EMPTY, IMAGE, SNIFF_BYTES, sniff
from heroes.media.hashers import (
    Content,
    HashError,
    HashValue,
    content_hashers,
    decode_image,
    pdq_dihedral_of_image,
    streaming_hashers,
)
from heroes.media.matcher import Matcher
from heroes.media.sources import Item, iter_items

CHUNK = 1 << 20
MAX_IMAGE_BYTES = 256 << 20  # larger "images" are hashed exactly, not perceptually

Progress = Callable[[int, int | None, str], None]


@dataclass
class FileResult:
    path: str
    size: int | None = None
    type: str = "other"
    hashes: dict[str, HashValue] = field(default_factory=dict)
    pdq_variants: list[str] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)
    ignored_by: list[str] = field(default_factory=list)
    error: str | None = None

    def value(self, name: str) -> str | None:
        hv = self.hashes.get(name)
        return hv.value if hv else None

    def to_json(self) -> dict[str, Any]:
        """The issue's line format; ``vpdq``, ``ignored_by`` and ``error`` only when set."""
        pdq = self.hashes.get("pdq")
        out: dict[str, Any] = {
            "path": self.path,
            "size": self.size,
            "type": self.type,
            "md5": self.value("md5"),
            "sha1": self.value("sha1"),
            "sha256": self.value("sha256"),
            "pdq": pdq.value if pdq else None,
            "pdq_quality": pdq.quality if pdq else None,
        }
        for name, hv in self.hashes.items():  # further hash types (vpdq, plug-ins)
            if name not in out:
                out[name] = hv.value
        out["matches"] = self.matches
        if self.ignored_by:
            out["ignored_by"] = self.ignored_by
        if self.error:
            out["error"] = self.error
        return out


def hash_stream(
    path: str,
    opener: Callable[[], IO[bytes]],
    dihedral: bool = False,
    perceptual: bool = True,
) -> FileResult:
    """Read the file once for the byte hashes, then decode it for the perceptual ones.

    Never raises for a bad file: the error is recorded in the result.
    """
    result = FileResult(path)
    digests = {h.name: h.start() for h in streaming_hashers()}
    head = b""
    # Image bytes are kept for decoding so the file is read only once; the decision needs
    # the head, which a short first read may not hold yet.
    keep = bytearray()
    keeping = True
    size = 0
    try:
        with opener() as stream:
            while chunk := stream.read(CHUNK):
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                    if len(head) >= SNIFF_BYTES:
                        keeping = keeping and sniff(head).kind == IMAGE
                for d in digests.values():
                    d.update(chunk)
                if keeping:
                    keep += chunk
                    keeping = len(keep) <= MAX_IMAGE_BYTES
                size += len(chunk)
    except OSError as exc:
        result.error = f"unreadable: {exc.strerror or exc}"
        return result
    except Exception as exc:
        result.error = f"unreadable: {type(exc).__name__}: {exc}"
        return result
    result.size = size
    ftype = sniff(head)
    result.type = ftype.kind
    for name, d in digests.items():
        result.hashes[name] = HashValue(name, d.hexdigest())
    if ftype.kind == EMPTY or not perceptual:
        return result
    data = bytes(keep) if keeping and ftype.kind == IMAGE else None
    content = Content(ftype.kind, ftype.fmt, data, opener)
    for hasher in content_hashers():
        if not hasher.applies_to(ftype.kind):
            continue
        if ftype.kind == IMAGE and data is None:
            continue
        try:
            result.hashes[hasher.name] = hasher.hash_content(content)
        except HashError as exc:
            result.error = f"{hasher.name}: {exc}"
        except Exception as exc:
            result.error = f"{hasher.name}: {type(exc).__name__}: {exc}"
    if dihedral and data is not None and "pdq" in result.hashes:
        try:
            variants, _ = pdq_dihedral_of_image(decode_image(data))
            result.pdq_variants = variants[1:]
        except Exception:  # noqa: S110 - the PDQ hasher already reported a broken image
            pass
    return result


def hash_file(path: str | Path, dihedral: bool = False) -> FileResult:
    p = Path(path)
    return hash_stream(str(p), lambda: open(p, "rb"), dihedral)


def process_item(item: Item, matcher: Matcher | None) -> FileResult:
    if item.error:
        return FileResult(item.path, item.size, error=item.error)
    dihedral = bool(matcher and matcher.dihedral)
    result = hash_stream(item.path, item.open, dihedral)
    if matcher is not None and result.hashes:
        outcome = matcher.match(result.hashes, result.pdq_variants)
        result.matches = [m.to_json() for m in outcome.matches]
        result.ignored_by = outcome.ignored_by
    return result


@dataclass
class Summary:
    files: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    matched_files: int = 0
    by_category: Counter[str] = field(default_factory=Counter)  # "list / category" -> files
    ignored: int = 0
    errors: int = 0
    resumed: int = 0  # lines taken over from an earlier, interrupted run

    def add(self, row: dict[str, Any]) -> None:
        self.files += 1
        self.by_type[row.get("type") or "other"] += 1
        if row.get("error"):
            self.errors += 1
        if row.get("ignored_by"):
            self.ignored += 1
        matches = row.get("matches") or []
        if matches:
            self.matched_files += 1
        for key in sorted({f"{m['list']} / {m['category'] or '-'}" for m in matches}):
            self.by_category[key] += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "by_type": dict(self.by_type),
            "matched_files": self.matched_files,
            "by_category": dict(self.by_category),
            "ignored": self.ignored,
            "errors": self.errors,
            "resumed": self.resumed,
        }


def _load_checkpoint(out: Path, summary: Summary) -> set[str]:
    """Paths already in ``out``; a torn last line (killed mid-write) is cut away."""
    done: set[str] = set()
    if not out.exists():
        return done
    good = 0
    with open(out, "rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                row = json.loads(raw)
            except json.JSONDecodeError:
                break
            done.add(row["path"])
            summary.add(row)
            good += len(raw)
    if good != out.stat().st_size:
        with open(out, "r+b") as fh:
            fh.truncate(good)
    summary.resumed = len(done)
    return done


def scan(
    paths: Iterable[str | Path],
    out: str | Path,
    matcher: Matcher | None = None,
    resume: bool = True,
    progress: Progress | None = None,
    archives: bool = True,
    count_first: bool = True,
) -> Summary:
    """Hash and match every file under ``paths`` into the JSONL file ``out``."""
    roots = list(paths)
    out_path = Path(out)
    summary = Summary()
    done = _load_checkpoint(out_path, summary) if resume else set()
    total = sum(1 for _ in iter_items(roots, archives)) if count_first else None
    position = 0
    own_output = os.path.abspath(out_path)  # a scan of the folder holding its own output
    if progress:
        progress(summary.files, total, "")
    with open(out_path, "a" if resume else "w", encoding="utf-8") as fh:
        for item in iter_items(roots, archives):
            position += 1
            if item.path in done or os.path.abspath(item.path) == own_output:
                continue
            result = process_item(item, matcher)
            row = result.to_json()
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            fh.flush()
            summary.add(row)
            done.add(item.path)
            if progress:
                progress(summary.files, total, item.path)
        os.fsync(fh.fileno())
    return summary


def hash_paths(paths: Iterable[str | Path], out: str | Path, progress: Progress | None = None) -> Summary:
    """``heroes media hash``: the same line format, without matching."""
    return scan(paths, out, matcher=None, resume=False, progress=progress)


def read_results(path: str | Path) -> Iterable[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


__all__ = ["FileResult", "Summary", "hash_file", "hash_paths", "scan"]
