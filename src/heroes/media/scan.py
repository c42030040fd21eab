"""Hash files and match them; write one JSON line per file; resume where a scan stopped.

The output file is its own checkpoint: each result is written and flushed as soon as the file
is done, so a scan killed at any moment restarts with the paths already in the output and
hashes only the rest (a half-written last line is cut off first).
"""

from __future__ import annotations

import functools
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from heroes.core.fanout import FanOut, InlineFanOut
from heroes.media.filetype import EMPTY, IMAGE, SNIFF_BYTES, sniff
from heroes.media.hashers import (
    PDQ_MIN_QUALITY,
    Content,
    Digest,
    HashError,
    HashValue,
    content_hashers,
    streaming_hashers,
)
from heroes.media.index import pin_threads
from heroes.media.matcher import Matcher
from heroes.media.sources import ARCHIVE_SEP, items_of, iter_files, iter_items

CHUNK = 1 << 20
MAX_IMAGE_BYTES = 256 << 20  # larger "images" are hashed exactly, not perceptually
PARALLEL_FROM = 256 << 10  # reads this large are hashed by the three digests at once, in threads

_digest_threads: ThreadPoolExecutor | None = None


def _update_all(digests: list[Digest], chunk: bytes) -> None:
    """hashlib releases the GIL on large buffers: MD5, SHA-1 and SHA-256 of a chunk run side by side."""
    global _digest_threads
    if len(chunk) < PARALLEL_FROM or len(digests) < 2:
        for d in digests:
            d.update(chunk)
        return
    if _digest_threads is None:
        _digest_threads = ThreadPoolExecutor(len(digests), thread_name_prefix="digest")
    for future in [_digest_threads.submit(d.update, chunk) for d in digests]:
        future.result()


Progress = Callable[[int, int | None, str], None]


@dataclass
class FileResult:
    path: str
    size: int | None = None
    type: str = "other"
    hashes: dict[str, HashValue] = field(default_factory=dict)
    pdq_variants: list[str] = field(default_factory=list)  # rotations and flips of the perceptual hash
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
    digest_list = list(digests.values())
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
                _update_all(digest_list, chunk)
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
            value = hasher.hash_content(content, variants=dihedral)
        except HashError as exc:
            result.error = f"{hasher.name}: {exc}"
            continue
        except Exception as exc:
            result.error = f"{hasher.name}: {type(exc).__name__}: {exc}"
            continue
        result.hashes[hasher.name] = value
        result.pdq_variants += value.variants
    return result


def hash_file(path: str | Path, dihedral: bool = False) -> FileResult:
    p = Path(path)
    return hash_stream(str(p), lambda: open(p, "rb"), dihedral)


@dataclass
class Summary:
    files: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    matched_files: int = 0
    by_category: Counter[str] = field(default_factory=Counter)  # "list / category" -> files
    ignored: int = 0
    errors: int = 0
    resumed: int = 0  # lines taken over from an earlier, interrupted run
    too_flat: int = 0  # pictures whose PDQ quality is below min_quality: not compared perceptually
    min_quality: int = PDQ_MIN_QUALITY

    def add(self, row: dict[str, Any]) -> None:
        self.files += 1
        self.by_type[row.get("type") or "other"] += 1
        quality = row.get("pdq_quality")
        if quality is not None and quality < self.min_quality:
            self.too_flat += 1
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
            "too_flat": self.too_flat,
            "min_quality": self.min_quality,
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


@dataclass(frozen=True)
class ScanWork:
    """What a worker needs to scan its units: the matcher itself (same process) or its index file."""

    archives: bool = True
    matcher: Matcher | None = None
    matcher_file: str | None = None
    distance: int = 0
    dihedral: bool = False
    min_quality: int = PDQ_MIN_QUALITY

    def __getstate__(self) -> dict[str, Any]:
        if self.matcher is not None:
            raise TypeError("a matcher goes to other processes as its index file (matcher_file)")
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def load_matcher(self) -> Matcher | None:
        if self.matcher is not None or self.matcher_file is None:
            return self.matcher
        key = (self.matcher_file, self.distance, self.dihedral, self.min_quality)
        if key not in _WORKER_MATCHERS:  # once per worker process, not once per chunk
            _WORKER_MATCHERS.clear()
            _WORKER_MATCHERS[key] = Matcher.load(self.matcher_file, self.distance, self.dihedral, self.min_quality)
        return _WORKER_MATCHERS[key]


