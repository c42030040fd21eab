"""The meaning-level view of an ad: the shared multilingual sentence encoder (heroes.embeddings).

English and Spanish land in one vector space, so a linear head trained on English postings also
scores Spanish ones, and wording it has never seen but that means the same thing scores alike.
The encoder sees the source-neutral text of text.normalise (the same the lexical model sees), cut
to `EMBED_CHARS`: the opening of an ad carries its offer, and the cut keeps batch scoring above
100 ads per second on one core.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from heroes.fakejobs.text import normalise

EMBED_CHARS = 1000
MAX_SENTENCES = 40
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_WORD = re.compile(r"\w\w+")


def embed(texts: Sequence[str]) -> np.ndarray:
    """(n, 512) float32, one row per ad text; an empty text gets the vector of a blank."""
    return embed_normalised([normalise(t) for t in texts])


def embed_normalised(normalised: Sequence[str]) -> np.ndarray:
    """`embed` of texts already passed through text.normalise (the batch path normalises each ad
    once for the encoder and the lexical model alike)."""
    from heroes.embeddings import encode

    return encode([t[:EMBED_CHARS] or " " for t in normalised])


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of `text` worth explaining: at least three words, the first
    `MAX_SENTENCES` of them; long runs without punctuation are cut at about 300 characters."""
    spans: list[tuple[int, int]] = []
    start = 0
    bounds = [m.start() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    for end in bounds:
        piece_start = start
        while end - piece_start > 400:
            cut = text.rfind(" ", piece_start, piece_start + 300)
            cut = cut if cut > piece_start + 100 else piece_start + 300
            spans.append((piece_start, cut))
            piece_start = cut
        spans.append((piece_start, end))
        start = end
        if len(spans) >= 4 * MAX_SENTENCES:
            break
    kept = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        if len(_WORD.findall(text[s:e])) >= 3:
            kept.append((s, e))
    return kept[:MAX_SENTENCES]
