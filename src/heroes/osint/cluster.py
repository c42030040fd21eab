"""Link ads into the networks that post them: shared contacts, shared photos, shared text templates.

The text stage follows InfoShield (Lee et al., ICDE 2021): a fast candidate stage, then a precise
stage that keeps a candidate only when a template explains it, judged by description length (MDL).

1. Per ad, in parallel through the platform's fan-out: contacts (``find_contacts``) and the words of
   the text with contacts masked.
2. Candidates: TF-IDF of word 1-2 grams (hashed, so memory does not grow with the vocabulary); each ad
   keeps its ``neighbours`` nearest ads by cosine at or above ``min_cosine``, found by sparse matrix
   products one block of rows at a time.
3. Precise stage, in parallel: for a candidate pair, one ad is the template and the other is encoded as
   template + edits (the aligned runs cost a header each; every word outside the template costs what it
   costs alone, its unigram code length in the collection). The link holds when that saves at least
   ``min_saving_bits`` over encoding the ad alone, in the better direction. Common words are cheap, so
   shared boilerplate saves little; a shared run of rare words (a business's own wording) saves much.

Ads sharing a contact, a photo (PDQ within ``image_distance`` bits) or a verified template are joined
(union-find); a cluster's template is then refined over its text-linked members by progressive
multiple alignment to a consensus (``templates_align``).
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz.distance import Indel
from scipy import sparse

from heroes.core.fanout import FanOut, InlineFanOut
from heroes.osint.ads import Ad
from heroes.osint.contacts import find_contacts
from heroes.osint.places import region_of
from heroes.osint.templates_align import Template, template_of

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
CONTACT_MARK = "<contact>"
HASH_FEATURES = 2**20
BLOCK_ROWS = 1000  # rows of the similarity matrix held at once
SLICE = 50_000  # ads per features pass and pairs per verification pass: bounds the driver's memory
# Words the coder can name beyond those seen: a small collection still pays for a word what a language
# would, so a shared template saves bits in ten ads as in a million.
PRIOR_VOCABULARY = 2**16
TEMPLATE_MEMBERS = 200


@dataclass(frozen=True)
class ClusterParams:
    # Tuned on one half of the development ads split by group (benchmarks/osint/RESULTS.md).
    seed: int = 1  # kept for the CLI contract; every stage is deterministic
    neighbours: int = 10
    min_cosine: float = 0.2
    min_saving_bits: float = 100.0
    # A text link between two ads that each give contacts, none shared, joins two posters' networks:
    # it needs a far larger saving, or text links chain every contact group into one (tuned likewise).
    cross_contact_bits: float = 1600.0
    min_similarity: float = 0.0  # an optional floor on the share of aligned words as well
    min_tokens: int = 3
    max_df: float = 0.5  # words in more than this share of the ads carry no linking signal
    max_df_ads: int = 5000  # nor words in more ads than this (keeps the products sparse at scale)
    image_distance: int = 31  # PDQ bits; 31 is the published match threshold
    region: str = "US"  # for ads whose location names no known market or country
    use_contacts: bool = True
    use_text: bool = True
    use_images: bool = True


@dataclass(frozen=True)
class AdFeatures:
    contacts: tuple[tuple[str, str], ...]
    tokens: tuple[str, ...]
    images: tuple[str, ...] = ()  # PDQ hashes: given with the ad, or of its picture files


@dataclass
class Clustering:
    ids: list[str]
    cluster: list[str]
    reasons: list[list[str]]
    templates: dict[str, Template] = field(default_factory=dict)
    members: dict[str, list[int]] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"id": i, "cluster": c, "reasons": r} for i, c, r in zip(self.ids, self.cluster, self.reasons, strict=True)
        ]


def tokenize(text: str, spans: Sequence[tuple[int, int]] = ()) -> list[str]:
    """Lower-case words, each contact replaced by one mark (its value is a contact link, not text)."""
    pieces = []
    last = 0
    for start, end in sorted(spans):
        if start < last:
            continue
        pieces.append(text[last:start])
        pieces.append(f" {CONTACT_MARK} ")
        last = end
    pieces.append(text[last:])
    masked = "".join(pieces).lower()
    return [w if w != "contact" else CONTACT_MARK for w in (m.group() for m in WORD.finditer(masked))]


def _image_hashes(ad: Ad) -> tuple[str, ...]:
    hashes = list(ad.image_hashes)
    if ad.images:
        from pathlib import Path

        from heroes.osint.images import pdq_of_file

        hashes += [h for h in (pdq_of_file(Path(p)) for p in ad.images) if h]
    return tuple(dict.fromkeys(hashes))


def features_chunk(chunk: Sequence[Ad], params: ClusterParams) -> list[AdFeatures]:
    out = []
    for ad in chunk:
        body = ad.body
        region = region_of(ad.location, params.region)  # a Madrid ad's numbers are Spanish
        found = find_contacts(body, region=region) if params.use_contacts else []
        tokens = tokenize(body, [(e.start, e.end) for e in found])
        out.append(
            AdFeatures(
                tuple((e.kind, e.value) for e in found),
                tuple(tokens),
                _image_hashes(ad) if params.use_images else (),
            )
        )
    return out


Unit = tuple[int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # ads, word ids, word costs


def saving_bits(template: Sequence[str], ad: Sequence[str], costs: np.ndarray) -> float:
    """Bits saved by encoding ``ad`` as ``template`` plus edits instead of alone: the words of aligned
    runs come free, and every run (kept, inserted or dropped) pays a header naming its kind and length."""
    saved = 0.0
    runs = 0
    for op in Indel.opcodes(template, ad):
        runs += 1
        if op.tag == "equal":
            saved += float(costs[op.dest_start : op.dest_end].sum())
    return saved - runs * (math.log2(3) + math.log2(len(template) + 1))


def verify_chunk(chunk: Sequence[Unit], min_bits: float, min_similarity: float = 0.0) -> list[float]:
    """The MDL saving of each candidate pair in its better direction; 0.0 where the link does not hold."""
    out = []
    for _, _, ids_a, ids_b, cost_a, cost_b in chunk:
        a, b = ids_a.tolist(), ids_b.tolist()
        bits = max(saving_bits(a, b, cost_b), saving_bits(b, a, cost_a))
        ok = bits >= min_bits and (min_similarity <= 0 or Indel.normalized_similarity(a, b) >= min_similarity)
        out.append(round(bits, 3) if ok else 0.0)
    return out


def word_costs(words: Sequence[np.ndarray], vocabulary_size: int) -> np.ndarray:
    """Each word's code length alone: -log2 of its unigram probability in this collection, smoothed
    over ``PRIOR_VOCABULARY`` possible words; indexed by word id."""
    counts = np.bincount(np.concatenate([*words, np.zeros(0, dtype=np.int32)]), minlength=vocabulary_size)
    total = math.log2(float(counts.sum()) + PRIOR_VOCABULARY)
    costs: np.ndarray = total - np.log2(counts + 1.0)
    return costs


def _hashed_grams(ids: np.ndarray) -> np.ndarray:
    """Feature numbers of an ad's words and word pairs (a fixed hash, the same in every process)."""
    a = ids.astype(np.int64)
    unigrams = (a * 0x9E3779B1 + 1) & (HASH_FEATURES - 1)
    bigrams = ((a[:-1] * 0x9E3779B1) ^ (a[1:] * 0x85EBCA6B + 7)) & (HASH_FEATURES - 1)
    return np.concatenate([unigrams, bigrams])


