"""Stored sentence vectors for semantic search: each item's text is cut into passages at ingest, each
passage encoded once (heroes.embeddings, multilingual USE v3) and kept as float16 beside its span.

A search encodes only the query and ranks the stored vectors by cosine; the matrix of a case is kept
in memory between searches and reloaded when the case gains or loses passages.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heroes.fca.models import FcaChunk

CHUNK_CHARS = 500  # passage length: a few sentences, what the sentence encoder reads best
MIN_CHARS = 12  # shorter passages carry no meaning worth a vector
MAX_CHUNKS = 200  # per item: the first ~100,000 characters of a long text are searchable by meaning
DTYPE = np.float16
# A case's matrix is held in memory as normalised float32 (one matrix product per query) up to this
# size (about 130,000 passages); larger ones stay float16 and are widened a block at a time.
FLOAT32_CACHE_BYTES = 256 * 1024 * 1024
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")
_PARAGRAPH = re.compile(r"\n[ \t\r]*\n\s*")


def spans(text: str, size: int = CHUNK_CHARS, limit: int = MAX_CHUNKS) -> list[tuple[int, int]]:
    """Character spans of passages of about ``size`` characters, never across a paragraph break and
    cut at sentence ends where possible."""
    out: list[tuple[int, int]] = []
    para_start = 0
    for brk in [*_PARAGRAPH.finditer(text), None]:
        para_end = brk.start() if brk else len(text)
        out.extend(_sentences(text, para_start, para_end, size))
        if len(out) >= limit:
            break
        para_start = brk.end() if brk else len(text)
    return [(s, e) for s, e in out[:limit] if len(text[s:e].strip()) >= MIN_CHARS]


def _sentences(text: str, begin: int, stop: int, size: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = end = -1
    for m in _SENTENCE.finditer(text, begin, stop):
        s, e = m.span()
        if s == e:
            continue
        while e - s > size:  # one very long "sentence": cut it in windows
            if start >= 0:
                out.append((start, end))
                start = -1
            out.append((s, s + size))
            s += size
        if start < 0:
            start = s
        end = e
        if end - start >= size:
            out.append((start, end))
            start = -1
    if start >= 0:
        out.append((start, end))
    return out


def embed(text: str) -> list[tuple[int, int, bytes]]:
    """(start, end, float16 vector bytes) of each passage of the text; run on the workers at ingest."""
    from heroes.embeddings import encode

    cuts = spans(text)
    if not cuts:
        return []
    matrix = encode([text[s:e] for s, e in cuts]).astype(DTYPE)
    return [(s, e, row.tobytes()) for (s, e), row in zip(cuts, matrix, strict=True)]


class _Cache:
    """Per-process LRU of case matrices, keyed by case id and checked against (count, last id)."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.data: OrderedDict[int, tuple[tuple[int, int], np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()

    def get(self, session: Session, case_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(chunk ids, item ids, float16 matrix) of the case's stored passages."""
        stamp = session.execute(
            select(func.count(FcaChunk.id), func.coalesce(func.max(FcaChunk.id), 0)).where(FcaChunk.case_id == case_id)
        ).one()
        key = (int(stamp[0]), int(stamp[1]))
        with self.lock:
            hit = self.data.get(case_id)
            if hit is not None and hit[0] == key:
                self.data.move_to_end(case_id)
                return hit[1], hit[2], hit[3]
        rows = session.execute(
            select(FcaChunk.id, FcaChunk.item_id, FcaChunk.vector)
            .where(FcaChunk.case_id == case_id)
            .order_by(FcaChunk.id)
        ).all()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        items = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        blob = b"".join(r[2] for r in rows)
        matrix = np.frombuffer(blob, dtype=DTYPE).reshape(len(rows), -1) if rows else np.zeros((0, 1), DTYPE)
        if matrix.size * 4 <= FLOAT32_CACHE_BYTES:
            wide = matrix.astype(np.float32)
            matrix = wide / (np.linalg.norm(wide, axis=1, keepdims=True) + 1e-9)
        with self.lock:
            self.data[case_id] = (key, ids, items, matrix)
            self.data.move_to_end(case_id)
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return ids, items, matrix


_cache = _Cache()


def nearest_items(session: Session, case_id: int, query: str, limit: int) -> list[tuple[int, int, float]]:
    """The ``limit`` items of the case with the passages nearest to the query: (item id, its best
    passage's chunk id, cosine), best first. The query is encoded once; the case's matrix is cached."""
    from heroes.embeddings import encode

    chunk_ids, item_ids, matrix = _cache.get(session, case_id)
    if len(chunk_ids) == 0:
        return []
    scores = _cosine(matrix, np.asarray(encode([query])[0], dtype=np.float32))
    k = min(len(scores), max(64, limit * 8))
    while True:
        # Many passages of one item can fill the nearest k: widen k until `limit` items are found.
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        best: dict[int, tuple[int, int, float]] = {}
        for i in top:
            item = int(item_ids[i])
            if item not in best:
                best[item] = (item, int(chunk_ids[i]), float(scores[i]))
                if len(best) >= limit:
                    break
        if len(best) >= limit or k == len(scores):
            return list(best.values())
        k = min(len(scores), k * 4)


def _cosine(matrix: np.ndarray, q: np.ndarray, block: int = 65536) -> np.ndarray:
    """Cosine of every row with q: one product when the rows are normalised float32, else in blocks
    (float16 rows widened a block at a time)."""
    qn = q / (np.linalg.norm(q) + 1e-9)
    if matrix.dtype == np.float32:
        result: np.ndarray = matrix @ qn
        return result
    out = np.empty(len(matrix), dtype=np.float32)
    for start in range(0, len(matrix), block):
        part = matrix[start : start + block].astype(np.float32)
        out[start : start + block] = part @ qn / (np.linalg.norm(part, axis=1) + 1e-9)
    return out


def rows(results: list[tuple[int, int, bytes]], item_id: int, case_id: int) -> list[dict[str, Any]]:
    return [{"item_id": item_id, "case_id": case_id, "start": s, "end": e, "vector": v} for s, e, v in results]
