"""Streaming analysis: feed messages one at a time, get risk, stages and a hysteresis warning.

Per author the analyser keeps raw feature counts for the whole stream and for a sliding window,
with the running dot product and squared norm of their TF-IDF vectors, so the text model's
score is updated in O(features of the new message) instead of re-reading the conversation.
"""

# ruff: noqa: N806  (matrix names X, F, S, Q follow scikit-learn and maths usage)

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import Protocol, TypeVar, cast

import numpy as np
import scipy.sparse as sp

from heroes.chats.model import Message
from heroes.core.workers import forked
from heroes.grooming.cues import CueHit, CueSet, default_cues, fold, fold_normalised
from heroes.grooming.features import Featurizer, normalise
from heroes.grooming.language_model import ENGLISH, LanguageModel, language_markers, leading_language, marker_ids
from heroes.grooming.model import GroomingModel, WarningPolicy, default_model, sigmoid

T = TypeVar("T")

LEVELS = ("none", "watch", "warning")  # what people are shown, in words (see `level`)

SNIPPET_CHARS = 80
_FORK_MIN_TEXTS = 20_000  # distinct texts worth reading on a second core (a fork costs milliseconds)
_THREADS = 2  # for the authors' running sums
_EVIDENCE = attrgetter("evidence")
_RISK = attrgetter("risk")


class _Weights:
    """Per-feature w*idf and idf**2 as Python lists: list indexing beats numpy scalars here."""

    def __init__(self, model: GroomingModel) -> None:
        self.w = (model.text.coef_ * model.text.idf_).tolist()
        self.v = (model.text.idf_**2).tolist()
        self.b = model.text.intercept_
        self.w_arr = np.asarray(self.w, dtype=np.float64)
        self.v_arr = np.asarray(self.v, dtype=np.float64)


def _weights(model: GroomingModel) -> _Weights:
    """The per-feature lists, cached on the model object (never by id(): ids get reused)."""
    cached = model.__dict__.get("_stream_weights")
    if cached is None or cached[0] is not model.text:
        cached = (model.text, _Weights(model))
        model.__dict__["_stream_weights"] = cached
    return cached[1]


class _BagWeights(Protocol):
    w: list[float]
    v: list[float]


class _Bag:
    """Raw counts with the running TF-IDF dot product (S) and squared norm (Q)."""

    __slots__ = ("Q", "S", "counts")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.S = 0.0
        self.Q = 0.0

    def add(self, msg: dict[int, int], wt: _BagWeights, sign: int = 1) -> None:
        counts, w, v = self.counts, wt.w, wt.v
        for i, k in msg.items():
            old = counts.get(i, 0)
            new = old + sign * k
            self.S += w[i] * sign * k
            self.Q += v[i] * (new * new - old * old)
            if new:
                counts[i] = new
            else:
                del counts[i]

    def z(self, b: float) -> float:
        return self.S / math.sqrt(self.Q) + b if self.Q > 1e-12 else b


class Hysteresis:
    """Raise after sustained high risk, clear only after sustained calm."""

    def __init__(self, policy: WarningPolicy) -> None:
        self.policy = policy
        self.warning = False
        self._high = 0
        self._low = 0

    def update(self, risk: float) -> bool:
        p = self.policy
        self._high = self._high + 1 if risk >= p.raise_at else 0
        self._low = self._low + 1 if risk < p.clear_below else 0
        if not self.warning and self._high >= p.raise_after:
            self.warning = True
        elif self.warning and self._low >= p.clear_after:
            self.warning = False
        return self.warning


