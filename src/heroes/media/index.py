"""Indexes over hash lists: exact lookups and PDQ near lookups, and the interface every hash
type's index implements (``TypeIndex``: built by its hasher, searched in batches, saved as arrays).

Exact hashes (md5, sha1, sha256, any ``match == "exact"`` hasher) live in sorted numpy byte
arrays: 16-32 bytes per hash, binary search, no Python object per entry.

PDQ hashes live in a multi-index hash built on faiss binary inverted lists (see ``PdqIndex``):
exact, not approximate, like the ``IndexBinaryMultiHash`` python-threatexchange uses, and much
faster on large lists because every probed bucket is scanned contiguously.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import faiss
import numpy as np

if TYPE_CHECKING:
    from heroes.media.hashers import HashValue

PDQ_BYTES = 32


def pin_threads(n: int = 1) -> None:
    """faiss' OpenMP threads. A scan parallelises over files (fan-out workers), so each index
    answers in one thread: left at its default, faiss starts a thread per core for every tiny
    query batch, and under load one query fell to 7-32 per second."""
    faiss.omp_set_num_threads(max(1, n))


@dataclass(frozen=True)
class MatchSettings:
    distance: int = 31  # Hamming bits, inclusive, for perceptual hashes
    min_quality: int = 50  # perceptual hashes (and video frames) of lower quality are not compared
    vpdq_match_percent: float = 80.0


@dataclass(frozen=True)
class Query:
    """One file's hashes, as the matcher hands them to every type's index."""

    hashes: Mapping[str, HashValue]
    variants: Sequence[str] = ()  # extra forms of the perceptual hash (rotations, flips)


@dataclass(frozen=True)
class Hit:
    row: int  # the list entry row
    value: str  # the list's hash (or a reference to it)
    distance: int
    extra: dict[str, Any] = field(default_factory=dict)


class TypeIndex(ABC):
    """The index of one hash type: what it holds, how a file's hashes are looked up in it."""

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def search(self, queries: Sequence[Query], settings: MatchSettings) -> list[list[Hit]]:
        """Hits of each query, in one batch."""

    @abstractmethod
    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Arrays and JSON-able metadata that ``Hasher.load_index`` turns back into this index."""


def hex_to_codes(values: list[str], nbytes: int) -> np.ndarray:
    """Hex strings to an (n, nbytes) uint8 array."""
    if not values:
        return np.zeros((0, nbytes), dtype=np.uint8)
    joined = bytes.fromhex("".join(values))
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(values), nbytes).copy()


class ExactIndex:
    """Sorted fixed-width byte strings; ``rows[i]`` is the entry row of ``keys[i]``."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.rows = rows[order].astype(np.int64)

    @classmethod
    def from_hex(cls, values: list[str], rows: np.ndarray, nbytes: int) -> ExactIndex:
        codes = hex_to_codes(values, nbytes)
        return cls(codes.view(f"S{nbytes}").ravel(), rows)

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, value: str) -> list[int]:
        if not len(self.keys):
            return []
        key = np.array([bytes.fromhex(value)], dtype=self.keys.dtype)
        lo = int(np.searchsorted(self.keys, key, side="left")[0])
        hi = int(np.searchsorted(self.keys, key, side="right")[0])
        return [int(r) for r in self.rows[lo:hi]]


