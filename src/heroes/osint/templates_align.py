"""The shared template of ads linked by text: fixed words, and slots where the ads differ.

Every member is aligned to one base ad (the member with the most text links); a base word stays in the
template when at least half of the other members keep it, and runs of the other words become slots
holding what each ad wrote there (names, ages, prices, places).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Indel


@dataclass
class Template:
    parts: list[str | list[str]] = field(default_factory=list)  # a word, or a slot's distinct values

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


def template_of(members: Sequence[Sequence[str]], base: int = 0) -> Template:
    reference = list(members[base])
    kept = [0] * len(reference)
    replacements: list[list[str]] = [[] for _ in reference]
    others = [list(m) for i, m in enumerate(members) if i != base]
    for other in others:
        ops = list(Indel.opcodes(reference, other))
        same = {i for op in ops if op.tag == "equal" for i in range(op.src_start, op.src_end)}
        for i in same:
            kept[i] += 1
        for op in ops:
            if op.tag == "equal" or op.dest_end == op.dest_start or not reference:
                continue
            # Indel has no substitution: a changed word is an insert next to a delete; file the
            # inserted words under the reference word they stand in for.
            at = op.src_start
            if op.src_end == op.src_start and (at >= len(reference) or at in same):
                at = max(0, at - 1)
            replacements[at].append(" ".join(other[op.dest_start : op.dest_end]))
    need = max(1, (len(others) + 1) // 2)
    parts: list[str | list[str]] = []
    for i, word in enumerate(reference):
        if kept[i] >= need or not others:
            parts.append(word)
            continue
        values = [word, *(v for v in replacements[i] if v)]
        if parts and isinstance(parts[-1], list):
            last = parts[-1]
            last[0] = f"{last[0]} {word}"  # the base ad's own words in a slot read as one value
            for v in values[1:]:
                if v not in last:
                    last.append(v)
        else:
            distinct: list[str] = []
            for v in values:
                if v not in distinct:
                    distinct.append(v)
            parts.append(distinct)
    return Template(parts)
