"""The media tool's public API for other tools: hash content and match hashes against hash lists.

Other tools (file context analysis) call these two functions and nothing else of the media tool, so
the hashers and the matcher can change without touching them. Only hashes go in and out.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from heroes.media.hashers import HashValue
from heroes.media.matcher import DEFAULT_DISTANCE, Matcher
from heroes.media.scan import hash_stream


def content_hashes(data: bytes, name: str = "") -> dict[str, str]:
    """Every hash the registry computes for these bytes: md5, sha1, sha256, and pdq for images."""
    result = hash_stream(name, lambda: io.BytesIO(data))
    return {hash_type: value.value for hash_type, value in result.hashes.items()}


@lru_cache(maxsize=4)
def _matcher(lists: tuple[tuple[str, float], ...], distance: int) -> Matcher:
    from heroes.media.engine import load_lists

    return Matcher(load_lists([path for path, _ in lists]), distance=distance)


def match_hashes(
    hashes: Sequence[Mapping[str, str]], hashlists: Sequence[str | Path], distance: int = DEFAULT_DISTANCE
) -> list[list[dict[str, Any]]]:
    """For each file's hashes (as from ``content_hashes``), the list entries it matches.

    A match is ``{"list", "hash_type", "hash", "category", "distance"}``; perceptual hashes match
    within ``distance`` bits. The lists are loaded once and kept while their files are unchanged.
    """
    key = tuple((str(Path(p).resolve()), Path(p).stat().st_mtime) for p in hashlists)
    matcher = _matcher(key, distance)
    queries = [({k: HashValue(k, v) for k, v in h.items()}, ()) for h in hashes]
    return [[m.to_json() for m in outcome.matches] for outcome in matcher.match_many(queries)]
