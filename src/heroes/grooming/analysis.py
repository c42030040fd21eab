"""Whole-conversation analysis on top of the streaming analyser: reports, batch scores and
PAN 2012 style identification. The CLI and web pages are thin layers over these functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from heroes.chats.model import Conversation, Message
from heroes.grooming.corpus import segment_turns
from heroes.grooming.cues import CueSet, default_cues, pick
from heroes.grooming.model import GroomingModel, default_model
from heroes.grooming.stream import LEVELS as STEP_LEVELS
from heroes.grooming.stream import Alert, StreamAnalyser

LEVELS = ((0.0, "low"), (0.5, "elevated"), (0.8, "high"))


@dataclass
class AuthorSummary:
    author: str
    messages: int
    risk: float  # after their last message
    peak: float  # highest risk held over `raise_after` consecutive messages
    first_warning: int | None
    language: str = "en"  # the language the engine reads this person as writing
    language_risk: float = 0.0  # the learned score of that language after their last message (0 for English)


@dataclass
class StageFinding:
    stage: str
    name: str
    description: str
    evidence: list[dict[str, Any]]


@dataclass
class Report:
    conversation: str
    messages: int
    participants: list[str]
    score: float  # the model's sustained risk of the riskiest participant (professionals only)
    label: bool  # a warning was raised (by the model or by the stage rule)
    threshold: float
    alert_at: int | None
    riskiest_author: str | None
    risk_over_time: list[float]
    stages: list[StageFinding]
    authors: list[AuthorSummary]
    alerts: list[Alert]
    advice: str
    model_terms: list[str] = field(default_factory=list)  # words behind the riskiest score
    level: str = "low"
    model_version: str = ""
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def level_of(score: float, threshold: float) -> str:
    if score >= threshold:
        return "high"
    if score >= min(0.5, threshold * 0.75):
        return "elevated"
    return "low"


def analyse(
    conv: Conversation,
    lang: str = "en",
    model: GroomingModel | None = None,
    cues: CueSet | None = None,
) -> Report:
    model = model or default_model()
    cues = cues or default_cues()
    an = StreamAnalyser(model, cues)
    readable = [msg for msg in conv.messages if msg.text.strip()]
    skipped = len(conv.messages) - len(readable)  # attachments only: nothing to read
    steps = an.feed_many(readable)
    curve = [round(step.risk, 4) for step in steps]
    seen = max((step.level for step in steps), key=STEP_LEVELS.index, default="none")
    k = model.policy.raise_after
    authors = [
        AuthorSummary(
            name,
            a.scorer.n,
            round(a.risk, 4),
            # Short streams cannot hold a risk for k messages: use what they have.
            round(a.peak if a.scorer.n >= k else min(a.recent, default=0.0), 4),
            a.first_warning,
            a.language,
            round(a.language_risk, 4),
        )
        for name, a in an.authors.items()
    ]
    authors.sort(key=lambda s: -s.peak)
    by_cue = {c.id: c for c in cues.cues}
    stages = []
    for sid in sorted(an.stages, key=cues.stage_order):
        st = cues.stages[sid]
        evidence = [
            {
                "index": e.index,
                "author": e.author,
                "cue": e.cue,
                "snippet": e.snippet,
                "explanation": pick(by_cue[e.cue].explain_adult, lang),
            }
            for e in an.stages[sid]
        ]
        stages.append(StageFinding(sid, pick(st.name, lang), pick(st.description, lang), evidence))
    score = authors[0].peak if authors else 0.0
    terms = top_terms(model, [m.text for m in conv.messages if m.author == authors[0].author]) if authors else []
    warn_at = [a.first_warning for a in authors if a.first_warning is not None]
    # The level in words comes from the warning and the stage evidence, not from the model's
    # number alone (which is high on short, ordinary chats): "high" = a warning was raised,
    # "elevated" = at least one clear step seen, "low" = neither.
    lvl = {"warning": "high", "watch": "elevated", "none": "low"}[seen]
    notes = [f"{skipped} messages without text (attachments only) were not read"] if skipped else []
    return Report(
        conversation=conv.id,
        messages=len(conv.messages),
        participants=conv.participants,
        score=round(score, 4),
        label=bool(warn_at),
        threshold=model.threshold,
        alert_at=min(warn_at) if warn_at else None,
        riskiest_author=authors[0].author if authors and score > 0 else None,
        risk_over_time=curve,
        stages=stages,
        authors=authors,
        alerts=an.alerts,
        advice=pick(cues.advice[lvl], lang),
        level=lvl,
        model_version=str(model.metadata.get("sha256", ""))[:12],
        warnings=notes,
        model_terms=terms,
    )


def warm_up() -> None:
    """Load what an analysis needs (model, cues, their lookup tables) ahead of the first one."""
    from heroes.grooming.cues import fold

    model = default_model()
    fold("años")  # builds the table of marks to drop
    StreamAnalyser(model, default_cues()).feed_many([Message("a", "hola, how are you?")])


def top_terms(model: GroomingModel, texts: list[str], k: int = 8, last: int = 500) -> list[str]:
    """The words and word pairs that pushed the text model's score up the most, for one author
    (their last `last` messages): the model's side of the explanation."""
    from heroes.grooming.features import Featurizer

    fz = Featurizer(model.text.n_features)
    w = model.text.coef_ * model.text.idf_
    weight: dict[str, float] = {}
    for text in texts[-last:]:
        for idx, name in fz.readable(text).items():
            weight[name] = weight.get(name, 0.0) + float(w[idx])
    ranked = sorted((v, n) for n, v in weight.items() if v > 0)
    return [n for _, n in reversed(ranked[-k:])]