def tfidf_matrix(words: Sequence[np.ndarray], params: ClusterParams) -> sparse.csr_matrix:
    """Rows of l2-normalised TF-IDF (sublinear tf, smoothed idf) over hashed word 1-2 grams; ads with
    fewer than ``min_tokens`` words are empty rows. Built a slice of ads at a time, in float32."""
    n = len(words)
    parts = []
    for start in range(0, n, SLICE):
        chunk = words[start : start + SLICE]
        grams = [_hashed_grams(ids) if len(ids) >= params.min_tokens else np.zeros(0, np.int64) for ids in chunk]
        rows = np.repeat(np.arange(len(chunk), dtype=np.int32), [len(g) for g in grams])
        cols = np.concatenate([*grams, np.zeros(0, np.int64)]).astype(np.int32)
        part = sparse.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(len(chunk), HASH_FEATURES)
        )
        part.sum_duplicates()
        parts.append(part)
    matrix = sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, HASH_FEATURES), dtype=np.float32)
    df = np.bincount(matrix.indices, minlength=HASH_FEATURES)
    limit = max(50.0, min(params.max_df * n, float(params.max_df_ads)))  # only where there are many ads
    keep = (df <= limit).astype(np.float32)
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32) * keep
    matrix.data = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
    matrix.eliminate_zeros()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    # Scaled in place: the same float32 products as multiplying by a diagonal matrix, without a second
    # copy of the matrix (gigabytes at a million ads).
    matrix.data *= np.repeat((1.0 / norms).astype(np.float32), np.diff(matrix.indptr))
    _reverse_rows(matrix)
    return matrix


