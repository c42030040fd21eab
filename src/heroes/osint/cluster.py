"""Link ads into the networks that post them: shared contacts, shared photos, shared text templates.

Three stages, each the same on every runner:

1. Per ad, in parallel through the platform's fan-out: contacts (``find_contacts``), the words of the
   text with contacts masked, and a MinHash signature of its word shingles (datasketch, fixed seed).
2. Candidates for text links: MinHash LSH buckets (datasketch); each ad keeps its nearest
   ``max_candidates`` bucket mates by id order, so a large template cannot explode into all pairs.
3. Precise stage, in parallel: each candidate pair is aligned word by word; it is linked when the
   aligned share of words reaches ``min_similarity`` and both texts are long enough to be a template.

Ads sharing a contact, a photo (PDQ within ``image_distance`` bits) or a verified template are joined
(union-find); a cluster's template is then found by aligning its members (``templates_align``).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from heroes.core.fanout import FanOut, InlineFanOut
from heroes.osint.ads import Ad
from heroes.osint.contacts import find_contacts
from heroes.osint.templates_align import Template, similarity, template_of

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
CONTACT_MARK = "<contact>"
SCHEME = MinHash(num_perm=1).scheme  # the permutation scheme signatures are made with


@dataclass(frozen=True)
class ClusterParams:
    seed: int = 1
    num_perm: int = 64
    shingle: int = 3
    lsh_threshold: float = 0.5
    max_candidates: int = 30
    min_tokens: int = 12
    min_similarity: float = 0.8  # on the dev ads: text-only precision 0.94 at 0.8, 0.87 at 0.7
    image_distance: int = 31  # PDQ bits; 31 is the published match threshold
    region: str = "US"
    use_contacts: bool = True
    use_text: bool = True
    use_images: bool = True


@dataclass(frozen=True)
class AdFeatures:
    contacts: tuple[tuple[str, str], ...]
    tokens: tuple[str, ...]
    signature: np.ndarray | None  # MinHash hash values; None for texts too short to template
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


def _signature(tokens: Sequence[str], params: ClusterParams) -> np.ndarray:
    k = params.shingle
    shingles = {" ".join(tokens[i : i + k]).encode() for i in range(max(1, len(tokens) - k + 1))}
    minhash = MinHash(num_perm=params.num_perm, seed=params.seed)
    minhash.update_batch(sorted(shingles))
    return np.asarray(minhash.hashvalues, dtype=np.uint64)


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
        found = find_contacts(body, region=params.region) if params.use_contacts else []
        tokens = tokenize(body, [(e.start, e.end) for e in found])
        long_enough = params.use_text and len(tokens) >= params.min_tokens
        out.append(
            AdFeatures(
                tuple((e.kind, e.value) for e in found),
                tuple(tokens),
                _signature(tokens, params) if long_enough else None,
                _image_hashes(ad) if params.use_images else (),
            )
        )
    return out


def verify_chunk(chunk: Sequence[tuple[int, int, tuple[str, ...], tuple[str, ...]]], threshold: float) -> list[float]:
    """Similarity of each candidate pair; 0.0 where it falls below ``threshold``."""
    out = []
    for _, _, a, b in chunk:
        score = similarity(a, b)
        out.append(round(score, 4) if score >= threshold else 0.0)
    return out


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


def candidate_pairs(signatures: Sequence[np.ndarray | None], params: ClusterParams) -> list[tuple[int, int]]:
    lsh = MinHashLSH(threshold=params.lsh_threshold, num_perm=params.num_perm)
    for i, sig in enumerate(signatures):
        if sig is not None:
            lsh.insert(i, LeanMinHash(seed=params.seed, hashvalues=sig, scheme=SCHEME), check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for i, sig in enumerate(signatures):
        if sig is None:
            continue
        mates = sorted(j for j in lsh.query(LeanMinHash(seed=params.seed, hashvalues=sig, scheme=SCHEME)) if j != i)
        # The nearest in id order on both sides, so each ad keeps a bounded number of candidates.
        later = [j for j in mates if j > i][: params.max_candidates]
        pairs.update((i, j) for j in later)
    return sorted(pairs)


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

    feats: list[AdFeatures] = fan.map_chunks(
        functools.partial(features_chunk, params=params), list(ads), progress=stage("features")
    )
    union = UnionFind(n)
    reasons: list[set[str]] = [set() for _ in range(n)]

    if params.use_contacts:
        owners: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, f in enumerate(feats):
            for contact in f.contacts:
                owners[contact].append(i)
        for (kind, value), holders in owners.items():
            if len(holders) < 2:
                continue
            for i in holders:
                reasons[i].add(f"{kind}:{value}")
                union.union(holders[0], i)

    if params.use_images:
        for a, b, h in image_pairs([f.images for f in feats], params.image_distance):
            union.union(a, b)
            reasons[a].add(f"image:{h}")
            reasons[b].add(f"image:{h}")

    text_links: dict[int, list[int]] = defaultdict(list)
    if params.use_text:
        pairs = candidate_pairs([f.signature for f in feats], params)
        units = [(i, j, feats[i].tokens, feats[j].tokens) for i, j in pairs]
        scores = fan.map_chunks(
            functools.partial(verify_chunk, threshold=params.min_similarity), units, progress=stage("templates")
        )
        for (i, j), score in zip(pairs, scores, strict=True):
            if score > 0:
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
        linked = linked[:50]  # a template is clear from fifty of its ads
        base = max(range(len(linked)), key=lambda k: (len(text_links[linked[k]]), -linked[k]))
        templates[name] = template_of([feats[i].tokens for i in linked], base)

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
