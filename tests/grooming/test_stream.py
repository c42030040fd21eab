import numpy as np
import pytest

from heroes.grooming.conversation import Message
from heroes.grooming.corpus import Stream
from heroes.grooming.cues import default_cues
from heroes.grooming.features import Featurizer
from heroes.grooming.model import WarningPolicy, default_model
from heroes.grooming.stream import Hysteresis, StreamAnalyser, snippet
from heroes.grooming.training import featurise, replay

from .conftest import GROOMING_CHAT, ORDINARY_CHAT


def feed_all(lines):
    an = StreamAnalyser()
    return an, [an.feed(Message(a, t)) for a, t in lines]


def test_hysteresis_needs_sustained_evidence_to_raise_and_calm_to_clear():
    h = Hysteresis(WarningPolicy(raise_at=0.8, clear_below=0.6, raise_after=3, clear_after=4))
    assert [h.update(r) for r in (0.9, 0.2, 0.9, 0.9)] == [False, False, False, False]
    assert h.update(0.95) is True  # third high in a row
    # One calm line does not clear it, nor does a line between the thresholds.
    assert [h.update(r) for r in (0.1, 0.7, 0.1, 0.1, 0.1)] == [True] * 5
    # 0.7 broke the calm run, so only now is the fourth calm line in a row reached.
    assert h.update(0.1) is False


def test_one_ambiguous_line_does_not_warn():
    _, out = feed_all([("x", "how old are u?")])
    assert not out[-1].warning
    assert out[-1].cues == ["asks_age"]


def test_grooming_conversation_warns_and_names_the_author_and_stages():
    an, out = feed_all(GROOMING_CHAT)
    warned = [a.index for a in out if a.warning]
    assert warned, "the grooming chat never warned"
    first = warned[0]
    assert first >= 2  # never on the first lines
    assert out[first].alert is not None
    assert out[-1].author_risk["sam"] > out[-1].author_risk["alex"]
    assert an.riskiest_author() == "sam"
    stages = set(out[-1].stages)
    assert {"risk_assessment", "isolation", "approach"} <= stages
    # Evidence points at the messages that show each stage.
    assert [e.index for e in out[-1].stages["isolation"]] == [7, 9]
    # The alert carries a short snippet and a stage, nothing else.
    alert = an.alerts[0]
    assert set(vars(alert)) == {"index", "stage", "snippet"}
    assert len(alert.snippet) <= 80


def test_ordinary_conversation_does_not_warn():
    _, out = feed_all(ORDINARY_CHAT)
    assert not any(a.warning for a in out)
    assert out[-1].stages == {}
    assert max(a.risk for a in out) < default_model().threshold


def test_streaming_scores_equal_the_training_replay():
    """The analyser's incremental TF-IDF equals the batch computation used in training."""
    model = default_model()
    lines = [t for _, t in GROOMING_CHAT]
    (f,) = featurise([Stream("s", "g", "test", 1, lines)], Featurizer(), default_cues(), print)
    feats = replay(f, model)
    batch = model.stacker.predict_proba(feats)[:, 1]
    an = StreamAnalyser(model)
    live = [an.feed(Message("one", t)).risk for t in lines]
    np.testing.assert_allclose(live, batch, rtol=1e-9)
    # And the cumulative text score equals the text model on the concatenated stream.
    import scipy.sparse as sp

    z_batch = model.text.decision_function(sp.csr_matrix(f.X.sum(axis=0)))[0]
    assert feats[-1][0] == pytest.approx(z_batch, rel=1e-5)


def test_window_forgets_old_messages():
    an = StreamAnalyser()
    for _ in range(30):
        an.feed(Message("a", "lol ok"))
    scorer = an.authors["a"].scorer
    assert len(scorer._recent) == an.model.stream.window


def test_snippet_is_short_and_centred_on_the_cue():
    from heroes.grooming.cues import default_cues

    text = "blah " * 40 + "this is our secret ok " + "blah " * 40
    (hit,) = default_cues().find(text)
    s = snippet(text, hit)
    assert len(s) <= 80 and "secret" in s
