"""The optimised engine (cached feature hashes, anchor-indexed cues, numpy running scores in
`feed_many`) gives the same numbers as the plain message-by-message reference."""

import random
from dataclasses import asdict

import pytest

from heroes.chats.model import Conversation, Message
from heroes.grooming.analysis import analyse
from heroes.grooming.cues import default_cues, fold
from heroes.grooming.features import Featurizer
from heroes.grooming.model import default_model
from heroes.grooming.stream import StreamAnalyser

from .conftest import GROOMING_CHAT, ORDINARY_CHAT
from .reference_stream import RefCues, RefFeaturizer, RefStreamAnalyser, ref_fold

EXTRA = [
    "sooooo cool!!! ¡Hola! ¿qué tal el cole? año café",
    "ok",
    "...",
    "deadbeefdeadbeefdeadbeef",
    "a b a b a b",
    "see you at the bus stop at 5, bring the ball",
    "la reunión es mañana a las 6",
]


def generated_chat(seed: int, n: int) -> list[Message]:
    rnd = random.Random(seed)
    lines = [t for _, t in GROOMING_CHAT] + [t for _, t in ORDINARY_CHAT] + EXTRA
    people = ["ana", "ben", "cara", "dev"][: rnd.randint(1, 4)]
    out = []
    for _ in range(n):
        text = rnd.choice(lines)
        if rnd.random() < 0.2:
            text += " " + rnd.choice(lines)
        out.append(Message(rnd.choice(people), text))
    # one long stretch by the same author, for the sliding window
    out += [Message(people[0], rnd.choice(lines)) for _ in range(rnd.randint(0, 80))]
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9


def _same(new, old) -> None:
    assert new.index == old.index and new.author == old.author
    assert _close(new.message_risk, old.message_risk)
    assert _close(new.risk, old.risk) and _close(new.evidence, old.evidence)
    assert new.author_risk.keys() == old.author_risk.keys()
    assert all(_close(new.author_risk[k], old.author_risk[k]) for k in new.author_risk)
    assert (new.warning, new.cues, new.level) == (old.warning, old.cues, old.level)
    assert (asdict(new.alert) if new.alert else None) == (asdict(old.alert) if old.alert else None)


def test_featurizer_and_cues_match_the_reference():
    fz, ref = Featurizer(), RefFeaturizer()
    cues = default_cues()
    rcues = RefCues(cues)
    for text in [m.text for m in generated_chat(1, 300)] + EXTRA + ["", "Ｆｕｌｌ width", "line\u2028two"]:
        assert list(fz.counts(text).items()) == list(ref.counts(text).items())
        assert fold(text) == ref_fold(text)
        assert [(h.cue.id, h.language, h.start, h.end) for h in cues.find(text)] == [
            (h.cue.id, h.language, h.start, h.end) for h in rcues.find(text)
        ]


@pytest.mark.parametrize("seed", range(6))
def test_feed_many_and_feed_match_the_reference(seed):
    chat = generated_chat(seed, 150 + 60 * seed)
    model = default_model()
    ref = RefStreamAnalyser(model)
    old = [ref.feed(m) for m in chat]
    bulk = StreamAnalyser(model)
    one = StreamAnalyser(model)
    for b, o, r in zip(bulk.feed_many(chat), [one.feed(m) for m in chat], old, strict=True):
        _same(b, r)
        _same(o, r)
        assert {k: [asdict(e) for e in v] for k, v in o.stages.items()} == {
            k: [asdict(e) for e in v] for k, v in r.stages.items()
        }
    for an in (bulk, one):
        assert [asdict(a) for a in an.alerts] == [asdict(a) for a in ref.alerts]
        assert {k: [asdict(e) for e in v] for k, v in an.stages.items()} == {
            k: [asdict(e) for e in v] for k, v in ref.stages.items()
        }
        assert an.riskiest_author() == ref.riskiest_author()
        for name, a in an.authors.items():
            r = ref.authors[name]
            assert (a.first_warning, a.scorer.n) == (r.first_warning, r.scorer.n)
            assert _close(a.peak, r.peak)
    # after a bulk feed the analyser carries on exactly as the reference
    more = generated_chat(seed + 100, 40)
    for m in more:
        _same(bulk.feed(m), ref.feed(m))