class ExactTypeIndex(TypeIndex):
    """Byte hashes: equal values match (distance 0)."""

    name: ClassVar[str] = "exact"

    def __init__(self, index: ExactIndex, hash_type: str) -> None:
        self.index = index
        self.hash_type = hash_type

    @classmethod
    def build(cls, values: Sequence[str], rows: np.ndarray, nbytes: int, hash_type: str = "") -> ExactTypeIndex:
        return cls(ExactIndex.from_hex(list(values), np.asarray(rows), nbytes), hash_type)

    def __len__(self) -> int:
        return len(self.index)

    def search(self, queries: Sequence[Query], settings: MatchSettings) -> list[list[Hit]]:
        out: list[list[Hit]] = []
        for query in queries:
            hv = query.hashes.get(self.hash_type)
            out.append([Hit(r, hv.value, 0) for r in self.index.lookup(hv.value)] if hv is not None else [])
        return out

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        keys = self.index.keys.view(np.uint8).reshape(len(self.index.keys), -1)
        return {"keys": keys, "rows": self.index.rows}, {}

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], meta: Mapping[str, object], hash_type: str
    ) -> ExactTypeIndex:
        keys = arrays["keys"]
        index = ExactIndex.__new__(ExactIndex)
        index.keys = np.ascontiguousarray(keys).view(f"S{keys.shape[1]}").ravel()
        index.rows = arrays["rows"]
        return cls(index, hash_type)


FLAT_BELOW = 250_000
CHUNKS = 16  # 16-bit chunks of the 256-bit PDQ
FILTER_CHUNKS = 8  # each table keeps 8 other chunks (128 bits) next to the ids, for a lower bound


def _flip_masks(nflip: int) -> np.ndarray:
    """Every 16-bit mask with at most ``nflip`` bits set: the buckets to probe per chunk."""
    masks = [0]
    for k in range(1, nflip + 1):
        for bits in itertools.combinations(range(16), k):
            masks.append(sum(1 << b for b in bits))
    return np.array(masks, dtype=np.int64)


