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

from heroes.media.hashers import HASHERS, PDQ_MIN_QUALITY, HashValue, StreamingHasher
from heroes.media.hashlists import HashList
from heroes.media.index import PDQ_BYTES, ExactIndex, PdqIndex, hex_to_codes
from heroes.media.vpdq import parse_frames

DEFAULT_DISTANCE = 31
VPDQ_QUERY_MATCH_PERCENT = 80.0  # python-threatexchange's default
INDEX_FORMAT = "heroes.media.index"
INDEX_VERSION = 1


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
    """All lists of one scan, indexed once."""

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
        self.distance = distance
        self.dihedral = dihedral
        self.min_quality = min_quality
        self.vpdq_match_percent = vpdq_match_percent
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
        self._build(values, rows)

    # -- building ---------------------------------------------------------------------------
    def _build(self, values: dict[str, list[str]], rows: dict[str, list[int]]) -> None:
        self.exact: dict[str, ExactIndex] = {}
        for name, hasher in HASHERS.items():
            if isinstance(hasher, StreamingHasher) and values.get(name):
                self.exact[name] = ExactIndex.from_hex(values[name], np.array(rows[name]), hasher.digest_size)
        self.pdq_rows = np.array(rows.get("pdq", []), dtype=np.int64)
        self.pdq = PdqIndex(hex_to_codes(values.get("pdq", []), PDQ_BYTES))
        # vPDQ: every usable frame of every list video in one PDQ index.
        frame_codes: list[str] = []
        frame_row: list[int] = []
        self.vpdq_frames: dict[int, int] = {}
        self.vpdq_ref: dict[int, str] = {}
        for value, row in zip(values.get("vpdq", []), rows.get("vpdq", []), strict=False):
            unique = {f.pdq for f in parse_frames(value) if f.quality >= self.min_quality}
            self.vpdq_frames[row] = len(unique)
            self.vpdq_ref[row] = hashlib.sha256(value.encode()).hexdigest()
            for pdq in sorted(unique):
                frame_codes.append(pdq)
                frame_row.append(row)
        self.vpdq_frame_row = np.array(frame_row, dtype=np.int64)
        self.vpdq = PdqIndex(hex_to_codes(frame_codes, PDQ_BYTES))

    def __len__(self) -> int:
        return len(self.row_list)

    def _describe(self, row: int, hash_type: str, value: str, distance: int, **extra: Any) -> Match:
        return Match(
            list=self.list_names[self.row_list[row]],
            hash_type=hash_type,
            hash=value,
            category=self.categories[self.row_cat[row]],
            distance=distance,
            perceptual=HASHERS[hash_type].match != "exact",
            extra=extra,
        )

    def _ignored(self, row: int) -> bool:
        return bool(self.list_ignore[int(self.row_list[row])])

    # -- matching ---------------------------------------------------------------------------
    def match(self, hashes: dict[str, HashValue], pdq_variants: Iterable[str] = ()) -> Outcome:
        return self.match_many([(hashes, list(pdq_variants))])[0]

    def match_many(self, files: Sequence[tuple[dict[str, HashValue], Sequence[str]]]) -> list[Outcome]:
        """Match many files at once: their PDQ hashes go to the index in one query batch."""
        found: list[list[tuple[int, Match]]] = [[] for _ in files]
        for i, (hashes, _variants) in enumerate(files):
            for name, index in self.exact.items():
                hv = hashes.get(name)
                if hv is not None:
                    found[i].extend((r, self._describe(r, name, hv.value, 0)) for r in index.lookup(hv.value))
        self._match_pdq_batch(files, found)
        for i, (hashes, _variants) in enumerate(files):
            vpdq = hashes.get("vpdq")
            if vpdq is not None and len(self.vpdq):
                found[i].extend(self._match_vpdq(vpdq))
        return [self._apply_ignore(f) for f in found]

    def _match_pdq_batch(
        self, files: Sequence[tuple[dict[str, HashValue], Sequence[str]]], found: list[list[tuple[int, Match]]]
    ) -> None:
        if not len(self.pdq):
            return
        queries: list[str] = []
        owner: list[int] = []
        for i, (hashes, variants) in enumerate(files):
            pdq = hashes.get("pdq")
            if pdq is None or (pdq.quality or 0) < self.min_quality:
                continue
            for value in dict.fromkeys([pdq.value, *variants]):
                queries.append(value)
                owner.append(i)
        if not queries:
            return
        best: dict[int, dict[int, int]] = defaultdict(dict)
        for i, hits in zip(owner, self.pdq.search(hex_to_codes(queries, PDQ_BYTES), self.distance), strict=True):
            for row, d in hits:
                best[i][row] = min(d, best[i].get(row, 10**6))
        for i, rows in best.items():
            for index_row, d in sorted(rows.items(), key=lambda kv: kv[1]):
                row = int(self.pdq_rows[index_row])
                value = self.pdq.codes[index_row].tobytes().hex()
                found[i].append((row, self._describe(row, "pdq", value, int(d))))

    def _match_vpdq(self, hv: HashValue) -> list[tuple[int, Match]]:
        frames = hv.frames or parse_frames(hv.value)
        query = sorted({f.pdq for f in frames if f.quality >= self.min_quality})
        if not query:
            return []
        hits = self.vpdq.search(hex_to_codes(query, PDQ_BYTES), self.distance)
        q_hit: dict[int, set[int]] = defaultdict(set)
        t_hit: dict[int, set[int]] = defaultdict(set)
        dists: dict[int, list[int]] = defaultdict(list)
        for qi, frame_hits in enumerate(hits):
            for fi, d in frame_hits:
                row = int(self.vpdq_frame_row[fi])
                q_hit[row].add(qi)
                t_hit[row].add(fi)
                dists[row].append(int(d))
        out = []
        for row, qs in q_hit.items():
            q_pct = 100.0 * len(qs) / len(query)
            if q_pct < self.vpdq_match_percent:
                continue
            c_pct = 100.0 * len(t_hit[row]) / max(1, self.vpdq_frames[row])
            match = self._describe(
                row,
                "vpdq",
                self.vpdq_ref[row],
                round(sum(dists[row]) / len(dists[row])),
                query_match_percent=round(q_pct, 1),
                compared_match_percent=round(c_pct, 1),
            )
            out.append((row, match))
        return out

    def _apply_ignore(self, found: list[tuple[int, Match]]) -> Outcome:
        exact_ignore = {m.list for r, m in found if self._ignored(r) and not m.perceptual}
        near_ignore = {m.list for r, m in found if self._ignored(r) and m.perceptual}
        if exact_ignore:
            return Outcome([], sorted(exact_ignore | near_ignore))
        kept = [m for r, m in found if not self._ignored(r) and not (near_ignore and m.perceptual)]
        return Outcome(kept, sorted(near_ignore))

    # -- persistence (NPZ, no pickle) -------------------------------------------------------
    def save(self, path: str | Path) -> None:
        arrays: dict[str, np.ndarray] = {
            "row_list": self.row_list,
            "row_cat": self.row_cat,
            "pdq_codes": self.pdq.codes,
            "pdq_rows": self.pdq_rows,
            "vpdq_codes": self.vpdq.codes,
            "vpdq_frame_row": self.vpdq_frame_row,
            "vpdq_rows": np.array(sorted(self.vpdq_frames), dtype=np.int64),
        }
        vrows = arrays["vpdq_rows"].tolist()
        arrays["vpdq_nframes"] = np.array([self.vpdq_frames[r] for r in vrows], dtype=np.int64)
        for name, ex in self.exact.items():
            arrays[f"exact_{name}_keys"] = ex.keys.view(np.uint8).reshape(len(ex.keys), -1)
            arrays[f"exact_{name}_rows"] = ex.rows
        meta = {
            "format": INDEX_FORMAT,
            "version": INDEX_VERSION,
            "lists": self.list_names,
            "ignore": self.list_ignore,
            "categories": self.categories,
            "exact": sorted(self.exact),
            "vpdq_ref": [self.vpdq_ref[r] for r in vrows],
            "sha256": _checksum(arrays),
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
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
            raise ValueError(f"{path}: not a media index of version {INDEX_VERSION}")
        if meta["sha256"] != _checksum(arrays):
            raise ValueError(f"{path}: checksum mismatch, the index file is damaged")
        self = cls.__new__(cls)
        self.distance, self.dihedral, self.min_quality = distance, dihedral, min_quality
        self.vpdq_match_percent = VPDQ_QUERY_MATCH_PERCENT
        self.list_names, self.list_ignore = meta["lists"], meta["ignore"]
        self.categories = meta["categories"]
        self.row_list, self.row_cat = arrays["row_list"], arrays["row_cat"]
        self.exact = {}
        for name in meta["exact"]:
            keys = arrays[f"exact_{name}_keys"]
            ex = ExactIndex.__new__(ExactIndex)
            ex.keys = np.ascontiguousarray(keys).view(f"S{keys.shape[1]}").ravel()
            ex.rows = arrays[f"exact_{name}_rows"]
            self.exact[name] = ex
        self.pdq_rows = arrays["pdq_rows"]
        self.pdq = PdqIndex(arrays["pdq_codes"])
        self.vpdq = PdqIndex(arrays["vpdq_codes"])
        self.vpdq_frame_row = arrays["vpdq_frame_row"]
        vrows = arrays["vpdq_rows"].tolist()
        self.vpdq_frames = dict(zip(vrows, arrays["vpdq_nframes"].tolist(), strict=False))
        self.vpdq_ref = dict(zip(vrows, meta["vpdq_ref"], strict=False))
        return self


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for name in sorted(arrays):
        h.update(name.encode())
        buf = io.BytesIO()
        np.save(buf, arrays[name], allow_pickle=False)
        h.update(buf.getvalue())
    return h.hexdigest()
