"""The shared template of ads linked by text: fixed words, and slots where the ads differ.

The template is refined over the whole group, in the spirit of InfoShield's multiple alignment: the
members are aligned progressively into one profile (columns of words). The first member (the one
with most text links) opens the profile; each next member, most similar to it first, is aligned
(rapidfuzz Indel) to the profile's consensus (each column's commonest word): a word that lines up
with a column joins it, other words open new columns where they fall. A column whose commonest word
more than half of the members share is a template word; runs of other columns become slots holding
what each member wrote there (names, ages, prices, places). So no single ad decides the template: a
word only the first ad has is a slot, and a word most members share but the first ad lacks is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Indel


@dataclass
class Template:
    parts: list[str | list[str]] = field(default_factory=list)  # a word, or a slot's distinct values
    members: int = 0  # how many ads it was refined over (0: not recorded)

    @property
    def slots(self) -> list[list[str]]:
        return [p for p in self.parts if isinstance(p, list)]

    def render(self, mark: str = "[{}]") -> str:
        words = []
        for part in self.parts:
            words.append(mark.format(" | ".join(part[:3]) or "…") if isinstance(part, list) else part)
        return " ".join(words)

    def to_json(self) -> list[dict[str, object]]:
        return [{"slot": p} if isinstance(p, list) else {"text": p} for p in self.parts]

    @classmethod
    def from_json(cls, parts: list[dict[str, Any]]) -> Template:
        return cls([[str(v) for v in p["slot"]] if "slot" in p else str(p["text"]) for p in parts])


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Share of words two texts have in common, in order (1 - normalised indel distance)."""
    if not a and not b:
        return 1.0
    return float(Indel.normalized_similarity(a, b))


class _Column:
    """One position of the multiple alignment: the word each member put there (members without one: a gap)."""

    __slots__ = ("cells", "counts", "top")

    def __init__(self) -> None:
        self.cells: dict[int, str] = {}
        self.counts: Counter[str] = Counter()
        self.top = ""

    def add(self, member: int, word: str) -> None:
        self.cells[member] = word
        self.counts[word] += 1
        best = self.counts.most_common(1)[0]
        if best[0] != self.top and (not self.top or best[1] > self.counts[self.top]):
            self.top = best[0]


def _edits(consensus: Sequence[str], words: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """Indel's opcodes with each delete next to an insert merged into one replace (Indel has no
    substitution: a changed word is a delete beside an insert)."""
    out: list[tuple[str, int, int, int, int]] = []
    for op in Indel.opcodes(consensus, words):
        step = (op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end)
        if out and op.tag != "equal" and out[-1][0] in ("delete", "insert", "replace") and out[-1][0] != op.tag:
            _, a, _, c, _ = out[-1]
            out[-1] = ("replace", a, op.src_end, c, op.dest_end)
        else:
            out.append(step)
    return out


def align_members(members: Sequence[Sequence[str]], order: Sequence[int]) -> list[_Column]:
    """Progressive alignment of ``members`` (in ``order``) into columns."""
    columns: list[_Column] = []
    for member in order:
        words = list(members[member])
        consensus = [c.top for c in columns]
        # Right to left, so inserting new columns never moves the positions still to be applied.
        for tag, a, b, c, d in reversed(_edits(consensus, words)):
            paired = min(b - a, d - c) if tag in ("equal", "replace") else 0
            for k in range(paired):  # an aligned or substituted word joins the column
                columns[a + k].add(member, words[c + k])
            if d - c > paired:  # words the consensus lacks: new columns where they fall
                fresh = []
                for k in range(c + paired, d):
                    column = _Column()
                    column.add(member, words[k])
                    fresh.append(column)
                columns[a + paired : a + paired] = fresh
    return columns


def template_of(members: Sequence[Sequence[str]], base: int = 0) -> Template:
    """The template shared by ``members`` (lists of words), refined over all of them; ``base`` opens
    the alignment (ties in the order of the others are broken by similarity to it, then by index)."""
    if not members:
        return Template([])
    reference = list(members[base])
    others = sorted(
        (i for i in range(len(members)) if i != base), key=lambda i: (-similarity(reference, members[i]), i)
    )
    columns = align_members(members, [base, *others])
    need = len(members) // 2 + 1 if len(members) > 1 else 1  # more than half of the members
    parts: list[str | list[str]] = []
    run: list[_Column] = []

    def close_run() -> None:
        if not run:
            return
        values: list[str] = []
        for member in range(len(members)):  # in the members' own order
            value = " ".join(c.cells[member] for c in run if member in c.cells)
            if value and value not in values:
                values.append(value)
        if values:
            parts.append(values)
        run.clear()

    for column in columns:
        if column.counts[column.top] >= need:
            close_run()
            parts.append(column.top)
        else:
            run.append(column)
    close_run()
    return Template(parts, members=len(members))