class _Languages:
    """One person's language (function words counted over all their messages) and, for each
    language model, the student's running score over the window of their last messages."""

    def __init__(self, models: dict[str, LanguageModel], ids: dict[int, str], langs: tuple[str, ...], window: int):
        self.models = models
        self.ids = ids
        self.hits = dict.fromkeys(langs, 0)
        self.bags = {lang: _Bag() for lang in models}
        self.recent: deque[dict[int, int]] = deque()
        self.window = window
        self.language = ENGLISH

    def add(self, counts: dict[int, int]) -> tuple[str, float, float]:
        """Add one message; (the person's language, the learned risk in it, the student on this
        message alone) after it."""
        ids, hits = self.ids, self.hits
        for i, k in counts.items():
            lang = ids.get(i)
            if lang is not None:
                hits[lang] += k
        self.language = leading_language(hits)
        self.recent.append(counts)
        old = self.recent.popleft() if len(self.recent) > self.window else None
        for lang, bag in self.bags.items():
            bag.add(counts, self.models[lang])
            if old is not None:
                bag.add(old, self.models[lang], sign=-1)
        lm = self.models.get(self.language)
        alone = lm.message_score(counts) if lm is not None else 0.0
        return self.language, self.risk(), alone

    def risk(self) -> float:
        lm = self.models.get(self.language)
        return sigmoid(self.bags[self.language].z(lm.b)) if lm is not None else 0.0

    def bulk(
        self, counts: Sequence[dict[int, int]], running: _Running | None, alone: dict[str, list[float]]
    ) -> list[tuple[str, float, float]]:
        """`add` on each message: the same numbers, the students' sums in numpy on a fresh person.

        `running` holds these messages' events laid out for the running sums (shared with the
        main model's bags), `alone[lang]` each message's student score on its own."""
        if self.recent or not any(counts) or not self.models:
            return [self.add(c) for c in counts]
        if running is None:
            running = _Running(_Flat(counts), self.window, next(iter(self.models.values())).n_features)
        flat, names = running.flat, tuple(self.hits)
        # Marker hits per message and language, summed over the person's messages so far; the
        # leading language is the first with the most (English first), as `leading_language`.
        lang_of = _marker_table(self.ids, names, running.size)[flat.feat]
        hit = lang_of >= 0
        n, m = len(flat.lens), len(names)
        per = np.bincount(flat.msg[hit] * m + lang_of[hit], weights=flat.k[hit], minlength=n * m)
        totals = np.cumsum(per.reshape(n, m).astype(np.int64), axis=0)
        totals += np.asarray([self.hits[x] for x in names], dtype=np.int64)
        langs = [names[i] for i in np.argmax(totals, axis=1).tolist()]
        self.hits = dict(zip(names, totals[-1].tolist(), strict=True))
        self.language = langs[-1]
        self.recent = deque(counts[-self.window :])
        win: Counter[int] = Counter()
        for c in self.recent:
            win.update(c)
        z: dict[str, list[float]] = {}
        for lang, lm in self.models.items():
            zs, S, Q = running.window_z(lm)
            z[lang] = zs.tolist()
            bag = self.bags[lang]
            bag.counts = {i: k for i, k in win.items() if k}
            bag.S, bag.Q = float(S[-1]), float(Q[-1])
        return [
            (lang, sigmoid(z[lang][j]), alone[lang][j]) if lang in z else (lang, 0.0, 0.0)
            for j, lang in enumerate(langs)
        ]


def _marker_table(ids: dict[int, str], names: tuple[str, ...], size: int) -> np.ndarray:
    """Feature id -> the position in `names` of the language it marks, -1 for other features."""
    table = np.full(size, -1, dtype=np.int64)
    for i, lang in ids.items():
        table[i] = names.index(lang)
    return table


