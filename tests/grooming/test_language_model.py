"""The learned score of other languages (Spanish): safe files, reproducible training, which
person it reads, and that it separates grooming from ordinary Spanish chats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from heroes.grooming.conversation import Message
from heroes.grooming.corpus import Corpus, Stream
from heroes.grooming.cues import CueSet, load_cues_data
from heroes.grooming.features import Featurizer
from heroes.grooming.language_model import (
    LanguageModel,
    default_languages,
    language_markers,
    leading_language,
    load_languages,
    shipped_language_dir,
)
from heroes.grooming.language_training import load_written, train_language
from heroes.grooming.model import ModelError, default_model
from heroes.grooming.stream import StreamAnalyser

from .conftest import GROOMING_CHAT, GROOMING_CHAT_ES, ORDINARY_CHAT_ES

DEVSET = Path(__file__).parents[2] / "benchmarks" / "grooming" / "devset"


def test_the_spanish_model_ships_with_its_checksum_and_seed():
    es = default_languages()["es"]
    assert es.metadata["format_version"] == 1 and len(es.metadata["sha256"]) == 64
    assert es.metadata["seed"] == 13
    assert 0.5 <= es.policy.raise_at < 1 and 0 < es.min_risk < 1
    assert len(es.indices) > 1000  # a real model, not a stub
    assert "es" in default_model().languages


def test_tampered_or_foreign_language_files_are_refused(tmp_path):
    shutil.copytree(shipped_language_dir(), tmp_path / "lang")
    again = load_languages(tmp_path / "lang")["es"]
    np.testing.assert_array_equal(again.values, default_languages()["es"].values)
    data = bytearray((tmp_path / "lang" / "es.npz").read_bytes())
    data[60] ^= 0xFF
    (tmp_path / "lang" / "es.npz").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum"):
        LanguageModel.load(tmp_path / "lang", "es")
    meta = json.loads((tmp_path / "lang" / "es.json").read_text())
    meta["lang"] = "fr"
    (tmp_path / "lang" / "es.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="not a version"):
        LanguageModel.load(tmp_path / "lang", "es")


def test_the_language_of_a_person_comes_from_their_words():
    an = StreamAnalyser()
    es = an.feed(Message("leo", "hola q tal, cuántos años tienes?"))
    en = an.feed(Message("sam", "hey how old are you?"))
    neither = StreamAnalyser().feed(Message("x", "ok 👍"))
    assert (es.language, en.language, neither.language) == ("es", "en", "en")
    assert es.language_risk > 0 and en.language_risk == 0.0
    assert leading_language({"en": 2, "es": 2}) == "en"  # a tie is read by the main model
    assert next(iter(language_markers())) == "en"


def _peak(lines: list[tuple[str, str]], who: str) -> float:
    an = StreamAnalyser()
    return max(a.language_risk for a in (an.feed(Message(x, t)) for x, t in lines) if a.author == who)


def test_the_learned_score_separates_grooming_from_ordinary_spanish_chats():
    assert _peak(GROOMING_CHAT_ES, "leo") > _peak(ORDINARY_CHAT_ES, "abuela") + 0.2
    # ...on the development chats too, whose lines the student never saw (see below).
    peaks: dict[str, list[float]] = {"grooming": [], "ordinary": []}
    for path in sorted(DEVSET.glob("es*/*.json")):
        chat = json.loads(path.read_text("utf-8"))
        an = StreamAnalyser()
        steps = [an.feed(Message(m["author"], m["text"])) for m in chat["messages"] if m["text"].strip()]
        peaks[chat["label"]].append(max(s.language_risk for s in steps))
    from sklearn.metrics import roc_auc_score

    y = [1] * len(peaks["grooming"]) + [0] * len(peaks["ordinary"])
    assert len(y) >= 140
    assert roc_auc_score(y, peaks["grooming"] + peaks["ordinary"]) > 0.85


def test_bulk_and_message_by_message_give_the_same_learned_scores():
    lines = GROOMING_CHAT_ES + GROOMING_CHAT + ORDINARY_CHAT_ES * 4
    messages = [Message(a, t) for a, t in lines]
    one = StreamAnalyser()
    slow = [one.feed(m) for m in messages]
    fast = StreamAnalyser().feed_many(messages)
    for s, f in zip(slow, fast, strict=True):
        assert (s.language, s.warning, s.alert) == (f.language, f.warning, f.alert)
        assert abs(s.language_risk - f.language_risk) <= 1e-12
    # Continuing after a bulk start gives what feeding one by one gives.
    two = StreamAnalyser()
    two.feed_many(messages[:10])
    rest = [two.feed(m) for m in messages[10:]]
    assert [round(a.language_risk, 12) for a in rest] == [round(a.language_risk, 12) for a in slow[10:]]


def test_written_training_lines_are_not_development_lines():
    written = {t for t, _ in load_written("es").lines()}
    dev = {m["text"] for p in DEVSET.glob("*/*.json") for m in json.loads(p.read_text("utf-8"))["messages"]}
    assert len(written) > 150
    # One-word replies ("vale", "jajaja") are everybody's; every longer line is new.
    shared = {t for t in written & dev if len(t.split()) > 1}
    assert not shared, sorted(shared)


def _fake_encoder(texts):
    """A stand-in for the multilingual encoder: hashed counts folded into 32 dimensions."""
    fz = Featurizer(2**10)
    out = np.zeros((len(texts), 32), np.float32)
    for r, t in enumerate(texts):
        for i, k in fz.counts(t).items():
            out[r, i % 32] += k
    return out


def test_training_is_reproducible_and_saves_a_loadable_model(tmp_path):
    pos, neg = ["send me a pic", "our secret ok", "where do u live"], ["lol ok", "homework is hard", "see you"]
    streams = [Stream(f"p{i}", f"g{i}", "p", 1, pos) for i in range(6)]
    streams += [Stream(f"n{i}", f"h{i}", "n", 0, neg) for i in range(6)]
    corpus = Corpus(streams, [], "toy")
    a = train_language("es", corpus, seed=5, encode=_fake_encoder)
    b = train_language("es", corpus, seed=5, encode=_fake_encoder)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.policy == b.policy and a.metadata["seed"] == 5
    a.save(tmp_path)
    loaded = LanguageModel.load(tmp_path, "es")
    np.testing.assert_array_equal(loaded.values, a.values)
    fz = Featurizer(loaded.n_features)
    # Even with a teacher that knows nothing, the written labels teach the student Spanish.
    assert loaded.message_score(fz.counts("no se lo cuentes a tus padres")) > loaded.message_score(
        fz.counts("mañana hay examen de mates")
    )


def test_a_warning_of_the_learned_score_points_at_the_message_it_rated_highest():
    chat = json.loads((DEVSET / "es2" / "es2-grooming-00.json").read_text("utf-8"))
    messages = [Message(m["author"], m["text"]) for m in chat["messages"] if m["text"].strip()]
    # Without cues only the learned score can warn (with them, the Spanish cues now explain
    # this chat before the learned score's three high messages in a row).
    an = StreamAnalyser(cues=CueSet({**load_cues_data(), "cues": []}))
    an.feed_many(messages)
    first = an.alerts[0]
    assert first.stage == "model"  # raised by the learned score, no cue to explain it
    lm, fz = default_languages()["es"], Featurizer()
    author = messages[first.index].author
    theirs = [m.text for m in messages[: first.index + 1] if m.author == author]
    best = max(theirs, key=lambda t: lm.message_score(fz.counts(t)))
    assert first.snippet == best and best != messages[first.index].text
