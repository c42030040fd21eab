"""The streaming analyser as it was before the bulk path (message by message, pure Python),
kept only as the reference the optimised engine is compared with (tests/grooming/test_bulk.py
and benchmarks/grooming/bench_large_chat.py). Not part of the package."""

# ruff: noqa
# mypy: ignore-errors

import unicodedata as _ud
import zlib as _zlib
from collections import Counter as _Counter

from heroes.grooming import cues as _cues
import math
from collections import deque
from dataclasses import dataclass, field

from heroes.chats.model import Message
from heroes.grooming.cues import CueHit, CueSet, default_cues, fold
from heroes.grooming.model import GroomingModel, WarningPolicy, default_model, sigmoid
from heroes.grooming.stream import Alert, Assessment, Evidence
from heroes.grooming.features import Featurizer, feature_strings, normalise


def ref_fold(text: str) -> str:
    decomposed = _ud.normalize("NFKD", normalise(text))
    folded = "".join(ch for ch in decomposed if _ud.category(ch) != "Mn")
    return folded.translate(_cues._LINE_BREAKS)


class RefFeaturizer(Featurizer):
    def counts(self, text):
        mask = self._mask
        crc = _zlib.crc32
        return dict(_Counter(crc(f.encode("utf-8")) & mask for f in feature_strings(text)))


class RefCues:
    """A CueSet whose find() runs every pattern of every cue, with no literal pre-filter."""

    def __init__(self, cues: CueSet) -> None:
        self._c = cues
        self.cues = cues.cues
        self.stages = cues.stages
        self.stage_order = cues.stage_order

    def find(self, text, languages=None):
        folded = ref_fold(text)
        hits = []
        for cue in self.cues:
            for lang, patterns in cue.patterns.items():
                if languages is not None and lang not in languages:
                    continue
                m = next(filter(None, (p.search(folded) for p in patterns)), None)
                if m:
                    hits.append(CueHit(cue, lang, m.start(), m.end()))
                    break
        return hits


LEVELS = ("none", "watch", "warning")  # what people are shown, in words (see `level`)

SNIPPET_CHARS = 80


class _Weights:
    """Per-feature w*idf and idf**2 as Python lists: list indexing beats numpy scalars here."""

    def __init__(self, model: GroomingModel) -> None:
        self.w = (model.text.coef_ * model.text.idf_).tolist()
        self.v = (model.text.idf_**2).tolist()
        self.b = model.text.intercept_


def _weights(model: GroomingModel) -> _Weights:
    """The per-feature lists, cached on the model object (never by id(): ids get reused)."""
    cached = model.__dict__.get("_ref_stream_weights")
    if cached is None or cached[0] is not model.text:
        cached = (model.text, _Weights(model))
        model.__dict__["_ref_stream_weights"] = cached
    return cached[1]


class _Bag:
    """Raw counts with the running TF-IDF dot product (S) and squared norm (Q)."""

    __slots__ = ("Q", "S", "counts")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.S = 0.0
        self.Q = 0.0

    def add(self, msg: dict[int, int], wt: _Weights, sign: int = 1) -> None:
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


class AuthorScorer:
    """One participant's evidence: text score over all and recent messages, decaying cues."""

    def __init__(self, model: GroomingModel) -> None:
        self.model = model
        self._wt = _weights(model)
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
        self.n += 1
        self._cum.add(counts, wt)
        self._win.add(counts, wt)
        self._recent.append(counts)
        if len(self._recent) > cfg.window:
            self._win.add(self._recent.popleft(), wt, sign=-1)
        for h in hits:
            self.cue_last[h.cue.id] = (self.n, h.cue.weight)
            self.cue_stage[h.cue.id] = h.cue.stage
            self.stages.add(h.cue.stage)
        cue = sum(w * 0.5 ** ((self.n - at) / cfg.cue_half_life) for at, w in self.cue_last.values())
        length = min(math.log1p(self.n) / math.log1p(cfg.length_scale), 1.0)
        z_cum = self._cum.z(wt.b)
        return [
            z_cum,
            self._win.z(wt.b),
            z_cum * length,
            cue,
            float(len(self.stages)),
            length,
        ]

    def risk(self, feats: list[float]) -> float:
        st = self.model.stacker
        z = st.intercept_
        for c, f in zip(st.coef_.tolist(), feats, strict=True):
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


class StageHysteresis(Hysteresis):
    """The stage rule's raise and clear, on the stage evidence of one person."""

    def __init__(self, model: GroomingModel) -> None:
        r = model.stage_rule
        super().__init__(WarningPolicy(r.raise_at, r.clear_below, 1, r.clear_after))
        self.min_stages = r.min_stages
        self.min_risk = r.min_risk

    def update_stages(self, evidence: float, stages: int, risk: float) -> bool:
        counts = stages >= self.min_stages and risk >= self.min_risk
        return self.update(evidence if counts else min(evidence, self.policy.clear_below - 1e-9))


