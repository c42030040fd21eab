"""Hashed text features shared by training and on-device inference.

The same featurizer runs in `heroes grooming train` and in the streaming analyser, so a
message is turned into feature ids exactly once and identically in both places. Hashing
(CRC-32) keeps the model a fixed-size array with no vocabulary to ship or pickle.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import Counter
from itertools import chain, pairwise
from operator import itemgetter
from typing import Any, cast

DEFAULT_N_FEATURES = 2**18
_CACHE_MAX = 200_000  # cached tokens (and token pairs) per featurizer before starting afresh

_first: Any = itemgetter(0)
_second: Any = itemgetter(1)
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_LONG_HEX = re.compile(r"^[0-9a-f]{16,}$")
_REPEAT = re.compile(r"(.)\1{2,}")


def normalise(text: str) -> str:
    """Lower-case, fold compatibility forms and squeeze letter runs ("sooooo" -> "soo")."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _REPEAT.sub(r"\1\1", text) if _REPEAT.search(text) else text  # most texts have no runs


def tokens(text: str) -> list[str]:
    """Word tokens; long hex strings (anonymised user ids in corpora) are dropped."""
    return normalised_tokens(normalise(text))


def normalised_tokens(norm: str) -> list[str]:
    """`tokens` of a text already through `normalise`."""
    return [t for t in _TOKEN.findall(norm) if len(t) < 16 or not _LONG_HEX.match(t)]


def feature_strings(text: str) -> list[str]:
    """Word unigrams, word bigrams and character 3-grams inside words (with edges)."""
    toks = tokens(text)
    out = ["w " + t for t in toks]
    out.extend("b " + a + " " + b for a, b in pairwise(toks))
    for t in toks:
        padded = " " + t + " "
        out.extend("c " + padded[i : i + 3] for i in range(len(padded) - 2))
    return out


class Featurizer:
    """Map a text to {feature id: count} with a stable hash (no per-process salt)."""

    def __init__(self, n_features: int = DEFAULT_N_FEATURES) -> None:
        if n_features & (n_features - 1):
            raise ValueError("n_features must be a power of two")
        self.n_features = n_features
        self._mask = n_features - 1
        # token -> (word id, its character 3-gram ids) and (token, token) -> bigram id: chats
        # repeat their words, so each is hashed once. Ids come out in feature_strings' order.
        self._words: dict[str, tuple[int, list[int]]] = {}
        self._pairs: dict[tuple[str, str], int] = {}

    def index(self, feature: str) -> int:
        return zlib.crc32(feature.encode("utf-8")) & self._mask

    def counts(self, text: str) -> dict[int, int]:
        """The same as counting `index(f) for f in feature_strings(text)`, with cached hashes."""
        return self.normalised_counts(normalise(text))

    def normalised_counts(self, norm: str) -> dict[int, int]:
        """`counts` of a text already through `normalise`."""
        toks = normalised_tokens(norm)
        words, pairs = self._words, self._pairs
        if len(words) > _CACHE_MAX or len(pairs) > _CACHE_MAX:
            words.clear()
            pairs.clear()
        # Cache hits run as C-level map()s; only new words and pairs are hashed in Python.
        found = list(map(words.get, toks))
        if None in found:
            found = [words.get(t) or words.setdefault(t, self._word(t)) for t in toks]
        entries = cast("list[tuple[int, list[int]]]", found)
        bigrams = list(pairwise(toks))
        maybe = list(map(pairs.get, bigrams))
        if None in maybe:
            maybe = [pairs.get(p) or pairs.setdefault(p, self.index("b " + p[0] + " " + p[1])) for p in bigrams]
        ids = cast("list[int]", maybe)
        ids[:0] = map(_first, entries)
        ids.extend(chain.from_iterable(map(_second, entries)))
        return dict(Counter(ids))

    def _word(self, t: str) -> tuple[int, list[int]]:
        padded = " " + t + " "
        return self.index("w " + t), [self.index("c " + padded[i : i + 3]) for i in range(len(padded) - 2)]

    def readable(self, text: str) -> dict[int, str]:
        """Feature id -> a human-readable word or pair, to explain what drove a score."""
        out: dict[int, str] = {}
        for f in feature_strings(text):
            if f[0] in "wb":
                out.setdefault(self.index(f), f[2:])
        return out
