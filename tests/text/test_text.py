"""heroes.text on its own: language detection, folding, localized, JSON lines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from heroes.text import JsonlError, detect_language, fold, iter_jsonl, language_scores, localized, read_jsonl


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The girl is with a man and they are in the car", "en"),
        ("We are looking for staff to work from home, no experience needed.", "en"),
        ("I don't know where she is", "en"),
        ("La niña está con un hombre y ellos están en el coche", "es"),
        ("Buscamos personal para trabajar desde casa, sin experiencia.", "es"),
        ("¿Dónde estás?", "es"),
        ("Atención al cliente", "es"),
        ("hola", "es"),
        ("thanks", "en"),
    ],
)
def test_detects_english_and_spanish(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "123 456", "Zxq 12:30", "Ciao bella", "https://x.example/a?b=c"])
def test_empty_or_uninformative_text_gives_the_default(text: str) -> None:
    assert detect_language(text) is None
    assert detect_language(text, default="en") == "en"


def test_mixed_text_gives_the_dominant_language_or_the_default() -> None:
    assert detect_language("Hola, ¿qué tal? Estoy en casa con mi madre, see you") == "es"
    assert detect_language("I am at home with my mother and the kids, hasta luego") == "en"
    assert detect_language("and y") is None  # one word each: neither dominates


def test_scores_and_long_text_are_bounded() -> None:
    scores = language_scores("the " * 100_000)
    assert scores["en"] <= 5000 and scores["es"] == 0


def test_fold_keeps_every_position() -> None:
    for text in ["Niña ÁÉÍÓÚ ü", "İstanbul ß ﬁ", "it’s `x´", ""]:
        assert len(fold(text)) == len(text)
    assert fold("Niña AÑOS Lucía") == "nina anos lucia"
    assert fold("it’s") == "it's"


def test_localized_picks_language_base_fallback_then_any() -> None:
    value = {"en": "Hello", "es": "Hola"}
    assert localized(value, "es") == "Hola"
    assert localized(value, "es-MX") == "Hola"
    assert localized(value, "fr") == "Hello"
    assert localized({"es": "Hola", "en": ""}, "fr") == "Hola"
    assert localized({"en": "x", "es": "y"}, "fr", fallback="es") == "y"
    assert localized("plain", "es") == "plain"
    assert localized(None, "es") == ""
    assert localized({}, "es") == ""


def test_core_localized_is_the_same_rule_with_the_request_language() -> None:
    from heroes.core import i18n

    with i18n.language("es"):
        assert i18n.localized({"en": "Hello", "es": "Hola"}) == "Hola"
    assert i18n.localized({"en": "Hello", "es": "Hola"}, "es-ES") == "Hola"


def test_jsonl_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"a": 1}\n\n[2]\n{bad\n', encoding="utf-8")
    rows = list(iter_jsonl(path))
    assert [(r.line, r.value, r.error is None) for r in rows] == [(1, {"a": 1}, True), (3, [2], True), (4, None, False)]
    with pytest.raises(JsonlError, match=r"data\.jsonl:4: not valid JSON") as caught:
        list(read_jsonl(path))
    assert caught.value.line == 4
    assert list(read_jsonl(io.StringIO('{"x": "ñ"}\n'))) == [(1, {"x": "ñ"})]
    assert list(read_jsonl(b"1\n2")) == [(1, 1), (2, 2)]
    with pytest.raises(JsonlError, match=r"^line 1: "):
        list(read_jsonl("nope"))


def test_fold_keeps_length_and_folds_accents_case_and_apostrophes() -> None:
    from heroes.text import fold

    assert fold("Niña ÁRBOL don’t `x´") == "nina arbol don't 'x'"
    sample = "".join(chr(i) for i in range(32, 0x2500)) + "İß ﬁ ǅ"
    assert len(fold(sample)) == len(sample)
    assert fold("PLAIN ascii Text") == "plain ascii text"