def _reverse_rows(matrix: sparse.csr_matrix) -> None:
    """Reverse the order of the entries within each row, in place, a slice of rows at a time.

    The similarities sum a row's entries in their stored order, so the order decides the last bit of
    a float32 cosine. The product by a diagonal matrix this replaces left each row's entries in
    descending column order; keeping that order keeps every similarity, and so every link, the same.
    """
    indptr = matrix.indptr
    for first in range(0, matrix.shape[0], SLICE):
        last = min(matrix.shape[0], first + SLICE)
        lo, hi = int(indptr[first]), int(indptr[last])
        if hi == lo:
            continue
        lengths = np.diff(indptr[first : last + 1]).astype(np.int64)
        starts = np.repeat(indptr[first:last].astype(np.int64), lengths)
        ends = starts + np.repeat(lengths, lengths)
        order = starts + ends - 1 - np.arange(lo, hi, dtype=np.int64)
        matrix.data[lo:hi] = matrix.data[order]
        matrix.indices[lo:hi] = matrix.indices[order]
    matrix.has_sorted_indices = False


def neighbours_chunk(
    starts: Sequence[int],
    matrix: sparse.csr_matrix,
    transposed: sparse.csr_matrix,
    neighbours: int,
    min_cosine: float,
) -> list[np.ndarray]:
    """For each block of ``BLOCK_ROWS`` rows from a start: every row's nearest ads, as (i, j) pairs with
    i < j in an int64 array of two columns. Blocks are independent, so they fan out to any runner."""
    out = []
    for start in starts:
        block = (matrix[start : start + BLOCK_ROWS] @ transposed).tocsr()
        found = []
        for row in range(block.shape[0]):
            i = start + row
            lo, hi = block.indptr[row], block.indptr[row + 1]
            cols, sims = block.indices[lo:hi], block.data[lo:hi]
            mask = (sims >= min_cosine) & (cols != i)
            cols, sims = cols[mask], sims[mask]
            if not len(cols):
                continue
            # Nearest first; ties by index so the pairs never depend on the order of the sparse entries.
            order = np.lexsort((cols, -np.round(sims, 5)))[:neighbours]
            nearest = cols[order].astype(np.int64)
            found.append(np.stack([np.minimum(nearest, i), np.maximum(nearest, i)], axis=1))
        del block
        out.append(np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64))
    return out


def candidate_pairs(
    words: Sequence[np.ndarray],
    params: ClusterParams,
    progress: Callable[[int, int], None] | None = None,
    fan: FanOut[Any, Any] | None = None,
) -> list[tuple[int, int]]:
    """Each ad's ``neighbours`` nearest ads by TF-IDF cosine (at least ``min_cosine``), as sorted pairs.

    The blocks of rows run on the fan-out: on Ray the two matrices go to the object store once and
    every worker reads them in place; a process pool is sent them with each chunk, so it gets few."""
    n = len(words)
    if n < 2:
        return []
    fan = fan or InlineFanOut()
    matrix = tfidf_matrix(words, params)
    transposed = matrix.T.tocsr()
    starts = list(range(0, n, BLOCK_ROWS))
    find = functools.partial(
        neighbours_chunk,
        matrix=matrix,
        transposed=transposed,
        neighbours=params.neighbours,
        min_cosine=params.min_cosine,
    )
    report = (lambda done, total: progress(min(n, done * BLOCK_ROWS), n)) if progress else None
    pairs: set[tuple[int, int]] = set()
    chunk_size = max(1, math.ceil(len(starts) / (fan.workers * 4)))
    for found in fan.imap_chunks(find, starts, chunk_size=chunk_size, progress=report):
        pairs.update((a, b) for a, b in found.tolist())
    return sorted(pairs)


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the smaller index roots: independent of order


def image_pairs(hashes: Sequence[Sequence[str]], max_distance: int) -> list[tuple[int, int, str]]:
    """Ads whose PDQ hashes are within ``max_distance`` bits. With 32 one-byte bands, two hashes
    differing in at most 31 bits share a band, so the bands find every such pair."""
    bands: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    values: list[tuple[int, int, str]] = []
    for ad, ad_hashes in enumerate(hashes):
        for h in ad_hashes:
            if len(h) != 64:
                continue
            try:
                number = int(h, 16)
            except ValueError:
                continue
            slot = len(values)
            values.append((ad, number, h))
            for band in range(32):
                bands[(band, h[band * 2 : band * 2 + 2])].append((slot, ad))
    found: dict[tuple[int, int], str] = {}
    for members in bands.values():
        if len(members) > 1000:  # a flat picture shared by everything links nothing
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                (sa, a), (sb, b) = members[x], members[y]
                if a == b:
                    continue
                if (values[sa][1] ^ values[sb][1]).bit_count() <= max_distance:
                    key = (min(a, b), max(a, b))
                    found.setdefault(key, values[sa][2] if a < b else values[sb][2])
    return sorted((a, b, h) for (a, b), h in found.items())


@dataclass
class Corpus:
    """What the linking keeps of each ad: compact enough for a million ads in one process."""

    contacts: list[tuple[tuple[str, str], ...]]
    images: list[tuple[str, ...]]
    words: list[np.ndarray]  # int32 word ids, in text order
    vocabulary: list[str]


