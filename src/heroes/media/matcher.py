"""Match a file's hashes against every loaded list, and explain each match.

A match names its list, the hash type, the list's hash, the list's category and the distance
(0 for exact hashes, Hamming bits for PDQ, mean bits over matched frames for vPDQ).

Ignore lists (known-innocent files) work conservatively: an *exact* hit on an ignore list
suppresses every match of that file (it is the very same file); a *perceptual* hit on an ignore
list only suppresses perceptual matches, so a look-alike of an innocent picture can never hide
an exact hit on a known-abuse list.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from heroes.media.hashers import HASHERS, PDQ_MIN_QUALITY, HashValue
from heroes.media.hashlists import HashList
from heroes.media.index import MatchSettings, Query, TypeIndex

DEFAULT_DISTANCE = 31
VPDQ_QUERY_MATCH_PERCENT = 80.0  # python-threatexchange's default
INDEX_FORMAT = "heroes.media.index"
INDEX_VERSION = 2  # 2: one set of arrays per hash type, as its hasher saves them


@dataclass
class Match:
    list: str
    hash_type: str
    hash: str
    category: str
    distance: int
    perceptual: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "list": self.list,
            "hash_type": self.hash_type,
            "hash": self.hash,
            "category": self.category,
            "distance": self.distance,
        }
        out.update(self.extra)
        return out


@dataclass
class Outcome:
    matches: list[Match]
    ignored_by: list[str]


class Matcher:
    """All lists of one scan, indexed once: one index per hash type, built by that type's hasher."""

    def __init__(
        self,
        lists: Sequence[HashList] = (),
        distance: int = DEFAULT_DISTANCE,
        dihedral: bool = False,
        min_quality: int = PDQ_MIN_QUALITY,
        vpdq_match_percent: float = VPDQ_QUERY_MATCH_PERCENT,
    ) -> None:
        if not 0 <= distance <= 128:
            raise ValueError("PDQ distance must be between 0 and 128 bits")
        self.dihedral = dihedral
        self.settings = MatchSettings(distance, min_quality, vpdq_match_percent)
        self.list_names: list[str] = []
        self.list_ignore: list[bool] = []
        self.categories: list[str] = []
        cat_ids: dict[str, int] = {}
        row_list: list[int] = []
        row_cat: list[int] = []
        values: dict[str, list[str]] = defaultdict(list)
        rows: dict[str, list[int]] = defaultdict(list)
        for li, hl in enumerate(lists):
            self.list_names.append(hl.name)
            self.list_ignore.append(hl.ignore)
            for e in hl.entries:
                if e.category not in cat_ids:
                    cat_ids[e.category] = len(self.categories)
                    self.categories.append(e.category)
                rows[e.hash_type].append(len(row_list))
                values[e.hash_type].append(e.value)
                row_list.append(li)
                row_cat.append(cat_ids[e.category])
        self.row_list = np.array(row_list, dtype=np.int32)
        self.row_cat = np.array(row_cat, dtype=np.int32)
        self.indexes: dict[str, TypeIndex] = {
            name: hasher.build_index(values[name], np.array(rows[name], dtype=np.int64), self.settings)
            for name, hasher in HASHERS.items()  # registry order: exact hashes first, as listed
            if values.get(name)
        }

    @property
    def distance(self) -> int:
        return self.settings.distance

    @property
    def min_quality(self) -> int:
        return self.settings.min_quality

    def __len__(self) -> int:
        return len(self.row_list)

    def _describe(self, row: int, hash_type: str, value: str, distance: int, **extra: Any) -> Match:
        return Match(
            list=self.list_names[self.row_list[row]],
            hash_type=hash_type,
            hash=value,
            category=self.categories[self.row_cat[row]],
            distance=distance,
            perceptual=HASHERS[hash_type].perceptual,
            extra=extra,
        )

    def _ignored(self, row: int) -> bool:
        return bool(self.list_ignore[int(self.row_list[row])])

    # -- matching ---------------------------------------------------------------------------
    def match(self, hashes: dict[str, HashValue], variants: Iterable[str] = ()) -> Outcome:
        """``variants``: further forms of the file's perceptual hash (rotations, flips) to look up."""
        return self.match_many([(hashes, list(variants))])[0]

    def match_many(self, files: Sequence[tuple[dict[str, HashValue], Sequence[str]]]) -> list[Outcome]:
        """Match many files at once: each type's index answers for all of them in one batch."""
        queries = [Query(hashes, tuple(variants)) for hashes, variants in files]
        found: list[list[tuple[int, Match]]] = [[] for _ in files]
        for name, index in self.indexes.items():
            for i, hits in enumerate(index.search(queries, self.settings)):
                found[i].extend((h.row, self._describe(h.row, name, h.value, h.distance, **h.extra)) for h in hits)
        return [self._apply_ignore(f) for f in found]

    def _apply_ignore(self, found: list[tuple[int, Match]]) -> Outcome:
        exact_ignore = {m.list for r, m in found if self._ignored(r) and not m.perceptual}
        near_ignore = {m.list for r, m in found if self._ignored(r) and m.perceptual}
        if exact_ignore:
            return Outcome([], sorted(exact_ignore | near_ignore))
        kept = [m for r, m in found if not self._ignored(r) and not (near_ignore and m.perceptual)]
        return Outcome(kept, sorted(near_ignore))

    # -- persistence (NPZ, no pickle) -------------------------------------------------------
    def save(self, path: str | Path) -> None:
        arrays: dict[str, np.ndarray] = {"row_list": self.row_list, "row_cat": self.row_cat}
        index_meta: dict[str, Any] = {}
        for name, index in self.indexes.items():
            own, meta = index.to_arrays()
            arrays.update({f"{name}/{key}": value for key, value in own.items()})
            index_meta[name] = meta
        meta_all = {
            "format": INDEX_FORMAT,
            "version": INDEX_VERSION,
            "lists": self.list_names,
            "ignore": self.list_ignore,
            "categories": self.categories,
            "indexes": index_meta,
            "min_quality_at_build": self.min_quality,
            "sha256": _checksum(arrays),
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta_all).encode(), dtype=np.uint8)
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(
        cls,
        path: str | Path,
        distance: int = DEFAULT_DISTANCE,
        dihedral: bool = False,
        min_quality: int = PDQ_MIN_QUALITY,
    ) -> Matcher:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        meta = json.loads(arrays.pop("meta").tobytes())
        if meta.get("format") != INDEX_FORMAT or meta.get("version") != INDEX_VERSION:
            raise ValueError(
                f"{path}: not a media index of version {INDEX_VERSION}; build it again with `heroes media index`"
            )
        if meta["sha256"] != _checksum(arrays):
            raise ValueError(f"{path}: checksum mismatch, the index file is damaged")
        self = cls.__new__(cls)
        self.dihedral = dihedral
        self.settings = MatchSettings(distance, min_quality, VPDQ_QUERY_MATCH_PERCENT)
        self.list_names, self.list_ignore = meta["lists"], meta["ignore"]
        self.categories = meta["categories"]
        self.row_list, self.row_cat = arrays["row_list"], arrays["row_cat"]
        self.indexes = {}
        for name, index_meta in meta["indexes"].items():
            prefix = f"{name}/"
            own = {k.removeprefix(prefix): v for k, v in arrays.items() if k.startswith(prefix)}
            self.indexes[name] = HASHERS[name].load_index(own, index_meta)
        return self


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for name in sorted(arrays):
        h.update(name.encode())
        buf = io.BytesIO()
        np.save(buf, arrays[name], allow_pickle=False)
        h.update(buf.getvalue())
    return h.hexdigest()