def snippet(text: str, hit: CueHit | None = None, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    start = 0
    if hit is not None:
        # Cue offsets are in the folded text; map proportionally onto the original.
        centre = (hit.start + hit.end) / 2 / max(len(ref_fold(text)), 1) * len(text)
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


class RefStreamAnalyser:
    """Feed a conversation message by message; after each, read the current assessment."""

    def __init__(
        self,
        model: GroomingModel | None = None,
        cues: CueSet | None = None,
        featurizer: Featurizer | None = None,
    ) -> None:
        self.model = model or default_model()
        self.cues = RefCues(cues or default_cues())
        self.featurizer = featurizer or RefFeaturizer(self.model.text.n_features)
        self.authors: dict[str, _Author] = {}
        self.stages: dict[str, list[Evidence]] = {}
        self.alerts: list[Alert] = []
        self.index = -1
        self.warning = False
        self._wt = _weights(self.model)

    def _author(self, name: str) -> _Author:
        if name not in self.authors:
            self.authors[name] = _Author(
                AuthorScorer(self.model), Hysteresis(self.model.policy), StageHysteresis(self.model)
            )
        return self.authors[name]

    def feed(self, message: Message) -> Assessment:
        self.index += 1
        counts = self.featurizer.counts(message.text)
        hits = self.cues.find(message.text)
        a = self._author(message.author)
        feats = a.scorer.features(counts, hits)
        a.risk = a.scorer.risk(feats)
        a.recent.append(a.risk)
        k = self.model.policy.raise_after
        if len(a.recent) > k:
            a.recent.popleft()
        a.peak = max(a.peak, min(a.recent))
        a.evidence, n_stages = a.scorer.stage_evidence()
        by_model = a.hysteresis.update(a.risk)
        by_stages = a.stage_hysteresis.update_stages(a.evidence, n_stages, a.risk)
        a.warning = by_model or by_stages
        if a.warning and a.first_warning is None:
            a.first_warning = self.index
        for h in hits:
            ev = Evidence(self.index, message.author, h.cue.id, snippet(message.text, h))
            self.stages.setdefault(h.cue.stage, []).append(ev)
        was = self.warning
        self.warning = any(x.warning for x in self.authors.values())
        alert = None
        if self.warning and (not was or (a.warning and hits)):
            alert = self._alert(message, hits, renew=was)
            if alert is not None:
                self.alerts.append(alert)
        evidence = max(x.evidence for x in self.authors.values())
        level = "warning" if self.warning else "watch" if evidence >= self.model.stage_rule.watch_at else "none"
        return Assessment(
            index=self.index,
            author=message.author,
            message_risk=sigmoid(_message_z(counts, self._wt)),
            risk=self.risk,
            author_risk={n: x.risk for n, x in self.authors.items()},
            warning=self.warning,
            cues=[h.cue.id for h in hits],
            stages={k: list(v) for k, v in self.stages.items()},  # a snapshot, not a live view
            alert=alert,
            level=level,
            evidence=evidence,
        )

    def _alert(self, message: Message, hits: list[CueHit], renew: bool = False) -> Alert | None:
        """Point at the latest, furthest-advanced stage evidence of the warned author; when the
        warning is already up, only a stage not alerted yet makes a new alert."""
        ours = [e for evs in self.stages.values() for e in evs if e.author == message.author]
        by_cue = {c.id: c.stage for c in self.cues.cues}
        if renew:
            done = {x.stage for x in self.alerts}
            ours = [e for e in ours if e.index == self.index and by_cue[e.cue] not in done]
            if not ours:
                return None
        if ours:
            order = self.cues.stage_order
            best = max(ours, key=lambda e: (order(by_cue[e.cue]), e.index))
            return Alert(self.index, by_cue[best.cue], best.snippet)
        return Alert(self.index, "model", snippet(message.text))

    @property
    def risk(self) -> float:
        return max((a.risk for a in self.authors.values()), default=0.0)

    def riskiest_author(self) -> str | None:
        if not self.authors:
            return None
        return max(self.authors, key=lambda n: self.authors[n].peak)


def _message_z(counts: dict[int, int], wt: _Weights) -> float:
    S = sum(wt.w[i] * k for i, k in counts.items())
    Q = sum(wt.v[i] * k * k for i, k in counts.items())
    return S / math.sqrt(Q) + wt.b if Q > 1e-12 else wt.b
