"""The media tool's library API, for the CLI and for code that uses the tool as a library
(docs/media.md). The web routes and the scan job use the modules underneath directly (store,
hashlists, matcher, scan, export).

Hash files, load hash lists, scan paths against them, export the results. Nothing here ever
shows, copies or thumbnails a file: only hashes, sizes, types and paths come out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from heroes.media.export import to_vics, write_vics
from heroes.media.hashers import HASHERS, PDQ_MIN_QUALITY, get_hasher
from heroes.media.hashlists import (
    IMPORTERS,
    HashList,
    ListFormatError,
    load_list,
    parse_list,
)
from heroes.media.matcher import DEFAULT_DISTANCE, Matcher
from heroes.media.scan import (
    FileResult,
    Summary,
    hash_file,
    hash_paths,
    read_results,
    scan,
)


def list_spec(spec: str) -> tuple[str, bool]:
    """``--hashlist PATH`` or ``--hashlist ignore:PATH`` (a known-innocent list)."""
    if spec.startswith("ignore:"):
        return spec[len("ignore:") :], True
    return spec, False


def load_lists(specs: Sequence[str], fmt: str | None = None) -> list[HashList]:
    lists = []
    names: set[str] = set()
    for spec in specs:
        path, ignore = list_spec(spec)
        hl = load_list(path, fmt=fmt, ignore=ignore)
        base, n = hl.name, 2
        while hl.name in names:  # two files with the same stem stay distinguishable
            hl.name, n = f"{base}-{n}", n + 1
        names.add(hl.name)
        lists.append(hl)
    return lists


def build_matcher(
    lists: Sequence[HashList],
    distance: int = DEFAULT_DISTANCE,
    dihedral: bool = False,
    min_quality: int = PDQ_MIN_QUALITY,
) -> Matcher:
    return Matcher(lists, distance=distance, dihedral=dihedral, min_quality=min_quality)


def scan_paths(
    paths: Sequence[str | Path],
    out: str | Path,
    lists: Sequence[HashList],
    distance: int = DEFAULT_DISTANCE,
    dihedral: bool = False,
    resume: bool = True,
) -> Summary:
    return scan(paths, out, build_matcher(lists, distance, dihedral), resume=resume)


__all__ = [
    "DEFAULT_DISTANCE",
    "HASHERS",
    "IMPORTERS",
    "PDQ_MIN_QUALITY",
    "FileResult",
    "HashList",
    "ListFormatError",
    "Matcher",
    "Summary",
    "get_hasher",
    "hash_file",
    "hash_paths",
    "load_list",
    "load_lists",
    "parse_list",
    "read_results",
    "scan",
    "scan_paths",
    "to_vics",
    "write_vics",
]