_WORKER_MATCHERS: dict[tuple[str, int, bool, int], Matcher] = {}

# A unit of work: one file as iter_files lists it, and the paths in it a resumed scan already has.
Unit = tuple[str, frozenset[str]]


def scan_units(work: ScanWork, units: Sequence[Unit]) -> list[list[dict[str, Any]]]:
    """Hash every file of a chunk of units, then match them all with one batch of index queries."""
    matcher = work.load_matcher()
    if matcher is not None:
        pin_threads(1)  # the fan-out gives the parallelism; see heroes.media.index.pin_threads
    dihedral = bool(matcher and matcher.dihedral)
    per_unit: list[list[FileResult]] = []
    for path, skip in units:
        results = []
        for item in items_of(path, work.archives):
            if item.path in skip:
                continue
            if item.error:
                results.append(FileResult(item.path, item.size, error=item.error))
            else:
                results.append(hash_stream(item.path, item.open, dihedral))
        per_unit.append(results)
    if matcher is not None:
        hashed = [r for results in per_unit for r in results if r.hashes]
        for result, outcome in zip(
            hashed, matcher.match_many([(r.hashes, r.pdq_variants) for r in hashed]), strict=True
        ):
            result.matches = [m.to_json() for m in outcome.matches]
            result.ignored_by = outcome.ignored_by
    return [[r.to_json() for r in results] for results in per_unit]


def _units(roots: list[str | Path], done: set[str], own_output: str) -> list[Unit]:
    inside: dict[str, set[str]] = defaultdict(set)  # archive path -> its members already done
    for path in done:
        at = path.find(ARCHIVE_SEP)
        while at >= 0:
            inside[path[:at]].add(path)
            at = path.find(ARCHIVE_SEP, at + 1)
    units = []
    for path in iter_files(roots):
        if os.path.abspath(path) == own_output:
            continue
        skip = set(inside.get(path, ()))
        if path in done:
            if not skip:
                continue
            skip.add(path)
        units.append((path, frozenset(skip)))
    return units


def scan(
    paths: Iterable[str | Path],
    out: str | Path,
    matcher: Matcher | None = None,
    resume: bool = True,
    progress: Progress | None = None,
    archives: bool = True,
    count_first: bool = True,
    fanout: FanOut[Any, Any] | None = None,
    min_quality: int = PDQ_MIN_QUALITY,
) -> Summary:
    """Hash and match every file under ``paths`` into the JSONL file ``out``.

    ``fanout`` spreads the files over workers (a process pool, Ray); the output is the same, line
    for line, as a scan in this process, which is the default.
    """
    roots = list(paths)
    out_path = Path(out)
    summary = Summary(min_quality=min_quality)
    done = _load_checkpoint(out_path, summary) if resume else set()
    total = sum(1 for _ in iter_items(roots, archives)) if count_first else None
    own_output = os.path.abspath(out_path)  # a scan of the folder holding its own output
    units = _units(roots, done, own_output)
    fan = fanout or InlineFanOut()
    index_file: Path | None = None
    if matcher is not None and fan.remote:
        index_file = out_path.with_name(f".{out_path.name}.index.npz")  # beside the output: shared storage
        matcher.save(index_file)
        work = ScanWork(archives, None, str(index_file), matcher.distance, matcher.dihedral, matcher.min_quality)
    else:
        work = ScanWork(archives, matcher)
    if progress:
        progress(summary.files, total, "")
    try:
        with open(out_path, "a" if resume else "w", encoding="utf-8") as fh:
            chunk_size = None if fan.remote else 1  # in this process: each file on disk as soon as it is done
            for rows in fan.imap_chunks(functools.partial(scan_units, work), units, chunk_size):
                for row in rows:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                    fh.flush()
                    summary.add(row)
                    if progress:
                        progress(summary.files, total, row["path"])
            os.fsync(fh.fileno())
    finally:
        if index_file is not None:
            index_file.unlink(missing_ok=True)
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