def _features(
    ads: Sequence[Ad], params: ClusterParams, fan: FanOut[Any, Any], progress: Callable[[int, int], None] | None
) -> Corpus:
    """Per-ad features from the fan-out, a slice of ads at a time; words become ids as they arrive."""
    index: dict[str, int] = {}
    corpus = Corpus([], [], [], [])
    n = len(ads)
    for start in range(0, n, SLICE):
        report = (lambda d, t, s=start: progress(s + d, n)) if progress else None  # type: ignore[misc]
        part: list[AdFeatures] = fan.map_chunks(
            functools.partial(features_chunk, params=params), list(ads[start : start + SLICE]), progress=report
        )
        for f in part:
            corpus.contacts.append(f.contacts)
            corpus.images.append(f.images)
            ids = (index.setdefault(w, len(index)) for w in f.tokens)
            corpus.words.append(np.fromiter(ids, dtype=np.int32, count=len(f.tokens)))
        del part
    corpus.vocabulary = list(index)  # dicts keep insertion order: position = id
    return corpus


def cluster_ads(
    ads: Sequence[Ad],
    params: ClusterParams | None = None,
    fan: FanOut[Any, Any] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Clustering:
    params = params or ClusterParams()
    fan = fan or InlineFanOut()
    n = len(ads)

    def stage(name: str) -> Callable[[int, int], None] | None:
        return (lambda done, total: progress(name, done, total)) if progress else None

    corpus = _features(ads, params, fan, stage("features"))
    union = UnionFind(n)
    reasons: list[set[str]] = [set() for _ in range(n)]

    if params.use_contacts:
        owners: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, contacts in enumerate(corpus.contacts):
            for contact in contacts:
                owners[contact].append(i)
        for (kind, value), holders in owners.items():
            if len(holders) < 2:
                continue
            for i in holders:
                reasons[i].add(f"{kind}:{value}")
                union.union(holders[0], i)
        del owners

    if params.use_images:
        for a, b, h in image_pairs(corpus.images, params.image_distance):
            union.union(a, b)
            reasons[a].add(f"image:{h}")
            reasons[b].add(f"image:{h}")

    text_links: dict[int, list[int]] = defaultdict(list)
    if params.use_text:
        words = corpus.words
        pairs = candidate_pairs(words, params, stage("candidates"), fan)
        costs = word_costs(words, len(corpus.vocabulary))
        verify = functools.partial(verify_chunk, min_bits=params.min_saving_bits, min_similarity=params.min_similarity)
        done = stage("templates")
        for start in range(0, len(pairs), SLICE):
            part = pairs[start : start + SLICE]
            units: list[Unit] = [(i, j, words[i], words[j], costs[words[i]], costs[words[j]]) for i, j in part]
            report = (lambda d, t, s=start: done(s + d, len(pairs))) if done else None  # type: ignore[misc]
            scores = fan.map_chunks(verify, units, progress=report)
            del units
            for (i, j), score in zip(part, scores, strict=True):
                mine, theirs = corpus.contacts[i], corpus.contacts[j]
                if score <= 0 or (
                    mine and theirs and not set(mine) & set(theirs) and score < params.cross_contact_bits
                ):
                    continue
                union.union(i, j)
                text_links[i].append(j)
                text_links[j].append(i)
                reasons[i].add(f"template:{ads[j].id}")
                reasons[j].add(f"template:{ads[i].id}")

    roots: dict[int, str] = {}
    cluster = []
    members: dict[str, list[int]] = defaultdict(list)
    for i in range(n):
        root = union.find(i)
        name = roots.setdefault(root, f"c{len(roots) + 1:06d}")
        cluster.append(name)
        members[name].append(i)

    templates: dict[str, Template] = {}
    for name, idx in members.items():
        linked = [i for i in idx if text_links.get(i)]
        if len(linked) < 2:
            continue
        # Refined over the group (progressive alignment); past a few hundred ads it no longer changes,
        # so big clusters use their first ``TEMPLATE_MEMBERS`` text-linked ads.
        linked = linked[:TEMPLATE_MEMBERS]
        base = max(range(len(linked)), key=lambda k: (len(text_links[linked[k]]), -linked[k]))
        vocabulary = corpus.vocabulary
        templates[name] = template_of([[vocabulary[k] for k in corpus.words[i]] for i in linked], base)

    return Clustering(
        ids=[ad.id for ad in ads],
        cluster=cluster,
        reasons=[_ordered(r) for r in reasons],
        templates=templates,
        members=dict(members),
    )


def _ordered(reasons: set[str]) -> list[str]:
    order = {"phone": 0, "email": 1, "handle": 2, "url": 3, "image": 4, "template": 9}
    return sorted(reasons, key=lambda r: (order.get(r.split(":", 1)[0], 5), r))