def conversation_from_text(text: str, cid: str = "text") -> Conversation:
    """A chat segment given as plain text: 'speaker: words' turns when present, else lines."""
    turns = segment_turns(text)
    if len(turns) <= 1:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        turns = [("?", ln) for ln in lines]
    return Conversation(cid, [Message(a, t) for a, t in turns])


def score_record(record: dict[str, Any], model: GroomingModel | None = None) -> dict[str, Any]:
    """One batch row: {"id", "text"} or {"id", "messages": [...]} -> the score line."""
    rid = record.get("id")
    if rid is None:
        raise ValueError("each record needs an 'id'")
    if isinstance(record.get("messages"), list):
        from heroes.chats.parsers.json_format import conversation_from_dict

        conv = conversation_from_dict(record, f"record {rid}", str(rid))
        from_text = False
    elif isinstance(record.get("text"), str):
        conv = conversation_from_text(record["text"], str(rid))
        from_text = True
    else:
        raise ValueError(f"record {rid}: needs 'text' (a string) or 'messages' (a list)")
    model = model or default_model()
    rep = analyse(conv, model=model)
    score, label = rep.score, rep.label
    if from_text and model.segment is not None:
        score = segment_score(record["text"], model)
        label = score >= model.segment_threshold
    return {
        "id": rid,
        "score": round(score, 4),
        "label": int(label),
        "stages": [s.stage for s in rep.stages],
        "alert_at": None if from_text else rep.alert_at,
    }


def segment_score(text: str, model: GroomingModel | None = None) -> float:
    """P(grooming) of a chat segment given as one text, by the segment model."""
    import scipy.sparse as sp

    from heroes.grooming.features import Featurizer

    model = model or default_model()
    if model.segment is None:
        raise ValueError("this model has no segment scorer; rebuild it with `heroes grooming train`")
    counts = Featurizer(model.segment.n_features).counts(text)
    row = sp.csr_matrix(
        (list(counts.values()), list(counts.keys()), [0, len(counts)]),
        shape=(1, model.segment.n_features),
        dtype=np.float64,
    )
    return float(model.segment.predict_proba(row)[0, 1])


def identify(
    conversations: Iterable[Conversation], model: GroomingModel | None = None
) -> tuple[list[str], list[tuple[str, str]]]:
    """PAN 2012: suspected predators (task 1) and their distinctive lines (task 2)."""
    model = model or default_model()
    cues = default_cues()
    suspects: dict[str, None] = {}
    lines: list[tuple[str, str]] = []
    for conv in conversations:
        rep = analyse(conv, model=model, cues=cues)
        flagged = {a.author for a in rep.authors if a.peak >= model.threshold}
        suspects.update(dict.fromkeys(sorted(flagged)))
        if not flagged:
            continue
        an = StreamAnalyser(model, cues)
        for i, (msg, a) in enumerate(zip(conv.messages, an.feed_many(conv.messages), strict=True)):
            if msg.author in flagged and (a.cues or a.message_risk >= 0.5):
                lines.append((conv.id, msg.ref or str(i + 1)))
    return list(suspects), lines
