"""Grooming cues: stage-labelled phrases in several languages, loaded from data/cues.yaml."""

from __future__ import annotations

import re
import sys
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
    return fold_normalised(normalise(text))


def fold_normalised(text: str) -> str:
    """`fold` of a text already through `normalise`."""
    if text.isascii():  # NFKD leaves ASCII as it is and it has no marks to drop
        return text.translate(_LINE_BREAKS)
    # JavaScript's "." also stops at these: make them line breaks for both.
    return unicodedata.normalize("NFKD", text).translate(_fold_table())


_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n"})


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str | None]:
    """Line breaks as `_LINE_BREAKS`, and every non-spacing mark (category Mn) dropped."""
    table: dict[int, str | None] = dict.fromkeys(
        (cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Mn"), None
    )
    table.update(_LINE_BREAKS)
    return table


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
        # A pattern only runs when every literal it needs occurs (one alternative of each
        # required piece): substring tests are much cheaper than regex searches, and most chat
        # lines contain none of the rarer literals. The pieces are ordered rarest first.
        self._plan: list[tuple[Cue, str, list[tuple[re.Pattern[str], tuple[frozenset[str], ...]]]]] = []
        words: set[str] = set()
        for c in cues:
            for lang, pats in c.patterns.items():
                steps = []
                for p in pats:
                    reqs = tuple(frozenset(piece) for piece in anchor_pieces(p.pattern))
                    steps.append((p, reqs))
                    words.update(*reqs)
                self._plan.append((c, lang, steps))
        self._anchor_words = sorted(words)
        # Which plan entries an anchor can wake up (by each pattern's rarest piece); entries with
        # a pattern that needs no literal always run.
        self._always: list[int] = []
        self._woken: dict[str, list[int]] = {}
        for pi, (_, _, steps) in enumerate(self._plan):
            if any(not reqs for _, reqs in steps):
                self._always.append(pi)
            else:
                for w in set().union(*(reqs[0] for _, reqs in steps)):
                    self._woken.setdefault(w, []).append(pi)
        # Which anchors occur is read off the text's words: an anchor of letters and digits
        # occurs exactly when it is inside one of the words (runs of [a-z0-9]), and what each
        # word holds is worked out once per distinct word. An anchor of several words is looked
        # for only when each of its words occurs; the few others (a/s/l, don't) always are.
        self._multi: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        self._odd: list[str] = []
        singles: set[str] = set()
        for w in self._anchor_words:
            if _WORD.fullmatch(w):
                singles.add(w)
            elif _WORDS.fullmatch(w):
                parts = tuple(w.split())
                singles.update(parts)
                self._multi.setdefault(parts[0], []).append((w, parts))
            else:
                self._odd.append(w)
        self._in_word = _AnchorsInWord(sorted(singles))
        self._by_woken: dict[frozenset[str], tuple[_Candidate, ...]] = {}
        self._wake_words = frozenset(self._woken)

    def present(self, folded: str) -> set[str]:
        """The anchor literals (and words of multi-word anchors) that occur in a folded text."""
        inside = self._in_word
        if len(inside) > _WORD_CACHE_MAX:
            inside.clear()
        found: set[str] = set().union(*map(inside.__getitem__, set(_WORD.findall(folded))))
        if found:
            for first in self._multi.keys() & found:
                for w, parts in self._multi[first]:
                    if w in folded and all(p in found for p in parts):
                        found.add(w)
        if self._odd:
            found.update(filter(folded.__contains__, self._odd))
        return found

    def find(self, text: str, languages: list[str] | None = None) -> list[CueHit]:
        """Every cue whose pattern occurs in `text` (each cue at most once)."""
        return self.find_folded(fold(text), languages)

    def find_folded(self, folded: str, languages: list[str] | None = None) -> list[CueHit]:
        """`find` on a text already folded (`fold`)."""
        present = self.present(folded)
        hits: list[CueHit] = []
        done: set[str] = set()
        for cue, lang, pattern, more in self._candidates(self._wake_words.intersection(present)):
            if cue.id in done or (languages is not None and lang not in languages):
                continue
            if any(r.isdisjoint(present) for r in more):
                continue
            m = pattern.search(folded)
            if m:
                hits.append(CueHit(cue, lang, m.start(), m.end()))
                done.add(cue.id)
        return hits

    def _candidates(self, woken: frozenset[str]) -> tuple[_Candidate, ...]:
        """The patterns whose rarest piece occurs, in plan order, with the pieces left to check.
        Chats repeat the same few sets of rare anchor words, so each set is worked out once."""
        known = self._by_woken.get(woken)
        if known is not None:
            return known
        todo = set(self._always)
        for w in woken:
            todo.update(self._woken.get(w, ()))
        out: list[_Candidate] = []
        for pi in sorted(todo):
            cue, lang, steps = self._plan[pi]
            out.extend((cue, lang, p, reqs[1:]) for p, reqs in steps if not reqs or not reqs[0].isdisjoint(woken))
        if len(self._by_woken) > _WORD_CACHE_MAX:
            self._by_woken.clear()
        found = self._by_woken[woken] = tuple(out)
        return found

    def stage_order(self, stage_id: str) -> int:
        return self.stages[stage_id].order


_Candidate = tuple[Cue, str, re.Pattern[str], tuple[frozenset[str], ...]]
_WORD = re.compile(r"[a-z0-9]+")
_WORDS = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)+")
_WORD_CACHE_MAX = 200_000  # distinct words remembered before starting afresh