class PdqIndex:
    """Exact Hamming range search over PDQ codes: multi-index hashing on faiss inverted lists.

    The 256 bits are cut into 16 chunks of 16 bits. If two hashes are within ``d`` bits, one
    chunk differs in at most ``d // 16`` bits (pigeonhole), so probing, in each chunk's table,
    the buckets within ``d // 16`` flips of the query's chunk finds *every* hash within ``d``.
    This is the scheme of faiss' ``IndexBinaryMultiHash`` and python-threatexchange's
    ``PDQMultiHashIndex``; here each table is a faiss ``IndexBinaryIVF`` whose 65,536 inverted
    lists are the chunk's values (filled bucket by bucket, probed with
    ``range_search_preassigned``). A list stores, contiguously, 128 other bits of each hash, so
    faiss' fast scan of a bucket yields a lower bound on the distance that rejects unrelated
    hashes without touching the full codes; survivors are checked on all 256 bits.
    Measured against faiss' own MultiHash in benchmarks/media/bench_index.py.
    """

    def __init__(self, codes: np.ndarray, method: str = "auto") -> None:
        if codes.ndim != 2 or codes.shape[1] != PDQ_BYTES or codes.dtype != np.uint8:
            raise ValueError("PDQ codes must be an (n, 32) uint8 array")
        self.codes = np.ascontiguousarray(codes)
        n = len(self.codes)
        self.tables: list[tuple[faiss.IndexBinaryIVF, list[int]]] = []
        # Small lists: a flat scan is exact, builds instantly and answers fast enough.
        self.method = method if method != "auto" else ("flat" if n < FLAT_BELOW else "mih")
        self.flat: faiss.IndexBinaryFlat | None = None
        if self.method == "flat":
            self.flat = faiss.IndexBinaryFlat(PDQ_BYTES * 8)
            if n:
                self.flat.add(self.codes)
            return
        if not n:
            return
        chunks = self.codes.view(">u2")
        for i in range(CHUNKS):
            others = [(i + 1 + k) % CHUNKS for k in range(FILTER_CHUNKS)]
            keys = chunks[:, i]
            order = np.argsort(keys, kind="stable")
            ids = order.astype(np.int64)
            partial = np.ascontiguousarray(chunks[order][:, others]).view(np.uint8).reshape(n, 2 * FILTER_CHUNKS)
            bounds = np.searchsorted(keys[order], np.arange((1 << 16) + 1))
            table = faiss.IndexBinaryIVF(faiss.IndexBinaryFlat(16 * FILTER_CHUNKS), 16 * FILTER_CHUNKS, 1 << 16)
            table.is_trained = True  # lists are assigned by chunk value, not by a trained quantizer
            invlists = table.invlists
            # One add per bucket: each list is allocated at its exact size (adding hash by hash
            # would let every list grow by doubling, up to twice the memory).
            for bucket in np.flatnonzero(np.diff(bounds)).tolist():
                lo, hi = int(bounds[bucket]), int(bounds[bucket + 1])
                invlists.add_entries(bucket, hi - lo, faiss.swig_ptr(ids[lo:hi]), faiss.swig_ptr(partial[lo:hi]))
            table.ntotal = n
            self.tables.append((table, others))
            del order, ids, partial

    def __len__(self) -> int:
        return len(self.codes)

    def search(self, queries: np.ndarray, threshold: int) -> list[list[tuple[int, int]]]:
        """For each query row, [(index row, distance)] of every code within ``threshold``."""
        nq = len(queries)
        if not nq or not len(self):
            return [[] for _ in range(nq)]
        queries = np.ascontiguousarray(queries, dtype=np.uint8)
        if self.flat is not None:
            lims, dist, ids = self.flat.range_search(queries, threshold + 1)
            return [
                list(zip(ids[lims[i] : lims[i + 1]].tolist(), dist[lims[i] : lims[i + 1]].tolist(), strict=True))
                for i in range(nq)
            ]
        qchunks = queries.view(">u2")
        masks = _flip_masks(min(threshold // CHUNKS, 16))
        found_q: list[np.ndarray] = []
        found_i: list[np.ndarray] = []
        for i, (table, others) in enumerate(self.tables):
            probes = qchunks[:, i].astype(np.int64)[:, None] ^ masks[None, :]
            table.nprobe = probes.shape[1]
            partial = np.ascontiguousarray(qchunks[:, others]).view(np.uint8).reshape(nq, 2 * FILTER_CHUNKS)
            lims, _, ids = table.range_search_preassigned(
                partial, threshold + 1, probes, np.zeros(probes.shape, dtype=np.int32)
            )
            found_q.append(np.repeat(np.arange(nq), np.diff(lims).astype(np.int64)))
            found_i.append(ids)
        cq = np.concatenate(found_q)
        ci = np.concatenate(found_i)
        dist = np.bitwise_count(self.codes[ci] ^ queries[cq]).sum(axis=1, dtype=np.int64)
        keep = dist <= threshold
        pairs = np.unique(np.stack([cq[keep], ci[keep], dist[keep]], axis=1), axis=0)
        out: list[list[tuple[int, int]]] = [[] for _ in range(nq)]
        for q, row, d in pairs.tolist():
            out[q].append((row, d))
        return out


class FaissMultiHashIndex:
    """faiss' ``IndexBinaryMultiHash`` as python-threatexchange configures it (16 x 16 bits,
    ``nflip = d // 16``): exact too; kept as the in-run baseline of the benchmark."""

    def __init__(self, codes: np.ndarray) -> None:
        self.index = faiss.IndexBinaryMultiHash(PDQ_BYTES * 8, CHUNKS, PDQ_BYTES * 8 // CHUNKS)
        self.index.add(np.ascontiguousarray(codes))

    def search(self, queries: np.ndarray, threshold: int) -> list[list[tuple[int, int]]]:
        self.index.nflip = threshold // CHUNKS
        lims, dist, ids = self.index.range_search(np.ascontiguousarray(queries), threshold + 1)
        return [
            list(zip(ids[lims[i] : lims[i + 1]].tolist(), dist[lims[i] : lims[i + 1]].tolist(), strict=True))
            for i in range(len(queries))
        ]


def brute_force_search(codes: np.ndarray, queries: np.ndarray, threshold: int) -> list[list[tuple[int, int]]]:
    """Reference search: popcount of XOR against every code (numpy only)."""
    table = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1)
    out = []
    for q in queries:
        d = table[np.bitwise_xor(codes, q)].sum(axis=1, dtype=np.int32)
        hits = np.nonzero(d <= threshold)[0]
        out.append([(int(i), int(d[i])) for i in hits])
    return out
