"""Urgency facts: each kind found in English and in Spanish, with the reporter's words and their span.

Sentences written for these tests; none comes from the development data.
"""

from datetime import UTC, datetime

import pytest

from heroes.reports.facts import Fact, extract_facts
from heroes.reports.triage import ReportInput, detect_language, triage

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

CASES = [
    # (kind, text, words that must be quoted)
    ("child", "I think the boy is about 12 and should be at school.", "about 12"),
    ("child", "Creo que el chico tiene 12 y debería estar en clase.", "tiene 12"),
    ("child", "The girl is 15 years old and works there every night.", "15 years old"),
    ("child", "La muchacha tiene 15 años y trabaja allí cada noche.", "15 años"),
    ("child", "She is in year 9 at the school near the bridge.", "year 9"),
    ("child", "My friend Kayla is 15 and her boyfriend is 24.", "is 15"),
    ("child", "Mi prima cumplió 14 en marzo y ya no va a clase.", "cumplió 14"),
    ("child", "Una menor trabaja en el bar de la esquina.", "menor"),
    ("immediacy", "He is taking her to the car right now, please hurry.", "right now"),
    ("immediacy", "Se la están llevando ahora mismo en un coche blanco.", "ahora mismo"),
    ("immediacy", "They said it will happen tonight behind the market.", "tonight"),
    ("immediacy", "Dicen que va a pasar esta noche detrás del mercado.", "esta noche"),
    ("place", "The flat is at 14 Mill Lane, second floor.", "14 Mill Lane"),
    ("place", "Es en la calle Alcalá, en el portal de la farmacia.", "calle"),
    ("confinement", "The workers cannot leave the warehouse at night.", "cannot leave"),
    ("confinement", "A las trabajadoras no las dejan salir de la nave.", "no las dejan salir"),
    ("violence", "The foreman beat one of the pickers with a stick.", "beat"),
    ("violence", "El capataz golpeó a uno de los jornaleros con un palo.", "golpeó"),
    ("violence", "He showed them a knife when they asked for their pay.", "knife"),
    ("threat", "He threatened to hurt her family back home.", "threatened"),
    ("threat", "Le amenazó con hacer daño a su familia en su país.", "amenazó"),
    ("documents", "The manager keeps all their passports in a drawer.", "passports"),
    ("documents", "El encargado guarda todos sus pasaportes en un cajón.", "pasaportes"),
    ("debt", "They say she owes them for the flight and the room.", "owes"),
    ("debt", "Le dicen que tiene una deuda por el viaje y la habitación.", "deuda"),
    ("deadline", "He wants to meet her on Saturday after the match.", "meet her on"),
    ("deadline", "Quiere verse con ella el sábado después del partido.", "el sábado"),
    ("self_harm", "My friend wrote that she wants to kill herself.", "kill herself"),
    ("self_harm", "Mi amiga escribió que quiere quitarse la vida.", "quitarse la vida"),
    ("past", "This happened years ago, when I worked on a farm.", "years ago"),
    ("past", "Esto pasó hace años, cuando trabajaba en una finca.", "hace años"),
]


@pytest.mark.parametrize(("kind", "text", "words"), CASES)
def test_each_fact_in_both_languages_with_its_span(kind: str, text: str, words: str) -> None:
    language = detect_language(text)
    facts = extract_facts(text, (language,) if language else ("en", "es"))
    found = [f for f in facts if f.kind == kind]
    assert found, f"no {kind} in {text!r}: {facts}"
    assert any(words.lower() in f.quote.lower() for f in found), found
    for fact in found:
        assert text[fact.start : fact.end] == fact.quote  # the span is the reporter's own words


def test_numbers_that_are_not_ages() -> None:
    facts = extract_facts("It lasted about 10 minutes and about 30 men were there.", ("en",))
    assert not [f for f in facts if f.kind == "child" and f.age is not None]
    facts = extract_facts("Había unos 20 hombres y duró unos 15 minutos.", ("es",))
    assert not [f for f in facts if f.kind == "child" and f.age is not None]


def test_adult_ages_are_not_children() -> None:
    facts = extract_facts("The woman is 34 years old and the man is about 50.", ("en",))
    assert not [f for f in facts if f.kind == "child"]
    facts = extract_facts("The fee is 15 pounds, the walk is 10 minutes and my brother is 30.", ("en",))
    assert not [f for f in facts if f.kind == "child"]


