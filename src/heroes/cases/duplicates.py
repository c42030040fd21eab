"""Does a case look like a person the organisation already has? Suggestions only, never a merge.

Names are compared after transliteration to Latin letters (anyascii: Иоана Попеску -> Ioana Popesku)
with token-order-insensitive fuzzy matching (rapidfuzz), so typos, swapped name order and different
scripts still match. A date of birth counts fully when equal, partly when one digit differs or day and
month are swapped (common data-entry slips). Shared identifiers (passport, case numbers) are near-proof.
Every suggestion lists the evidence; a coordinator decides to link the cases or keep them apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from anyascii import anyascii
from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from heroes.core import audit
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _

from .access import Viewer
from .engine import authorise, load_case
from .models import Case, CaseIdentity, DuplicateDecision

THRESHOLD = 0.72
_NON_WORD = re.compile(r"[^a-z0-9 ]+")


@dataclass(frozen=True)
class Person:
    case_id: int
    names: tuple[str, ...]
    date_of_birth: str = ""
    languages: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    case_id: int
    other_case_id: int
    score: float
    evidence: tuple[str, ...] = field(default_factory=tuple)


def normalise_name(name: str) -> str:
    latin = anyascii(name).lower()
    return " ".join(_NON_WORD.sub(" ", latin).split())


def _identifier(value: str) -> str:
    return "".join(ch for ch in anyascii(value).upper() if ch.isalnum())


def name_similarity(a: Iterable[str], b: Iterable[str]) -> float:
    best = 0.0
    for x in a:
        for y in b:
            nx, ny = normalise_name(x), normalise_name(y)
            if nx and ny:
                best = max(best, fuzz.token_sort_ratio(nx, ny) / 100, fuzz.token_set_ratio(nx, ny) / 100 * 0.95)
    return best


def dob_similarity(a: str, b: str) -> float | None:
    if not a or not b:
        return None
    if a == b:
        return 1.0
    if len(a) == len(b) == 10:
        if a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
            return 0.8  # day and month swapped
        if sum(x != y for x, y in zip(a, b, strict=True)) == 1:
            return 0.7  # one digit mistyped
        if a[:4] == b[:4]:
            return 0.3
    return 0.0


def score(a: Person, b: Person) -> Suggestion:
    evidence = []
    ids_a = {_identifier(i) for i in a.identifiers if _identifier(i)}
    shared = ids_a & {_identifier(i) for i in b.identifiers if _identifier(i)}
    name = name_similarity(a.names, b.names)
    parts: list[tuple[float, float]] = [(name, 0.6)]
    evidence.append(_("name %(p)s", p=format(name, ".0%")))
    dob = dob_similarity(a.date_of_birth, b.date_of_birth)
    if dob is not None:
        parts.append((dob, 0.3))
        evidence.append(_("date of birth %(p)s", p=format(dob, ".0%")))
    if a.languages and b.languages:
        overlap = len(set(a.languages) & set(b.languages)) / len(set(a.languages) | set(b.languages))
        parts.append((overlap, 0.1))
        evidence.append(_("languages %(p)s", p=format(overlap, ".0%")))
    total = sum(value * weight for value, weight in parts) / sum(weight for _value, weight in parts)
    if shared:
        total = max(total, 0.95)
        evidence.insert(0, _("%(n)s identifier(s) in common", n=len(shared)))
    # A very different name is not rescued by a common birthday and language.
    if name < 0.5 and not shared:
        total = min(total, 0.5)
    return Suggestion(a.case_id, b.case_id, round(total, 3), tuple(evidence))


def suggestions(target: Person, others: Iterable[Person], threshold: float = THRESHOLD) -> list[Suggestion]:
    found = [score(target, other) for other in others if other.case_id != target.case_id]
    return sorted((s for s in found if s.score >= threshold), key=lambda s: -s.score)


def person_of(case: Case, identity: Mapping[str, Any] | None) -> Person:
    data = identity or {}
    names = [str(data.get("legal_name") or ""), *str(data.get("other_names") or "").split(",")]
    return Person(
        case_id=case.id,
        names=tuple(n for n in names if n.strip()) or (case.pseudonym,),
        date_of_birth=str(data.get("date_of_birth") or ""),
        languages=tuple(case.languages or ()),
        identifiers=tuple(data.get("identifiers") or ()),
    )


def find_for_case(session: Session, case_id: int, viewer: Viewer) -> list[dict[str, Any]]:
    """Suggestions among the cases of the viewer's organisation (needs the right to read identities)."""
    case = load_case(session, case_id)
    authorise(session, case, viewer, "identity", "read", "supervision")
    decided = {
        d.other_case_id
        for d in session.execute(select(DuplicateDecision).where(DuplicateDecision.case_id == case.id)).scalars()
    }
    rows = session.execute(
        select(Case, CaseIdentity)
        .outerjoin(CaseIdentity, CaseIdentity.case_id == Case.id)
        .where(Case.organisation_id == case.organisation_id, Case.anonymised.is_(False))
    ).all()
    people = {c.id: person_of(c, i.data if i else None) for c, i in rows}
    found = suggestions(people[case.id], (p for cid, p in people.items() if cid not in decided))
    audit.record(
        session, viewer.actor, "cases.duplicates", f"case:{case.id}", {"reason": "supervision", "suggested": len(found)}
    )
    return [
        {
            "case_id": s.other_case_id,
            "score": s.score,
            "evidence": list(s.evidence),
            "pseudonym": _pseudonym(session, s.other_case_id),
        }
        for s in found
    ]


def _pseudonym(session: Session, case_id: int) -> str:
    case = session.get(Case, case_id)
    return case.pseudonym if case else ""


def decide(session: Session, case_id: int, other_case_id: int, viewer: Viewer, decision: str) -> None:
    """Record a coordinator's decision; 'same_person' links the two cases, it merges nothing."""
    if decision not in ("same_person", "keep_apart"):
        raise HeroesError(_("Decide same_person or keep_apart."))
    case = load_case(session, case_id)
    other = load_case(session, other_case_id)
    for c in (case, other):
        authorise(session, c, viewer, "identity", "read", "supervision")
    for a, b in ((case.id, other.id), (other.id, case.id)):
        session.add(DuplicateDecision(case_id=a, other_case_id=b, decision=decision, decided_by=viewer.actor))
    audit.record(
        session, viewer.actor, "cases.duplicate_decision", f"case:{case.id}", {"other": other.id, "decision": decision}
    )