def test_texts_read_in_two_processes_give_the_same_assessments(monkeypatch):
    """Long chats read half their distinct texts in a forked copy; cue hits come back by position."""
    from heroes.grooming import stream

    chat = generated_chat(3, 300)
    model = default_model()
    one = StreamAnalyser(model).feed_many(chat)
    monkeypatch.setattr(stream, "_FORK_MIN_TEXTS", 2)
    # other tests leave threads behind, and `forked` then reads in place: fork here regardless
    monkeypatch.setattr("heroes.core.workers.threading.active_count", lambda: 1)
    two = StreamAnalyser(model)
    for a, b in zip(two.feed_many(chat), one, strict=True):
        assert (a.risk, a.message_risk, a.language_risk, a.cues, a.warning) == (
            b.risk,
            b.message_risk,
            b.language_risk,
            b.cues,
            b.warning,
        )
    assert sum(len(v) for v in two.stages.values()) > 0


def test_analyse_report_matches_the_reference():
    chat = generated_chat(7, 400)
    rep = analyse(Conversation("c", chat))
    ref = RefStreamAnalyser(default_model())
    risks = [round(ref.feed(m).risk, 4) for m in chat]
    assert rep.risk_over_time == risks
    assert [asdict(a) for a in rep.alerts] == [asdict(a) for a in ref.alerts]


@pytest.mark.parametrize("texts", [["", ""], ["", "...", "\u00f1G"], ["\ud83d\ude00"]])
def test_feed_many_with_an_author_who_sends_only_empty_messages(texts):
    """An author whose messages carry no features at all (found by the API fuzzing: a 500)."""
    chat = [Message("ana", "hola, ¿qué tal el cole?"), *[Message("ben", t) for t in texts], Message("ana", "ok")]
    model = default_model()
    ref = RefStreamAnalyser(model)
    old = [ref.feed(m) for m in chat]
    for b, r in zip(StreamAnalyser(model).feed_many(chat), old, strict=True):
        _same(b, r)


def _cue_sentences() -> list[str]:
    from heroes.grooming.cues import load_cues_data

    out = [s for c in load_cues_data()["cues"] for ex in c["examples"].values() for s in ex["match"] + ex["miss"]]
    # the same sentences inside longer lines, and run together, as chats write them
    return out + [f"ok so {s} lol" for s in out] + [" ".join(out[i : i + 3]) for i in range(0, len(out), 3)]


def test_the_literal_prefilter_finds_what_running_every_pattern_finds():
    """The cue search skips a pattern unless every literal it needs occurs; on every example
    sentence of every cue it must find exactly what running all patterns finds."""
    cues = default_cues()
    ref = RefCues(cues)
    sentences = _cue_sentences()
    assert sum(bool(ref.find(s)) for s in sentences) > len(sentences) // 3  # the test does see cues
    for s in sentences:
        assert [(h.cue.id, h.language, h.start, h.end) for h in cues.find(s)] == [
            (h.cue.id, h.language, h.start, h.end) for h in ref.find(s)
        ], s


def test_every_anchor_piece_occurs_in_every_match():
    """What the prefilter relies on: each piece anchor_pieces names is in every match."""
    from heroes.grooming.cues import anchor_pieces

    folded = [fold(s) for s in _cue_sentences()]
    checked = 0
    for cue in default_cues().cues:
        for patterns in cue.patterns.values():
            for p in patterns:
                pieces = anchor_pieces(p.pattern)
                for text in folded:
                    for m in p.finditer(text):
                        checked += 1
                        assert all(any(a in m.group() for a in piece) for piece in pieces), (p.pattern, m.group())
    assert checked > 100


@pytest.mark.parametrize(
    ("pattern", "pieces"),
    [
        (
            r"\b(your|ur) (parents|mom|dad) (home|around)\b",
            [("parents", "mom", "dad"), ("home", "around"), ("your", "ur")],
        ),
        (r"\btu(s)? (perfil|videos?)\b", [("perfil", "video"), ("tu",)]),
        (r"\bhow old (are|r) (you|u)\b", [("how old",)]),
        (r"\bmeet (up|in person)\b.{0,100}\b(tonight)\b", [("tonight",), ("meet",), ("in person", "up")]),
        (r"\b(a|b)c\b", []),
        (r"\bfoo(?! bar)\b|\bbaz\b", [("baz", "foo")]),
        (r"\b(?:send|show) (me )?pics\b", [("pics",), ("send", "show")]),
    ],
)
def test_anchor_pieces(pattern, pieces):
    from heroes.grooming.cues import anchor_pieces

    got = anchor_pieces(pattern)
    assert sorted(map(sorted, got)) == sorted(map(sorted, pieces))
