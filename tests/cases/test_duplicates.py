"""The duplicate finder on synthetic people (faker) with typos, transliterations and date slips."""

from __future__ import annotations

import random

from anyascii import anyascii
from faker import Faker

from heroes.cases import duplicates, engine
from heroes.cases.duplicates import Person, normalise_name, score, suggestions
from heroes.core import db

from .conftest import World

LOCALES = ["en_GB", "es_ES", "ro_RO", "uk_UA", "ru_RU", "pl_PL"]


def _typo(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(name) - 1)
    kind = rng.choice(["drop", "swap", "double"])
    if kind == "drop":
        return name[:i] + name[i + 1 :]
    if kind == "swap":
        return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
    return name[:i] + name[i] + name[i:]


def _people(n: int, seed: int = 7) -> list[Person]:
    fake = Faker(LOCALES)
    Faker.seed(seed)
    people = []
    for i in range(n):
        locale = LOCALES[i % len(LOCALES)]
        f = fake[locale]
        people.append(
            Person(
                case_id=i + 1,
                names=(f"{f.first_name()} {f.last_name()}",),
                date_of_birth=f.date_of_birth(minimum_age=10, maximum_age=60).isoformat(),
                languages=(locale[:2],),
            )
        )
    return people


def test_transliteration_brings_scripts_together() -> None:
    assert normalise_name("Иоана Попеску") == "ioana popesku"
    assert normalise_name("  José-María  NÚÑEZ ") == "jose maria nunez"


def test_typos_transliterations_and_date_slips_are_found_among_distinct_people() -> None:
    rng = random.Random(11)
    people = _people(240)
    variants = []
    for person in people[:60]:
        (name,) = person.names
        latin = anyascii(name)
        changed = _typo(latin, rng) if latin == name else latin  # Cyrillic names: the transliteration alone
        dob = person.date_of_birth
        if rng.random() < 0.3 and int(dob[8:10]) <= 12:
            dob = f"{dob[:5]}{dob[8:10]}-{dob[5:7]}"
        reordered = " ".join(reversed(changed.split())) if rng.random() < 0.3 else changed
        variants.append(Person(10_000 + person.case_id, (reordered,), dob, person.languages))
    found = 0
    for variant, original in zip(variants, people[:60], strict=True):
        hits = suggestions(variant, people)
        if hits and hits[0].other_case_id == original.case_id:
            found += 1
    assert found / len(variants) >= 0.9, found
    false_alarms = sum(1 for person in people[:120] if suggestions(person, people[120:]))
    assert false_alarms / 120 <= 0.05, false_alarms


def test_a_shared_identifier_is_near_proof_and_different_names_are_kept_apart() -> None:
    a = Person(1, ("Ana Lopez",), "2001-05-06", ("es",), ("P-1234567",))
    b = Person(2, ("Anna Lopes",), "", (), ("p1234567",))
    assert score(a, b).score >= 0.95
    c = Person(3, ("Mihai Ionescu",), "2001-05-06", ("es",))
    assert score(a, c).score < duplicates.THRESHOLD


def test_suggestions_in_the_database_and_a_decision_merges_nothing(world: World) -> None:
    coordinator = world.viewer("ngo", "coordinator")
    with db.session_scope() as s:
        first = engine.open_case(
            s,
            coordinator,
            pseudonym="A",
            child=True,
            languages=["uk"],
            identity={"legal_name": "Олена Коваленко", "date_of_birth": "2010-03-04"},
        ).id
        second = engine.open_case(
            s,
            coordinator,
            pseudonym="B",
            child=True,
            languages=["uk", "ru"],
            identity={"legal_name": "Olena Kovalenko", "date_of_birth": "2010-04-03"},
        ).id
        third = engine.open_case(s, coordinator, pseudonym="C", child=False, identity={"legal_name": "Pedro Gil"}).id
    with db.session_scope() as s:
        (hit,) = duplicates.find_for_case(s, second, coordinator)
        assert hit["case_id"] == first and hit["score"] >= duplicates.THRESHOLD
        duplicates.decide(s, second, first, coordinator, "keep_apart")
    with db.session_scope() as s:
        assert duplicates.find_for_case(s, second, coordinator) == []
        assert engine.case_view(s, first, coordinator)["pseudonym"] == "A"  # both cases still exist
        duplicates.decide(s, first, third, coordinator, "same_person")
    with db.session_scope() as s:
        assert engine.case_view(s, third, coordinator)["linked_cases"] == [first]  # linked, not merged
