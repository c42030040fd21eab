"""Against the research data in ../shared/data/chats (skipped when it is absent)."""

import numpy as np
import pytest

from heroes.grooming.conversation import Message
from heroes.grooming.corpus import load_corpus, segment_turns
from heroes.grooming.stream import StreamAnalyser
from tests.conftest import SHARED_DATA


def test_segment_turns_split_speakers():
    a, b = "0" * 32, "f" * 32
    assert segment_turns(f"{a}: hi there {b}: hello {a}: bye") == [(a, "hi there"), (b, "hello"), (a, "bye")]
    assert segment_turns("no speakers here") == [("?", "no speakers here")]


@pytest.fixture(scope="module")
def corpus():
    if not (SHARED_DATA / "chats" / "pj").is_dir():
        pytest.skip("../shared/data is not present")
    return load_corpus(SHARED_DATA / "chats")


def test_corpus_sources(corpus):
    sources = {s.source for s in corpus.streams}
    assert sources == {"pj-predator", "pj-decoy", "nps"}
    assert sum(s.label for s in corpus.segments) == 119
    # Folds group by chat: a predator and the decoys of a chat share the group.
    groups = {s.group for s in corpus.streams if s.source == "pj-predator"}
    assert groups & {s.group for s in corpus.streams if s.source == "pj-decoy"}


def _peak(messages):
    an = StreamAnalyser()
    for m in messages[:150]:
        an.feed(Message("x", m))
    return an.authors["x"].peak, an.authors["x"].first_warning


def test_shipped_model_separates_predators_from_ordinary_chatters(corpus):
    rng = np.random.default_rng(0)
    pred = [s for s in corpus.streams if s.source == "pj-predator"]
    nps = [s for s in corpus.streams if s.source == "nps" and len(s.messages) >= 10]
    pick_p = rng.choice(len(pred), 15, replace=False)
    pick_n = rng.choice(len(nps), 15, replace=False)
    p = [_peak(pred[i].messages) for i in pick_p]
    n = [_peak(nps[i].messages) for i in pick_n]
    assert np.median([x for x, _ in p]) > np.median([x for x, _ in n])
    assert sum(w is not None for _, w in p) >= 8  # most predators warn within 150 messages
    assert sum(w is not None for _, w in n) <= 1
