"""Learned scores for languages other than English: one small lexical model per language.

The main text model learned English from the research chats. For another language a *student*
model (logistic regression over the same hashed word and character features, L2-normalised
counts, no IDF) is trained by `heroes grooming train --language LANG` from lines written for the
purpose and the soft labels of a multilingual teacher (see `language_training.py`). It is a
sparse weight vector: the browser scorer (static/engine.js) evaluates it exactly as Python does.

Which model reads a person's messages is decided by the short function words of each language
(`data/languages.yaml`), counted over all of that person's messages. Files:
`model/lang/<lang>.json` (metadata, thresholds, sha256 of the NPZ) and `<lang>.npz` (indices and
float32 weights); loading checks the checksum and never unpickles.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from heroes.grooming.features import DEFAULT_N_FEATURES, Featurizer
from heroes.grooming.model import ModelError, WarningPolicy

FORMAT_VERSION = 1
ENGLISH = "en"  # the main model's language: a person whose words are not another's is read by it


@dataclass
class LanguageModel:
    """One language's student: score = w . x / |x| + b over the hashed counts of a window of a
    person's messages (the last `StreamConfig.window`), read as sigmoid(score)."""

    lang: str
    indices: NDArray[np.int64]
    values: NDArray[np.float32]
    intercept: float
    # The learned warning: raised after `raise_after` messages at or above `raise_at`.
    policy: WarningPolicy = field(default_factory=lambda: WarningPolicy(0.9, 0.675, 3, 10))
    # The stage rule's gate for people writing this language (the English gate is
    # StageRule.min_risk, on the main model's risk).
    min_risk: float = 0.3
    n_features: int = DEFAULT_N_FEATURES
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        coef = np.zeros(self.n_features, dtype=np.float64)
        coef[self.indices] = self.values.astype(np.float64)
        self.w: list[float] = coef.tolist()  # list indexing beats numpy scalars in the stream
        self.w_arr = coef
        self.v_arr = np.ones(self.n_features, dtype=np.float64)
        self.v: list[float] = self.v_arr.tolist()
        self.b = float(self.intercept)

    def message_score(self, counts: dict[int, int]) -> float:
        """The student on one message alone (what it was trained on, for single lines)."""
        s = sum(self.w[i] * k for i, k in counts.items())
        q = sum(k * k for k in counts.values())
        return _sigmoid(s / math.sqrt(q) + self.b if q else self.b)

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            indices=self.indices.astype(np.int32),
            values=self.values.astype(np.float32),
            intercept=np.array([self.intercept]),
        )
        data = buf.getvalue()
        (directory / f"{self.lang}.npz").write_bytes(data)
        meta = dict(self.metadata)
        meta.update(
            format_version=FORMAT_VERSION,
            lang=self.lang,
            sha256=hashlib.sha256(data).hexdigest(),
            n_features=self.n_features,
            policy=asdict(self.policy),
            min_risk=self.min_risk,
        )
        self.metadata = meta
        path = directory / f"{self.lang}.json"
        path.write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
        return path

    @classmethod
    def load(cls, directory: Path, lang: str) -> LanguageModel:
        try:
            meta = json.loads((directory / f"{lang}.json").read_text("utf-8"))
            data = (directory / f"{lang}.npz").read_bytes()
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read the {lang} grooming language model in {directory}: {exc}") from exc
        if meta.get("format_version") != FORMAT_VERSION or meta.get("lang") != lang:
            raise ModelError(
                f"{directory / lang}.json is not a version {FORMAT_VERSION} model for {lang!r}; "
                f"rebuild it with `heroes grooming train --language {lang}`"
            )
        if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            raise ModelError(f"{lang} grooming language model checksum mismatch: the NPZ file was altered")
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            indices = arrays["indices"].astype(np.int64)
            values = arrays["values"].astype(np.float32)
            intercept = float(arrays["intercept"][0])
        n = int(meta["n_features"])
        if len(indices) != len(values) or (len(indices) and (indices.min() < 0 or indices.max() >= n)):
            raise ModelError(f"{lang} grooming language model: weights out of range")
        return cls(
            lang=lang,
            indices=indices,
            values=values,
            intercept=intercept,
            policy=WarningPolicy(**meta["policy"]),
            min_risk=float(meta["min_risk"]),
            n_features=n,
            metadata=meta,
        )


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def shipped_language_dir() -> Path:
    return Path(str(resources.files("heroes.grooming").joinpath("model", "lang")))


def load_languages(directory: Path) -> dict[str, LanguageModel]:
    """Every `<lang>.json` model in the folder, by language (none if the folder is missing)."""
    if not directory.is_dir():
        return {}
    return {p.stem: LanguageModel.load(directory, p.stem) for p in sorted(directory.glob("*.json"))}


@lru_cache(maxsize=1)
def default_languages() -> dict[str, LanguageModel]:
    return load_languages(shipped_language_dir())


@lru_cache(maxsize=1)
def language_markers() -> dict[str, tuple[str, ...]]:
    """The function words of each language (data/languages.yaml)."""
    text = resources.files("heroes.grooming").joinpath("data", "languages.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or next(iter(data), None) != ENGLISH:
        raise ModelError("data/languages.yaml must map languages (English first) to lists of words")
    return {str(k): tuple(str(w) for w in v) for k, v in data.items()}


def marker_ids(featurizer: Featurizer, markers: dict[str, tuple[str, ...]]) -> dict[int, str]:
    """Word feature id -> language. Word features are hashed, so a marker shares its id with any
    word that collides with it (rare at 2^18 buckets); the earlier language keeps a shared id."""
    out: dict[int, str] = {}
    for lang, words in markers.items():
        for w in words:
            out.setdefault(featurizer.index("w " + w), lang)
    return out


def leading_language(hits: dict[str, int]) -> str:
    """The language with the most marker hits; English on a tie (dict order: English first)."""
    best, top = ENGLISH, hits.get(ENGLISH, 0)
    for lang, n in hits.items():
        if n > top:
            best, top = lang, n
    return best