class AuthorScorer:
    """One participant's evidence: text score over all and recent messages, decaying cues."""

    def __init__(self, model: GroomingModel) -> None:
        self.model = model
        self._wt = _weights(model)
        self._stacker: object = None
        self._coef: list[float] = []
        self._cum = _Bag()
        self._win = _Bag()
        self._recent: deque[dict[int, int]] = deque()
        self.n = 0
        self.cue_last: dict[str, tuple[int, float]] = {}
        self.cue_stage: dict[str, str] = {}
        self.stages: set[str] = set()

    def features(self, counts: dict[int, int], hits: list[CueHit]) -> list[float]:
        """Add one message and return the stacker's features after it."""
        cfg, wt = self.model.stream, self._wt
        self._cum.add(counts, wt)
        self._win.add(counts, wt)
        self._recent.append(counts)
        if len(self._recent) > cfg.window:
            self._win.add(self._recent.popleft(), wt, sign=-1)
        return self.features_from(self._cum.z(wt.b), self._win.z(wt.b), hits)

    def bulk_bags(
        self, counts: Sequence[dict[int, int]], running: _Running | None = None
    ) -> tuple[list[float], list[float]]:
        """Add these messages to both bags; the whole-stream and window z after each.

        On a fresh scorer this runs in numpy (the same sums in the same order as `_Bag.add`);
        otherwise message by message. `running` is `counts` already laid out, if at hand."""
        wt, window = self._wt, self.model.stream.window
        # The vector path needs at least one feature; an author with only empty messages (or one
        # that has been fed before) takes the step-by-step path, which gives the same numbers.
        if self.n or self._cum.counts or self._recent or not any(counts):
            zc, zw = [], []
            for c in counts:
                self._cum.add(c, wt)
                self._win.add(c, wt)
                self._recent.append(c)
                if len(self._recent) > window:
                    self._win.add(self._recent.popleft(), wt, sign=-1)
                zc.append(self._cum.z(wt.b))
                zw.append(self._win.z(wt.b))
            return zc, zw
        running = running if running is not None else _Running(_Flat(counts), window, len(wt.w))
        z_cum, S, Q = running.stream_z(wt)
        z_win, S_w, Q_w = running.window_z(wt)
        # Leave the bags as message-by-message feeding would have.
        totals = running.totals()
        ids = np.flatnonzero(totals)
        self._cum.counts = dict(zip(ids.tolist(), totals[ids].astype(np.int64).tolist(), strict=True))
        self._cum.S, self._cum.Q = float(S[-1]), float(Q[-1])
        self._recent = deque(counts[-window:])
        win: Counter[int] = Counter()
        for c in self._recent:
            win.update(c)
        self._win.counts = {i: k for i, k in win.items() if k}
        self._win.S, self._win.Q = float(S_w[-1]), float(Q_w[-1])
        return z_cum.tolist(), z_win.tolist()

    def features_from(self, z_cum: float, z_win: float, hits: list[CueHit]) -> list[float]:
        """The stacker's features after one message whose bag scores are already known."""
        cfg = self.model.stream
        self.n += 1
        for h in hits:
            self.cue_last[h.cue.id] = (self.n, h.cue.weight)
            self.cue_stage[h.cue.id] = h.cue.stage
            self.stages.add(h.cue.stage)
        cue = sum(w * 0.5 ** ((self.n - at) / cfg.cue_half_life) for at, w in self.cue_last.values())
        length = min(math.log1p(self.n) / math.log1p(cfg.length_scale), 1.0)
        return [
            z_cum,
            z_win,
            z_cum * length,
            cue,
            float(len(self.stages)),
            length,
        ]

    def risk(self, feats: list[float]) -> float:
        st = self.model.stacker
        if self._stacker is not st:  # its weights as a list once, not once per message
            self._stacker, self._coef = st, st.coef_.tolist()
        z = st.intercept_
        for c, f in zip(self._coef, feats, strict=True):
            z += c * f  # in this order, as the browser scorer adds them
        return sigmoid(z)

    def stage_evidence(self) -> tuple[float, int]:
        """(evidence summed over stages, number of stages counted). A stage counts its strongest
        decayed cue in full and each further cue of it by half: two different questions about
        who is around weigh more than one, but less than two different stages."""
        rule = self.model.stage_rule
        per: dict[str, list[float]] = {}
        for cue_id, (at, weight) in self.cue_last.items():
            stage = self.cue_stage[cue_id]
            if stage != "access":
                per.setdefault(stage, []).append(weight * 0.5 ** ((self.n - at) / rule.half_life))
        values = []
        for v in per.values():
            v.sort(reverse=True)
            values.append(v[0] + 0.5 * sum(v[1:]))
        return sum(sorted(values)), len(values)


@dataclass(frozen=True)
class Evidence:
    index: int
    author: str
    cue: str
    snippet: str


@dataclass(frozen=True)
class Alert:
    """What a warning carries: the stage and a short snippet, never the conversation.

    The first alert of a conversation is the warning being raised; while it stays raised, a
    further alert follows each time the warned person shows a stage not alerted yet."""

    index: int
    stage: str
    snippet: str


@dataclass
class Assessment:
    index: int
    author: str
    message_risk: float  # the text model on this message alone
    risk: float  # the conversation: the riskiest participant so far
    author_risk: dict[str, float]
    warning: bool
    cues: list[str]
    stages: dict[str, list[Evidence]]
    alert: Alert | None = None
    level: str = "none"  # one of LEVELS: what the pages show instead of a number
    evidence: float = 0.0  # the stage evidence of the most concerning participant
    language: str = ENGLISH  # the language this message's author writes, as the engine reads it
    language_risk: float = 0.0  # that author's learned score in that language (0 for English)


