"""vPDQ: PDQ of video frames sampled once a second, as Meta's ``vpdq`` package does.

The ``vpdq`` package needs FFmpeg's development headers to build; PyAV ships its own FFmpeg,
so this module re-implements the (short) sampling loop of vpdq's ``filehasher.cpp`` over PyAV
and hashes each sampled frame with ``pdqhash``:

- frame rate = the stream's average frame rate, else its real base frame rate;
- every ``int(seconds_per_hash * fps)``-th decoded frame (counted from 0) is hashed;
- its timestamp is ``frame_number / fps``.

``tests/media/test_vpdq.py`` compares the result with the ``vpdq`` package when installed.
"""

from __future__ import annotations

import json
import re
from typing import IO

import av
import pdqhash  # type: ignore[import-untyped]

from heroes.media.hashers import (
    HashError,
    VideoFrameHash,
    normalize_pdq,
    pdq_bits_to_hex,
)

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
            items = json.loads(text)
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
