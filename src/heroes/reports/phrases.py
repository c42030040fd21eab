"""Phrase rules over folded text: the small matching language the YAML rule files are written in.

Text is folded (lower case, accents removed) one character at a time so that every position in the
folded text is the same position in the original: a match can always show the reporter's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from heroes.text import fold

_GAP = r"(?:\W+\w+){0,3}\W+"  # "..." in a phrase: up to three words in between


_NUMBER_TOKENS = {
    "#": r"\d{1,2}",  # a number such as an age, a day or an hour
    "##": r"\d[\d.,]*",  # an amount of any size ("8,000", "1.500")
    "#time": r"\d{1,2}(?:[:.h]\d{2}|\s*(?:am|pm|h)(?!\w))",  # "10:30", "22h", "10pm"
}


def _word_pattern(word: str) -> str:
    if word in _NUMBER_TOKENS:
        return _NUMBER_TOKENS[word]
    alternatives = []
    for option in word.split("|"):
        if option in _NUMBER_TOKENS:
            alternatives.append(_NUMBER_TOKENS[option])
            continue
        stem = option.rstrip("*")
        # "#" inside a word ("#rd", "£##") is a number there too
        piece = re.escape(stem).replace(r"\#\#", r"\d[\d.,]*").replace(r"\#", r"\d{1,2}")
        if option.endswith("*"):
            piece += r"\w*"
        alternatives.append(piece)
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


def compile_phrase(phrase: str) -> re.Pattern[str]:
    """Turn a rule phrase ("took ... passport*", "her|his") into a regular expression."""
    parts: list[str] = []
    pending_gap = False
    for word in fold(phrase).split():
        if word == "...":
            pending_gap = True
            continue
        if parts:
            parts.append(_GAP if pending_gap else r"\W+")
        pending_gap = False
        parts.append(_word_pattern(word))
    if not parts:
        raise ValueError(f"empty phrase: {phrase!r}")
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)")


def literal_anchor(phrase: str) -> str:
    """The longest piece of text every match of the phrase must contain ("" if none): a cheap
    substring test that lets most phrases skip their regular expression."""
    pieces = [w.rstrip("*") for w in fold(phrase).split() if "|" not in w and w != "..." and "#" not in w]
    return max(pieces, key=len, default="")


def anchor_set(phrase: str) -> tuple[str, ...]:
    """Pieces of text one of which every match must contain (() if none is worth testing): for
    the word whose alternatives are the longest ("hit|hits|beat*" -> "hit", "hits", "beat")."""
    best: tuple[str, ...] = ()
    best_length = 1
    for word in fold(phrase).split():
        if word == "..." or "#" in word:
            continue
        stems = tuple(dict.fromkeys(option.rstrip("*") for option in word.split("|")))
        shortest = min((len(stem) for stem in stems), default=0)
        if shortest > best_length:
            best, best_length = stems, shortest
    return best


@dataclass(frozen=True)
class Phrase:
    """One rule phrase of a rule file, in one language."""

    text: str
    language: str
    pattern: re.Pattern[str]
    anchor: str = ""
    anchors: tuple[str, ...] = ()

    @classmethod
    def of(cls, text: str, language: str) -> Phrase:
        return cls(
            text=text,
            language=language,
            pattern=compile_phrase(text),
            anchor=literal_anchor(text),
            anchors=anchor_set(text),
        )


@dataclass(frozen=True)
class Hit:
    """A phrase found in a text: the rule, and the reporter's own words at that place."""

    phrase: str
    language: str
    quote: str
    start: int
    end: int

    def as_dict(self) -> dict[str, object]:
        return {
            "phrase": self.phrase,
            "language": self.language,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
        }


def find(phrases: list[Phrase], original: str, folded: str) -> list[Hit]:
    """The first occurrence of each phrase in the text, in text order."""
    hits = []
    for phrase in phrases:
        if phrase.anchor and phrase.anchor not in folded:
            continue
        if phrase.anchors and not any(piece in folded for piece in phrase.anchors):
            continue
        match = phrase.pattern.search(folded)
        if match:
            start, end = match.span()
            hits.append(Hit(phrase.text, phrase.language, original[start:end], start, end))
    return sorted(hits, key=lambda hit: (hit.start, hit.end))


def phrases_by_language(table: dict[str, list[str]]) -> dict[str, list[Phrase]]:
    return {lang: [Phrase.of(p, lang) for p in items] for lang, items in table.items()}