class _AnchorsInWord(dict[str, frozenset[str]]):
    """word -> the anchors inside it, worked out on first use."""

    def __init__(self, anchors: list[str]) -> None:
        super().__init__()
        self.anchors = anchors

    def __missing__(self, word: str) -> frozenset[str]:
        found = frozenset(a for a in self.anchors if a in word)
        self[word] = found
        return found


def anchor(pattern: str) -> tuple[str, ...] | None:
    """Literals of which every match of `pattern` must contain one, or None if unknown: the
    most selective of `anchor_pieces`."""
    pieces = anchor_pieces(pattern)
    return pieces[0] if pieces else None


def anchor_pieces(pattern: str, min_len: int = 2) -> list[tuple[str, ...]]:
    """Pieces of which every match of `pattern` contains one literal each, rarest first.

    A piece is a literal run, or the alternatives of a group that no quantifier makes optional
    ("(parents|mom|dad)"; an alternative gives its own rarest piece: "(videos?|fotos)" needs
    "video" or "fotos"). Lookarounds and optional parts give nothing. Keeps pieces whose
    literals all have at least `min_len` characters; empty when nothing is known.
    """
    kept = {tuple(sorted(p)) for p in _pieces(pattern) if p and min(len(a) for a in p) >= min_len}
    return sorted(kept, key=lambda p: (-min(len(a) for a in p), p))


def _rarest(pieces: list[frozenset[str]]) -> frozenset[str] | None:
    usable = [p for p in pieces if p and min(len(a) for a in p) >= 2]
    return max(usable, key=lambda p: (min(len(a) for a in p), sorted(p)), default=None)


def _pieces(pattern: str) -> list[frozenset[str]]:
    alternatives = _split_alternatives(pattern)
    if len(alternatives) == 1:
        return _sequence_pieces(pattern)
    rarest = [_rarest(_sequence_pieces(alt)) for alt in alternatives]
    if any(r is None for r in rarest):
        return []  # an alternative that needs no literal: nothing common to all matches
    return [frozenset().union(*(r for r in rarest if r is not None))]


def _split_alternatives(pattern: str) -> list[str]:
    """`pattern` split at its top-level "|"."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = _class_end(pattern, i) + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _class_end(pattern: str, start: int) -> int:
    """The index of the "]" closing the character class opened at `start`."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1  # a "]" first in the class is a literal
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return min(i, len(pattern))


def _sequence_pieces(pattern: str) -> list[frozenset[str]]:
    """The pieces of a pattern without top-level alternatives."""
    pieces: list[frozenset[str]] = []
    run = ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        nxt = pattern[i + 1] if i + 1 < len(pattern) else ""
        if ch == "(":
            close = _group_end(pattern, i)
            body = pattern[i + 1 : close]
            after = pattern[close + 1 : close + 2]
            optional = after in ("?", "*") or (after == "{" and pattern[close + 2 : close + 3] in ("0", ","))
            if body.startswith("?:"):
                body = body[2:]
            elif body.startswith("?"):
                optional = True  # a lookaround: it reads the text but needs nothing of it
            if not optional:
                pieces.extend(_pieces(body))
            pieces.append(frozenset([run.strip()]))
            run = ""
            i = close + 1
            continue
        if (ch.isalnum() or ch in " '/") and nxt not in ("?", "*", "+", "{"):
            run += ch
        else:
            pieces.append(frozenset([run.strip()]))
            run = ""
            if ch == "\\":
                i += 1  # skip the escaped character
            elif ch == "[":
                i = _class_end(pattern, i)
            elif ch == "{":
                i = pattern.find("}", i + 1) if "}" in pattern[i + 1 :] else len(pattern)  # {m,n}: no literal
        i += 1
    pieces.append(frozenset([run.strip()]))
    return pieces


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
