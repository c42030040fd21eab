"""vPDQ: PDQ of video frames sampled once a second, as Meta's ``vpdq`` package does.

The ``vpdq`` package needs FFmpeg's development headers to build; PyAV ships its own FFmpeg,
so this module re-implements the (short) sampling loop of vpdq's ``filehasher.cpp`` over PyAV
and hashes each sampled frame with ``pdqhash``:

- frame rate = the stream's average frame rate, else its real base frame rate;
- every ``int(seconds_per_hash * fps)``-th decoded frame (counted from 0) is hashed;
- its timestamp is ``frame_number / fps``.

``tests/media/test_vpdq.py`` compares the result with the ``vpdq`` package when installed.

Matching follows python-threatexchange: a list video matches when at least
``vpdq_match_percent`` of the file's distinct usable frames are within ``distance`` bits of one of
its frames; the distance reported is the mean over the matched frames.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import IO, Any

import av
import numpy as np
import pdqhash  # type: ignore[import-untyped]

from heroes.media.filetype import VIDEO
from heroes.media.hashers import Content, ContentHasher, HashError, HashValue, VideoFrameHash, register
from heroes.media.index import PDQ_BYTES, Hit, MatchSettings, PdqIndex, Query, TypeIndex, hex_to_codes
from heroes.media.pdq import normalize_pdq, pdq_bits_to_hex
from heroes.text import JsonTooDeep, json_loads

MAX_FRAMES = 100_000  # a day of video at one hash a second: beyond that, stop


def hash_video(source: str | IO[bytes], seconds_per_hash: float = 1.0) -> list[VideoFrameHash]:
    try:
        container = av.open(source, mode="r")
    except Exception as exc:  # PyAV raises its own error family for bad input
        raise HashError(f"corrupt or unsupported video: {exc}") from exc
    try:
        if not container.streams.video:
            raise HashError("no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = stream.average_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        if fps <= 0:
            raise HashError("video frame rate is zero")
        frame_mod = max(1, int(seconds_per_hash * fps))
        frames: list[VideoFrameHash] = []
        for number, frame in enumerate(container.decode(stream)):
            if number % frame_mod:
                continue
            bits, quality = pdqhash.compute(frame.to_ndarray(format="rgb24"))
            frames.append(VideoFrameHash(pdq_bits_to_hex(bits), int(quality), number / fps))
            if len(frames) >= MAX_FRAMES:
                break
        return frames
    except HashError:
        raise
    except Exception as exc:
        raise HashError(f"corrupt or unsupported video: {exc}") from exc
    finally:
        container.close()


def format_frames(frames: list[VideoFrameHash]) -> str:
    """One string per video, the JSON list python-threatexchange uses as vPDQ signal."""
    return json.dumps([str(f) for f in frames], separators=(",", ":"))


_FEATURE = re.compile(r"^\s*([0-9a-fA-F]{64})\s*(?:,\s*(\d+)\s*(?:,\s*([0-9.]+))?)?\s*$")


def parse_frames(value: str) -> list[VideoFrameHash]:
    """Accept the JSON list form, or features separated by ``;``/whitespace.

    A feature is ``pdq[,quality[,timestamp]]``; a bare PDQ counts as quality 100.
    """
    text = value.strip()
    if text.startswith("["):
        try:
            items = json_loads(text)
        except JsonTooDeep as exc:
            raise HashError(f"vPDQ value is {exc}") from None
        except json.JSONDecodeError as exc:
            raise HashError(f"vPDQ value is not valid JSON: {exc.msg}") from None
        if not isinstance(items, list):
            raise HashError("vPDQ JSON must be a list of features")
        parts = [str(i) for i in items]
    else:
        parts = [p for p in re.split(r"[;\s]+", text) if p]
    frames: list[VideoFrameHash] = []
    for i, part in enumerate(parts):
        m = _FEATURE.match(part)
        if not m:
            raise HashError(f"vPDQ feature {i + 1} malformed: {part[:80]!r}")
        quality = int(m.group(2)) if m.group(2) else 100
        if quality > 100:
            raise HashError(f"vPDQ feature {i + 1}: quality above 100")
        ts = float(m.group(3)) if m.group(3) else float(i)
        frames.append(VideoFrameHash(normalize_pdq(m.group(1)), quality, ts))
    if not frames:
        raise HashError("vPDQ value has no features")
    return frames


class FrameSetIndex(TypeIndex):
    """Every usable frame of every list video in one PDQ index."""

    def __init__(
        self,
        hash_type: str,
        index: PdqIndex,
        frame_row: np.ndarray,
        frames: dict[int, int],
        ref: dict[int, str],
    ) -> None:
        self.hash_type = hash_type
        self.index = index
        self.frame_row = frame_row
        self.frames = frames  # entry row -> number of distinct usable frames
        self.ref = ref  # entry row -> sha256 of the list value (the value itself is long)

    @classmethod
    def build(cls, hash_type: str, values: Sequence[str], rows: np.ndarray, min_quality: int) -> FrameSetIndex:
        codes: list[str] = []
        frame_row: list[int] = []
        frames: dict[int, int] = {}
        ref: dict[int, str] = {}
        for value, row in zip(values, np.asarray(rows).tolist(), strict=True):
            unique = {f.pdq for f in parse_frames(value) if f.quality >= min_quality}
            frames[row] = len(unique)
            ref[row] = hashlib.sha256(value.encode()).hexdigest()
            for pdq in sorted(unique):
                codes.append(pdq)
                frame_row.append(row)
        return cls(hash_type, PdqIndex(hex_to_codes(codes, PDQ_BYTES)), np.array(frame_row, np.int64), frames, ref)

    def __len__(self) -> int:
        return len(self.index)

    def search(self, queries: Sequence[Query], settings: MatchSettings) -> list[list[Hit]]:
        return [self._search_one(q, settings) if len(self.index) else [] for q in queries]

    def _search_one(self, query: Query, settings: MatchSettings) -> list[Hit]:
        hv = query.hashes.get(self.hash_type)
        if hv is None:
            return []
        frames = hv.frames or parse_frames(hv.value)
        wanted = sorted({f.pdq for f in frames if f.quality >= settings.min_quality})
        if not wanted:
            return []
        hits = self.index.search(hex_to_codes(wanted, PDQ_BYTES), settings.distance)
        q_hit: dict[int, set[int]] = defaultdict(set)
        t_hit: dict[int, set[int]] = defaultdict(set)
        dists: dict[int, list[int]] = defaultdict(list)
        for qi, frame_hits in enumerate(hits):
            for fi, d in frame_hits:
                row = int(self.frame_row[fi])
                q_hit[row].add(qi)
                t_hit[row].add(fi)
                dists[row].append(int(d))
        out = []
        for row, matched in q_hit.items():
            q_pct = 100.0 * len(matched) / len(wanted)
            if q_pct < settings.vpdq_match_percent:
                continue
            c_pct = 100.0 * len(t_hit[row]) / max(1, self.frames[row])
            extra = {"query_match_percent": round(q_pct, 1), "compared_match_percent": round(c_pct, 1)}
            out.append(Hit(row, self.ref[row], round(sum(dists[row]) / len(dists[row])), extra))
        return out

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        rows = sorted(self.frames)
        arrays = {
            "codes": self.index.codes,
            "frame_row": self.frame_row,
            "rows": np.array(rows, dtype=np.int64),
            "nframes": np.array([self.frames[r] for r in rows], dtype=np.int64),
        }
        return arrays, {"ref": [self.ref[r] for r in rows]}


@register
class VpdqHasher(ContentHasher):
    name = "vpdq"
    perceptual = True
    kinds = frozenset({VIDEO})

    def normalize(self, value: str) -> str:
        return format_frames(parse_frames(value))

    def hash_content(self, content: Content, variants: bool = False) -> HashValue:
        with content.open() as stream:
            frames = hash_video(stream)
        return HashValue(self.name, format_frames(frames), frames=frames)

    def build_index(self, values: Sequence[str], rows: np.ndarray, settings: MatchSettings) -> TypeIndex:
        return FrameSetIndex.build(self.name, values, rows, settings.min_quality)

    def load_index(self, arrays: Mapping[str, np.ndarray], meta: Mapping[str, object]) -> TypeIndex:
        rows = arrays["rows"].tolist()
        refs = meta["ref"]
        assert isinstance(refs, list)
        return FrameSetIndex(
            self.name,
            PdqIndex(arrays["codes"]),
            arrays["frame_row"],
            dict(zip(rows, arrays["nframes"].tolist(), strict=True)),
            dict(zip(rows, [str(r) for r in refs], strict=True)),
        )