def test_facts_serialise_with_their_ages() -> None:
    fact = Fact("child", "14 years old", 3, 15, 14)
    assert fact.as_dict() == {"kind": "child", "quote": "14 years old", "start": 3, "end": 15, "age": 14}


@pytest.mark.parametrize(
    "text",
    [
        "Right now a man is pulling a girl of about 13 into room 8 of the motel on the ring road. Send someone.",
        "Ahora mismo un hombre mete a una niña de unos 13 años en la habitación 8 del motel. Manden a alguien.",
    ],
)
def test_a_child_in_danger_now_that_can_be_found_is_critical_in_both_languages(text: str) -> None:
    result = triage(ReportInput(description=text), now=NOW)
    assert result.urgency.level == "critical"
    assert {"immediacy", "child", "place"} <= {r.code for r in result.urgency.reasons}


@pytest.mark.parametrize(
    "text",
    [
        "My friend posted that she is going to take all her pills tonight, she says there is no point anymore.",
        "Mi amiga ha escrito que esta noche se va a tomar todas las pastillas, que quiere morir.",
    ],
)
def test_self_harm_is_critical(text: str) -> None:
    assert triage(ReportInput(description=text), now=NOW).urgency.level == "critical"


def test_a_report_mixing_two_categories_shows_both() -> None:
    text = (
        "The men at the car wash are never paid and the boss keeps their passports. "
        "At night he also takes two of the women to a flat where they are forced to see clients."
    )
    result = triage(ReportInput(description=text), now=NOW)
    ranked = {item.category for item in result.classification.phrases.ranking}
    assert {"labour_exploitation", "sexual_exploitation"} <= ranked
    top = {result.classification.category, *(c for c, _ in result.classification.alternatives)}
    assert {"labour_exploitation", "sexual_exploitation"} <= top
    assert result.urgency.level in {"high", "medium"}
    assert {"documents"} <= {r.code for r in result.urgency.reasons}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ther keepin the lads passports at the farm n they aint been payed for months", "labour_exploitation"),
        ("some creep on snap keeps dmin my lil sis (12) askin for pics n says dont tell ur mum", "online_grooming"),
        ("el jefe les kita los pasaportes a los chavales d la finca y no les paga nada", "labour_exploitation"),
        ("un tipo le escribe a mi hermanita d 12 x insta pidiendole fotos y q no diga nada", "online_grooming"),
    ],
)
def test_misspelled_and_slang_reports(text: str, category: str) -> None:
    result = triage(ReportInput(description=text), now=NOW)
    assert result.classification.category == category
    assert result.urgency.level in {"high", "critical"} if "12" in text else result.urgency.level != "low"


def test_an_empty_and_a_very_long_report() -> None:
    empty = triage(ReportInput(description=""), now=NOW)
    assert (empty.category, empty.urgency.level, empty.urgency.facts) == ("other", "low", [])
    long_text = ("The boss keeps their passports and they are never paid. " * 1800)[:100_000]
    long = triage(ReportInput(description=long_text), now=NOW)
    assert len(long_text) == 100_000
    assert long.category == "labour_exploitation"
    assert all(long_text[f.start : f.end] == f.quote for f in long.urgency.facts if f.start >= 0)


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("The boss keeps their ID cards in his safe and they work every day.", "keeps their ID"),
        ("El jefe guarda los DNI de los trabajadores en su caja fuerte.", "guarda los DNI"),
        ("Tiene que devolver el pasaje antes de poder dejar de trabajar para ellos.", "devolver el pasaje"),
    ],
)
def test_exploitation_in_ordinary_words(text: str, quote: str) -> None:
    suggestion = triage(ReportInput(description=text), now=NOW).classification
    assert suggestion.category == "labour_exploitation"
    assert quote in [hit.quote for hit in suggestion.evidence]


def test_a_child_who_owes_someone_is_never_low_whatever_the_category() -> None:
    from heroes.reports.triage import assess_urgency

    for text in (
        "My friend Kayla is 15 and her boyfriend says she owes him for the phone he gave her.",
        "Mi amiga tiene 15 años y su novio le dice que le debe el móvil que le regaló.",
    ):
        urgency = assess_urgency(ReportInput(description=text), "other")
        assert {"child", "debt"} <= {f.kind for f in urgency.facts}
        assert urgency.level == "medium", urgency.rule