class StageHysteresis(Hysteresis):
    """The stage rule's raise and clear, on the stage evidence of one person."""

    def __init__(self, model: GroomingModel) -> None:
        r = model.stage_rule
        super().__init__(WarningPolicy(r.raise_at, r.clear_below, 1, r.clear_after))
        self.min_stages = r.min_stages
        self.min_risk = r.min_risk

    def update_stages(self, evidence: float, stages: int, risk: float, min_risk: float | None = None) -> bool:
        """`risk` is the person's own risk: the main model's in English, the learned score of
        their language otherwise, against that language's gate (`min_risk`)."""
        counts = stages >= self.min_stages and risk >= (self.min_risk if min_risk is None else min_risk)
        return self.update(evidence if counts else min(evidence, self.policy.clear_below - 1e-9))


def snippet(text: str, hit: CueHit | None = None, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    start = 0
    if hit is not None:
        # Cue offsets are in the folded text; map proportionally onto the original.
        centre = (hit.start + hit.end) / 2 / max(len(fold(text)), 1) * len(text)
        start = int(max(0, min(len(text) - limit, centre - limit / 2)))
    cut = text[start : start + limit - 2].strip()
    return ("…" if start else "") + cut + "…"


@dataclass
class _Author:
    scorer: AuthorScorer
    hysteresis: Hysteresis
    stage_hysteresis: StageHysteresis
    risk: float = 0.0
    evidence: float = 0.0
    warning: bool = False
    recent: deque[float] = field(default_factory=deque)
    peak: float = 0.0  # highest risk sustained over `raise_after` consecutive messages
    first_warning: int | None = None
    languages: _Languages | None = None  # None when no language model is loaded
    language_hysteresis: dict[str, Hysteresis] = field(default_factory=dict)
    language: str = ENGLISH
    language_risk: float = 0.0  # the learned score of the person's language (0 for English)
    # The person's message the learned score rated highest on its own (score, snippet): what a
    # warning raised by the learned score points at when no cue explains it.
    learned_top: tuple[float, str] | None = None


class StreamAnalyser:
    """Feed a conversation message by message; after each, read the current assessment."""

    def __init__(
        self,
        model: GroomingModel | None = None,
        cues: CueSet | None = None,
        featurizer: Featurizer | None = None,
    ) -> None:
        self.model = model or default_model()
        self.cues = cues or default_cues()
        self.featurizer = featurizer or Featurizer(self.model.text.n_features)
        self.authors: dict[str, _Author] = {}
        self.stages: dict[str, list[Evidence]] = {}
        self.alerts: list[Alert] = []
        self.index = -1
        self.warning = False
        self._wt = _weights(self.model)
        self._by_cue = {c.id: c.stage for c in self.cues.cues}
        self._best: dict[str, Evidence] = {}  # each author's furthest-advanced, latest evidence
        self.languages: dict[str, LanguageModel] = self.model.languages
        if self.languages:
            markers = language_markers()
            self._marker_ids = marker_ids(self.featurizer, markers)
            self._langs = tuple(markers)

    def _author(self, name: str) -> _Author:
        if name not in self.authors:
            self.authors[name] = self._new_author()
        return self.authors[name]

    def _new_author(self) -> _Author:
        a = _Author(AuthorScorer(self.model), Hysteresis(self.model.policy), StageHysteresis(self.model))
        if self.languages:
            a.languages = _Languages(self.languages, self._marker_ids, self._langs, self.model.stream.window)
            a.language_hysteresis = {lang: Hysteresis(lm.policy) for lang, lm in self.languages.items()}
        return a

    def feed(self, message: Message) -> Assessment:
        counts = self.featurizer.counts(message.text)
        hits = self.cues.find(message.text)
        a = self._author(message.author)
        feats = a.scorer.features(counts, hits)
        lang = a.languages.add(counts) if a.languages is not None else (ENGLISH, 0.0, 0.0)
        return self._step(message, a, hits, feats, _message_z(counts, self._wt), True, lang)

    def feed_many(self, messages: Sequence[Message]) -> list[Assessment]:
        """Feed messages in order: the same scores as `feed` on each, computed in bulk.

        The text model's running scores of every participant are computed with numpy over
        the whole batch, adding the same terms in the same order as `feed` (so the numbers are
        the same); only the light per-message bookkeeping stays in Python. To keep this
        linear, the assessments carry no `stages` snapshot: read `self.stages` at the end."""
        wt, window = self._wt, self.model.stream.window
        # Chats repeat whole lines ("ok", "lol", "see you later"): each distinct text is read once
        # (normalised once for both the features and the cues). Nothing downstream changes the
        # count dicts and hit lists, so repeats share them.
        text_of: dict[str, int] = {}
        raw: dict[str, int] = {}  # each distinct text as written, normalised once
        rix = [raw.setdefault(m.text, len(raw)) for m in messages]
        of_raw = [text_of.setdefault(normalise(t), len(text_of)) for t in raw]
        tix = [of_raw[r] for r in rix]
        t_counts, t_hits = self._read_texts(list(text_of))
        t_flat = _Flat(t_counts)
        t_alone = {
            lang: [sigmoid(x) for x in _bulk_message_z(t_flat, lm).tolist()] for lang, lm in self.languages.items()
        }
        mz = _bulk_message_z(t_flat, wt)[np.asarray(tix, dtype=np.int64)].tolist()
        hits = [t_hits[t] for t in tix]
        by_author: dict[str, list[int]] = {}
        for i, m in enumerate(messages):
            by_author.setdefault(m.author, []).append(i)
        # Each author's running sums are independent numpy work (which releases the GIL): two
        # threads share them out, the longest streams first.
        size = len(wt.w)
        students: list[_ArrayWeights] = list(self.languages.values())

        def prepare(idx: list[int]) -> _Running:
            return _Running(t_flat.take([tix[i] for i in idx]), window, size).prepare(wt, students)

        busy = sorted(
            (n for n, idx in by_author.items() if any(t_counts[tix[i]] for i in idx)), key=lambda n: -len(by_author[n])
        )
        with ThreadPoolExecutor(_THREADS) as pool:
            running = dict(zip(busy, pool.map(prepare, [by_author[n] for n in busy]), strict=True))
        z_cum = [0.0] * len(messages)
        z_win = [0.0] * len(messages)
        langs: list[tuple[str, float, float]] = [(ENGLISH, 0.0, 0.0)] * len(messages)
        fresh: dict[str, _Author] = {}  # joins self.authors at its first message, as in feed
        for name, idx in by_author.items():
            author = self.authors.get(name) or fresh.setdefault(name, self._new_author())
            mine = [t_counts[tix[i]] for i in idx]
            zc, zw = author.scorer.bulk_bags(mine, running.get(name))
            for i, c, w in zip(idx, zc, zw, strict=True):
                z_cum[i] = c
                z_win[i] = w
            if author.languages is not None:
                alone = {lang: [v[tix[i]] for i in idx] for lang, v in t_alone.items()}
                for i, lr in zip(idx, author.languages.bulk(mine, running.get(name), alone), strict=True):
                    langs[i] = lr
        out = []
        for i, m in enumerate(messages):
            a = self.authors.get(m.author) or self.authors.setdefault(m.author, fresh[m.author])
            feats = a.scorer.features_from(z_cum[i], z_win[i], hits[i])
            out.append(self._step(m, a, hits[i], feats, mz[i], False, langs[i]))
        return out

    def _read_texts(self, texts: list[str]) -> tuple[list[dict[int, int]], list[list[CueHit]]]:
        """Feature counts and cue hits of each text (already through `normalise`). A long list
        is read in two halves at once: the second in a forked copy of this process (see
        `heroes.core.workers.forked`), whose cue hits come back as positions in the cue set."""
        fz, cues = self.featurizer, self.cues
        if len(texts) < _FORK_MIN_TEXTS:
            return [fz.normalised_counts(n) for n in texts], [cues.find_folded(fold_normalised(n)) for n in texts]
        half = len(texts) // 2
        position = {c.id: i for i, c in enumerate(cues.cues)}

        def second_half() -> tuple[list[dict[int, int]], list[list[tuple[int, str, int, int]]]]:
            counts = [fz.normalised_counts(n) for n in texts[half:]]
            found = [cues.find_folded(fold_normalised(n)) for n in texts[half:]]
            return counts, [[(position[h.cue.id], h.language, h.start, h.end) for h in hs] for hs in found]

        with forked(second_half) as join:
            counts = [fz.normalised_counts(n) for n in texts[:half]]
            hits = [cues.find_folded(fold_normalised(n)) for n in texts[:half]]
            more, found = join()
        counts.extend(more)
        hits.extend([CueHit(cues.cues[c], lang, a, b) for c, lang, a, b in hs] for hs in found)
        return counts, hits

    def _step(
        self,
        message: Message,
        a: _Author,
        hits: list[CueHit],
        feats: list[float],
        message_z: float,
        snapshot: bool,
        lang: tuple[str, float, float] = (ENGLISH, 0.0, 0.0),
    ) -> Assessment:
        self.index += 1
        a.risk = a.scorer.risk(feats)
        a.recent.append(a.risk)
        k = self.model.policy.raise_after
        if len(a.recent) > k:
            a.recent.popleft()
        a.peak = max(a.peak, min(a.recent))
        a.evidence, n_stages = a.scorer.stage_evidence()
        by_model = a.hysteresis.update(a.risk)
        a.language, a.language_risk, alone = lang
        learned = self.languages.get(a.language)
        if learned is not None and (a.learned_top is None or alone > a.learned_top[0]):
            a.learned_top = (alone, snippet(message.text))
        if learned is None:  # English: the main model's risk gates the stage rule
            by_stages = a.stage_hysteresis.update_stages(a.evidence, n_stages, a.risk)
        else:  # another language: its learned score does, and can warn on its own
            by_stages = a.stage_hysteresis.update_stages(a.evidence, n_stages, a.language_risk, learned.min_risk)
        by_language = False
        for name, lh in a.language_hysteresis.items():
            by_language = lh.update(a.language_risk if name == a.language else 0.0) or by_language
        a.warning = by_model or by_stages or by_language
        if a.warning and a.first_warning is None:
            a.first_warning = self.index
        new: list[Evidence] = []
        for h in hits:
            ev = Evidence(self.index, message.author, h.cue.id, snippet(message.text, h))
            self.stages.setdefault(h.cue.stage, []).append(ev)
            new.append(ev)
            best = self._best.get(message.author)
            if best is None or self._rank(ev) > self._rank(best):
                self._best[message.author] = ev
        was = self.warning
        self.warning = a.warning or (was and any(x.warning for x in self.authors.values()))
        alert = None
        if self.warning and (not was or (a.warning and hits)):
            alert = self._alert(message, new, renew=was)
            if alert is not None:
                self.alerts.append(alert)
        evidence = max(map(_EVIDENCE, self.authors.values()))
        level = "warning" if self.warning else "watch" if evidence >= self.model.stage_rule.watch_at else "none"
        return Assessment(
            index=self.index,
            author=message.author,
            message_risk=sigmoid(message_z),
            risk=self.risk,
            author_risk={n: x.risk for n, x in self.authors.items()},
            warning=self.warning,
            cues=[h.cue.id for h in hits],
            # a snapshot, not a live view (none in bulk: copying it each message is quadratic)
            stages={k: list(v) for k, v in self.stages.items()} if snapshot else {},
            alert=alert,
            level=level,
            evidence=evidence,
            language=a.language,
            language_risk=a.language_risk,
        )

    def _rank(self, e: Evidence) -> tuple[int, int]:
        return (self.cues.stage_order(self._by_cue[e.cue]), e.index)

    def _alert(self, message: Message, new: list[Evidence], renew: bool = False) -> Alert | None:
        """Point at the latest, furthest-advanced stage evidence of the warned author; when the
        warning is already up, only a stage not alerted yet makes a new alert."""
        by_cue = self._by_cue
        if renew:
            done = {x.stage for x in self.alerts}
            ours = [e for e in new if by_cue[e.cue] not in done]
            if not ours:
                return None
            top = max(ours, key=self._rank)
            return Alert(self.index, by_cue[top.cue], top.snippet)
        best = self._best.get(message.author)
        if best is not None:
            return Alert(self.index, by_cue[best.cue], best.snippet)
        learned = self.authors[message.author].learned_top
        return Alert(self.index, "model", learned[1] if learned is not None else snippet(message.text))

    @property
    def risk(self) -> float:
        return max(map(_RISK, self.authors.values()), default=0.0)

    def riskiest_author(self) -> str | None:
        if not self.authors:
            return None
        return max(self.authors, key=lambda n: self.authors[n].peak)


def _message_z(counts: dict[int, int], wt: _Weights) -> float:
    S = sum(wt.w[i] * k for i, k in counts.items())
    Q = sum(wt.v[i] * k * k for i, k in counts.items())
    return S / math.sqrt(Q) + wt.b if Q > 1e-12 else wt.b


class _Flat:
    """Count dicts laid out flat: feature ids and counts in dict order, and message offsets."""

    def __init__(self, counts: Sequence[dict[int, int]] | None = None) -> None:
        counts = counts or []
        self.lens = np.fromiter((len(c) for c in counts), dtype=np.int64, count=len(counts))
        total = int(self.lens.sum())
        self.feat = np.fromiter(chain.from_iterable(counts), dtype=np.int64, count=total)
        self.k = np.fromiter(chain.from_iterable(c.values() for c in counts), dtype=np.int64, count=total)
        self._index()

    def _index(self) -> None:
        self.off = np.zeros(len(self.lens) + 1, dtype=np.int64)
        np.cumsum(self.lens, out=self.off[1:])
        self.msg = np.repeat(np.arange(len(self.lens)), self.lens)

    def take(self, rows: Sequence[int]) -> _Flat:
        """The messages `rows` (in that order) as a flat layout of their own."""
        rows_arr = np.asarray(rows, dtype=np.int64)
        out = _Flat()
        out.lens = self.lens[rows_arr]
        at = _ranges(self.off[rows_arr], out.lens)
        out.feat, out.k = self.feat[at], self.k[at]
        out._index()
        return out


def _ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """The concatenation of range(s, s + n) for each start s and length n."""
    ends = np.cumsum(lens)
    out: np.ndarray = np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(starts - (ends - lens), lens)
    return out


def _bulk_message_z(flat: _Flat, wt: _ArrayWeights) -> np.ndarray:
    """`_message_z` of every message (bincount adds in input order, as `sum` does)."""
    n = len(flat.lens)
    S = np.bincount(flat.msg, weights=wt.w_arr[flat.feat] * flat.k, minlength=n)
    Q = np.bincount(flat.msg, weights=wt.v_arr[flat.feat] * flat.k * flat.k, minlength=n)
    return _z(S, Q, wt.b)


def _z(s: np.ndarray, q: np.ndarray, b: float) -> np.ndarray:
    ok = q > 1e-12
    return np.where(ok, s / np.sqrt(np.where(ok, q, 1.0)) + b, b)


def _by_feature(feat: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Event positions sorted by feature, keeping event order within a feature, and where each
    feature's run starts. A counting sort (scipy's CSR to CSC), linear where argsort is not."""
    row = sp.csr_matrix((np.arange(len(feat)), feat, np.array([0, len(feat)])), shape=(1, size))
    col = row.tocsc()
    return np.asarray(col.data, dtype=np.int64), np.asarray(col.indptr, dtype=np.int64)


class _ArrayWeights(Protocol):
    w_arr: np.ndarray
    v_arr: np.ndarray
    b: float


class _Running:
    """One author's messages laid out for the running sums of `_Bag.add`, for the whole-stream
    bag and for the sliding-window bag: each event's new count squared minus old count squared in
    both, and where each event lands in the window's order. Built once per author: every weight
    set (the main model, each language's student) then costs a gather of w and v per event, the
    placing of its terms in the window's order and the cumulative sums.

    One counting sort by feature serves both bags. The window's events come in the order
    `_Bag.add` sees them (step j adds message j, then takes out message j - window); a count in
    the window is a difference of two whole-stream counts, found by binary search in the sorted
    events, since a feature occurs at most once in a message."""

    def __init__(self, flat: _Flat, window: int, size: int) -> None:
        self.flat, self.size = flat, size
        self._done: list[tuple[str, object, object]] = []
        n, feat, k = len(flat.lens), flat.feat, flat.k
        order, starts = _by_feature(feat, size)
        cs = np.cumsum(k[order])  # running total over the sorted events
        cs0 = np.concatenate([[0], cs])
        new_s = cs - np.repeat(cs0[starts[:-1]], np.diff(starts))  # whole-stream count after each
        new = np.empty_like(k)
        new[order] = new_s
        old = new - k
        self.d_stream = new * new - old * old
        # The window: keys sorted as the events are, (feature, message); the count of a feature in
        # messages before m is cs0 at the first key >= (feature, m), less the run's start.
        f_s, m_s = feat[order] * n, flat.msg[order]
        keys = f_s + m_s
        # added at step j: the count in messages j - window .. j
        new_s = cs - cs0[np.searchsorted(keys, f_s + np.maximum(m_s - window, 0))]
        new_add = np.empty_like(k)
        new_add[order] = new_s
        old = new_add - k
        d_add = new_add * new_add - old * old
        gone = max(n - window, 0)  # messages taken out again before the end
        n_out = int(flat.off[gone])
        # taken out (of message i, at step i + window): the count left in messages i+1 .. i+window
        new_s = cs0[np.searchsorted(keys, f_s + np.minimum(m_s + window + 1, n))] - cs
        new_out = np.empty_like(k)
        new_out[order] = new_s
        new_out = new_out[:n_out]
        old = new_out + k[:n_out]
        d_out = new_out * new_out - old * old
        # Where they go: an added event e of message j lands at e + off[j - window] (0 for the first
        # window), a taken-out event of message i right after the adds of step i + window.
        off, lens, total = flat.off, flat.lens, len(feat)
        self.at_add = np.arange(total) + np.repeat(off[np.maximum(np.arange(n) - window, 0)], lens)
        self.at_out = np.arange(n_out) + np.repeat(off[window + 1 : window + 1 + gone], lens[:gone])
        self.d_add, self.d_out, self.n_out = d_add, d_out, n_out
        self.per_step = lens.copy()
        self.per_step[window:] += lens[:gone]

    def prepare(self, weights: _ArrayWeights, window_only: Sequence[_ArrayWeights] = ()) -> _Running:
        """Work out now (in a worker thread) what `stream_z`, `window_z` and `totals` give."""
        self.totals()
        self.stream_z(weights)
        for wt in (weights, *window_only):
            self.window_z(wt)
        return self

    def stream_z(self, wt: _ArrayWeights) -> tuple[np.ndarray, ...]:
        """The whole-stream bag's (z, S, Q) after each message, as `_Bag` has them."""
        d, lens = self.d_stream, self.flat.lens
        return self._memo("stream", wt, lambda: _running_z(self._terms(wt), self._v(wt) * d, lens, wt.b))

    def window_z(self, wt: _ArrayWeights) -> tuple[np.ndarray, ...]:
        """The window bag's (z, S, Q) after each message, as `_Bag` has them: the terms of
        `_Bag.add` (w * count, v * (new**2 - old**2)) placed in the window's order; a
        taken-out event's term is w * -count = -(w * count), exactly."""
        return self._memo("window", wt, lambda: self._window_z(wt))

    def _window_z(self, wt: _ArrayWeights) -> tuple[np.ndarray, ...]:
        n_out, at_add, at_out = self.n_out, self.at_add, self.at_out
        size = len(at_add) + n_out
        t, v = self._terms(wt), self._v(wt)
        s_terms = np.empty(size)
        s_terms[at_add] = t
        s_terms[at_out] = -t[:n_out]
        q_terms = np.empty(size)
        q_terms[at_add] = v * self.d_add
        q_terms[at_out] = v[:n_out] * self.d_out if isinstance(v, np.ndarray) else v * self.d_out
        return _running_z(s_terms, q_terms, self.per_step, wt.b)

    def _terms(self, wt: _ArrayWeights) -> np.ndarray:
        """w * count of each event (as `_Bag.add` adds them), shared by both bags."""
        return self._memo("terms", wt, lambda: wt.w_arr[self.flat.feat] * self.flat.k)

    def _v(self, wt: _ArrayWeights) -> np.ndarray | float:
        """v of each event's feature; 1.0 when every v is 1 (the students: no IDF), since 1.0 * x
        is x exactly and the gather can be skipped."""
        unit = self._memo("unit", wt, lambda: bool(np.all(wt.v_arr == 1.0)))
        return 1.0 if unit else self._memo("v", wt, lambda: wt.v_arr[self.flat.feat])

    def totals(self) -> np.ndarray:
        """Each feature's count over all the messages."""
        return self._memo("totals", None, lambda: np.bincount(self.flat.feat, weights=self.flat.k, minlength=self.size))

    def _memo(self, what: str, wt: object, compute: Callable[[], T]) -> T:
        for key, obj, value in self._done:
            if key == what and obj is wt:
                return cast("T", value)
        value = compute()
        self._done.append((what, wt, value))
        return value


def _running_z(s_terms: np.ndarray, q_terms: np.ndarray, per_step: np.ndarray, b: float) -> tuple[np.ndarray, ...]:
    """The bag's z after each step, from the terms `_Bag.add` adds to S and Q, in its order
    (cumsum adds them one after another, as it does); per_step = events per step. Returns (z, S,
    Q after each step) as `_Bag` has them."""
    n = len(per_step)
    if not len(s_terms):
        return np.full(n, float(b)), np.zeros(n), np.zeros(n)
    S = np.cumsum(s_terms)
    Q = np.cumsum(q_terms)
    ends = np.cumsum(per_step)
    at = np.maximum(ends - 1, 0)
    started = ends > 0
    S_t = np.where(started, S[at], 0.0)
    Q_t = np.where(started, Q[at], 0.0)
    return _z(S_t, Q_t, b), S_t, Q_t
