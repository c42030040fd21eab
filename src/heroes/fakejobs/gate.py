"""A cheap pre-check that lets the indicator regexes run only on ads that could match them.

Scanning every ad with ~140 case-insensitive regexes costs milliseconds per ad; most ads match
none. From each regex we derive, by walking its parse tree, the finite set of words a match can
start with ("registration", "application", ...). An ad's words are collected once (one C-level
`findall`), and a regex runs only when one of its first words is among them. When the first word
cannot be enumerated (it starts with a digit run or a wildcard) the regex always runs, so the gate
never changes a result, it only skips work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812
from re import _parser as P  # type: ignore[attr-defined]  # noqa: N812
from typing import Any, cast

WORDS = re.compile(r"\w+")
MAX_WORDS = 4000
_WORD_CHAR = re.compile(r"\w")


class _Unbounded(Exception):
    """The first word of the regex cannot be listed."""


@dataclass(frozen=True)
class Gate:
    words: frozenset[str]  # complete first words
    prefixes: tuple[str, ...]  # first words that may continue (the regex ends mid-word)

    def admits(self, tokens: set[str], lowered: str) -> bool:
        return not self.words.isdisjoint(tokens) or any(p in lowered for p in self.prefixes)

    def starts(self, tokens: set[str], lowered: str) -> list[int]:
        """Where a match can begin: the first words' occurrences at a word start."""
        found: list[int] = []
        for word in self.words & tokens:
            found.extend(_positions(lowered, word, whole=True))
        for prefix in self.prefixes:
            found.extend(_positions(lowered, prefix, whole=False))
        return sorted(set(found))


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what \w matches in a str pattern


def _positions(lowered: str, word: str, whole: bool) -> list[int]:
    # str.find is a fast literal search; a regex with a lookbehind would scan character by character.
    out = []
    size = len(word)
    i = lowered.find(word)
    while i != -1:
        end = i + size
        if (i == 0 or not _is_word(lowered[i - 1])) and (
            not whole or end >= len(lowered) or not _is_word(lowered[end])
        ):
            out.append(i)
        i = lowered.find(word, i + 1)
    return out


def finditer(
    pattern: re.Pattern[str], gate: Gate | None, text: str, words: tuple[set[str], str]
) -> list[re.Match[str]]:
    """The same matches as `pattern.finditer(text)`, trying only where a match can begin."""
    tokens, lowered = words
    if gate is None or len(lowered) != len(text):  # lower() changed offsets: scan it all
        return list(pattern.finditer(text))
    matches = []
    end = 0
    for position in gate.starts(tokens, lowered):
        if position < end:
            continue
        match = pattern.match(text, position)  # \b still sees the character before `position`
        if match:
            matches.append(match)
            end = max(match.end(), position + 1)
    return matches


# A state: (letters of the first word so far, whether the word is complete).
State = tuple[str, bool]


def _chars_of_set(items: list[tuple[object, object]]) -> list[str]:
    chars: list[str] = []
    for op, av in items:
        if op is C.LITERAL:
            chars.append(chr(av))  # type: ignore[arg-type]
        elif op is C.RANGE:
            low, high = cast(tuple[int, int], av)
            if high - low > 30:
                raise _Unbounded
            chars.extend(chr(c) for c in range(low, high + 1))
        elif op is C.CATEGORY and av is C.CATEGORY_DIGIT:
            chars.extend("0123456789")
        elif op is C.CATEGORY and av is C.CATEGORY_SPACE:
            chars.append(" ")
        else:
            raise _Unbounded
    return chars


def _step_char(states: set[State], ch: str) -> set[State]:
    out: set[State] = set()
    for word, done in states:
        if done:
            out.add((word, done))
        elif _WORD_CHAR.match(ch):
            out.add((word + ch.lower(), False))
        else:  # a non-word character ends the word (or precedes it)
            out.add((word, bool(word)))
    return out


def _walk(items: list[tuple[object, object]], states: set[State]) -> set[State]:
    for op, av in items:
        if all(done for _, done in states):
            return states
        if op is C.AT:
            states = {(w, d or bool(w)) for w, d in states} if av is C.AT_BOUNDARY else states
        elif op is C.LITERAL:
            states = _step_char(states, chr(av))  # type: ignore[arg-type]
        elif op is C.IN:
            states = set().union(*(_step_char(states, ch) for ch in _chars_of_set(av)))  # type: ignore[arg-type]
        elif op is C.SUBPATTERN:
            states = _walk(list(av[-1]), states)  # type: ignore[index]
        elif op is C.BRANCH:
            states = set().union(*(_walk(list(branch), states) for branch in av[1]))  # type: ignore[index]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, high, body = cast(tuple[int, int, Any], av)
            if high == 1:
                once = _walk(list(body), states)
                states = once if low == 1 else states | once
            elif all(d for _, d in _walk(list(body), {("x", False)})):
                # A repeated separator (\s+, [- ]*): it ends the word or is absent.
                ended = _walk(list(body), states)
                states = ended if low >= 1 else states | ended
            else:
                raise _Unbounded
        else:
            raise _Unbounded
        if len(states) > MAX_WORDS:
            raise _Unbounded
    return states


def gate_for(pattern: re.Pattern[str]) -> Gate | None:
    """The gate of a regex, or None when it must always run."""
    items = list(P.parse(pattern.pattern, pattern.flags))
    if not items or items[0] != (C.AT, C.AT_BOUNDARY):
        return None  # a match could start inside a word, which the word set cannot see
    try:
        states = _walk(items, {("", False)})
    except _Unbounded:
        return None
    if any(not word for word, _ in states):
        return None
    return Gate(
        frozenset(w for w, done in states if done),
        tuple(sorted({w for w, done in states if not done})),
    )


@lru_cache(maxsize=16)
def tokens_of(text: str) -> tuple[set[str], str]:
    lowered = text.lower()
    return set(WORDS.findall(lowered)), lowered
