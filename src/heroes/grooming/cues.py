"""Grooming cues: stage-labelled phrases in several languages, loaded from data/cues.yaml."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from heroes.grooming.features import normalise
from heroes.text import localized

LocalText = dict[str, str]


@dataclass(frozen=True)
class Stage:
    id: str
    order: int
    name: LocalText  # the research term, for professionals
    description: LocalText
    parent: LocalText  # plain words for a parent ("checking whether the child is alone")
    child: LocalText  # plain words for a child ("trying to find out if you are alone")


@dataclass(frozen=True)
class Cue:
    id: str
    stage: str
    weight: float
    explain_child: LocalText
    explain_adult: LocalText
    patterns: dict[str, tuple[re.Pattern[str], ...]] = field(repr=False)


@dataclass(frozen=True)
class CueHit:
    cue: Cue
    language: str
    start: int
    end: int


def fold(text: str) -> str:
    """The form cue patterns are written against: lower case, no accents ("años" -> "anos").

    Drops non-spacing marks (category Mn), as the browser scorer does with /\\p{Mn}/gu, so
    both see the same text."""
    text = normalise(text)
    if text.isascii():  # NFKD leaves ASCII as it is and it has no marks to drop
        return text.translate(_LINE_BREAKS)
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    # JavaScript's "." also stops at these: make them line breaks for both.
    return folded.translate(_LINE_BREAKS)


_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n"})


def pick(value: LocalText, lang: str) -> str:
    """The text in `lang`, falling back to English (rule sets always carry English)."""
    return localized(value, lang)


class CueSet:
    """All cues, with a single pre-filter regex so most messages cost one search."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.stages = {
            s["id"]: Stage(
                s["id"],
                int(s["order"]),
                dict(s["name"]),
                dict(s["description"]),
                dict(s.get("parent") or s["name"]),
                dict(s.get("child") or s["name"]),
            )
            for s in data["stages"]
        }
        self.advice: dict[str, LocalText] = {k: dict(v) for k, v in data["advice"].items()}
        cues = []
        for c in data["cues"]:
            if c["stage"] not in self.stages:
                raise ValueError(f"cue {c['id']}: unknown stage {c['stage']!r}")
            # ASCII classes and \b, as JavaScript's RegExp has them: the browser scorer runs the
            # same patterns on the same folded text and must find the same cues.
            patterns = {lang: tuple(re.compile(p, re.ASCII) for p in pats) for lang, pats in c["patterns"].items()}
            cues.append(
                Cue(
                    id=c["id"],
                    stage=c["stage"],
                    weight=float(c["weight"]),
                    explain_child=dict(c["explain"]["child"]),
                    explain_adult=dict(c["explain"]["adult"]),
                    patterns=patterns,
                )
            )
        self.cues: tuple[Cue, ...] = tuple(cues)
        self.languages = sorted({lang for c in cues for lang in c.patterns})
        # A pattern only runs when one of its anchor literals occurs: substring tests are much
        # cheaper than regex searches, and most chat lines contain no anchor at all.
        self._plan: list[tuple[Cue, str, list[tuple[re.Pattern[str], frozenset[str] | None]]]] = []
        words: set[str] = set()
        for c in cues:
            for lang, pats in c.patterns.items():
                steps = []
                for p in pats:
                    a = anchor(p.pattern)
                    steps.append((p, frozenset(a) if a else None))
                    words.update(a or ())
                self._plan.append((c, lang, steps))
        self._anchor_words = sorted(words)
        # Which plan entries an anchor can wake up; entries with an anchorless pattern always run.
        self._always: list[int] = []
        self._woken: dict[str, list[int]] = {}
        for pi, (_, _, steps) in enumerate(self._plan):
            if any(anchors is None for _, anchors in steps):
                self._always.append(pi)
            else:
                for w in set().union(*(anchors or () for _, anchors in steps)):
                    self._woken.setdefault(w, []).append(pi)
        # Anchors by their first two characters: only those whose pair occurs in the text are
        # tested (one-character anchors always are).
        self._short_anchors = [w for w in self._anchor_words if len(w) < 2]
        self._by_pair: dict[str, list[str]] = {}
        for w in self._anchor_words:
            if len(w) >= 2:
                self._by_pair.setdefault(w[:2], []).append(w)
        self._pairs = frozenset(self._by_pair)

    def find(self, text: str, languages: list[str] | None = None) -> list[CueHit]:
        """Every cue whose pattern occurs in `text` (each cue at most once)."""
        folded = fold(text)
        has = folded.__contains__
        present = set(filter(has, self._short_anchors))
        for pair in self._pairs.intersection([folded[i : i + 2] for i in range(len(folded) - 1)]):
            present.update(filter(has, self._by_pair[pair]))
        hits: list[CueHit] = []
        done: set[str] = set()
        if present:
            todo = set(self._always)
            for w in present:
                todo.update(self._woken.get(w, ()))
            plan = [self._plan[pi] for pi in sorted(todo)]
        else:
            plan = [self._plan[pi] for pi in self._always]
        for cue, lang, steps in plan:
            if cue.id in done or (languages is not None and lang not in languages):
                continue
            for pattern, anchors in steps:
                if anchors is not None and anchors.isdisjoint(present):
                    continue
                m = pattern.search(folded)
                if m:
                    hits.append(CueHit(cue, lang, m.start(), m.end()))
                    done.add(cue.id)
                    break
        return hits

    def stage_order(self, stage_id: str) -> int:
        return self.stages[stage_id].order


def anchor(pattern: str) -> tuple[str, ...] | None:
    """Literals of which every match of `pattern` must contain one, or None if unknown.

    Looks at top-level pieces only: a literal run, or a group of plain alternatives such as
    "(parents|mom|dad)" that no quantifier makes optional; keeps the most selective piece.
    """
    pieces: list[tuple[str, ...]] = []
    run = ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        nxt = pattern[i + 1] if i + 1 < len(pattern) else ""
        if ch == "(":
            close = _group_end(pattern, i)
            body = pattern[i + 1 : close]
            quantified = close + 1 < len(pattern) and pattern[close + 1] in "?*+{"
            if not quantified and all(c.isalnum() or c in " '/|" for c in body):
                pieces.append(tuple(alt.strip() for alt in body.split("|")))
            pieces.append((run,))
            run = ""
            i = close + 1
            continue
        if ch == "|":
            return None  # top-level alternatives: nothing common to all matches
        if (ch.isalnum() or ch in " '/") and nxt not in ("?", "*", "+", "{"):
            run += ch
        else:
            pieces.append((run,))
            run = ""
            if ch == "\\":
                i += 1  # skip the escaped character
            elif ch == "[":
                i = pattern.find("]", i + 1) if "]" in pattern[i + 1 :] else len(pattern)
        i += 1
    pieces.append((run,))
    pieces = [tuple(a.strip() for a in p) for p in pieces]
    best = max(pieces, key=lambda p: min(len(a) for a in p))
    return best if min(len(a) for a in best) >= 3 else None


def _group_end(pattern: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(pattern[i], 0)
        if depth == 0:
            return i
        i += 1
    return len(pattern) - 1


def load_cues_data() -> dict[str, Any]:
    text = resources.files("heroes.grooming").joinpath("data/cues.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@lru_cache(maxsize=1)
def default_cues() -> CueSet:
    return CueSet(load_cues_data())
