from datetime import UTC, datetime, timedelta

import pytest

from heroes.core.errors import HeroesError
from heroes.reports.triage import ReportInput, category_keys, classify, detect_language, phrase_evidence, triage

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The women in the flat are forced to see clients and a man keeps the money.",
            "sexual_exploitation",
        ),
        ("En el piso obligan a las chicas a prostituirse.", "sexual_exploitation"),
        (
            "The workers at the farm are never paid and the boss took their passports.",
            "labour_exploitation",
        ),
        (
            "Los trabajadores de la finca llevan meses sin cobrar y duermen en la nave.",
            "labour_exploitation",
        ),
        (
            "The maid next door is never allowed out and works as a servant for the family.",
            "domestic_servitude",
        ),
        (
            "Every morning a man drops them off at the station; they are forced to beg.",
            "forced_begging_crime",
        ),
        (
            "Her parents want her to marry against her will an older man.",
            "forced_marriage",
        ),
        (
            "Quieren obligarla a casarse con un hombre mayor, es un matrimonio forzado.",
            "forced_marriage",
        ),
        (
            "An adult keeps messaging my daughter on a game and asks her for photos.",
            "online_grooming",
        ),
        (
            "Un hombre escribe a mi hija y le pide fotos, dice que sea nuestro secreto.",
            "online_grooming",
        ),
        (
            "Someone threatens to share pictures of my son unless he pays. It is blackmail.",
            "sextortion",
        ),
        ("Me amenaza con publicar fotos si no pago, es un chantaje.", "sextortion"),
        (
            "I saw child sexual abuse material on a forum; here is the link.",
            "csam_online",
        ),
        ("En un canal vi material de abuso sexual infantil.", "csam_online"),
        ("My niece told me her coach molested her after training.", "contact_abuse"),
        ("I am worried about my neighbour's dog.", "other"),
    ],
)
def test_classify_categories_in_both_languages(text: str, expected: str) -> None:
    result = classify(text)
    assert result.category == expected
    if expected != "other":
        assert result.evidence, "a category must come with the phrases behind it"
        assert all(hit.quote.lower() in text.lower() for hit in result.evidence)


def test_classify_explains_with_phrases_and_similar_reports() -> None:
    result = classify("The men keep their passports and the girls are forced to see clients at night.")
    categories = [item.category for item in result.phrases.ranking]
    assert result.category == "sexual_exploitation" and result.method == "model"
    assert "labour_exploitation" in categories  # the passport phrase is shown, not hidden
    assert 0 < result.confidence <= 1
    assert len(result.neighbours) == 3 and all(c in category_keys() for c, _ in result.neighbours)
    shown = result.as_dict()
    assert {"phrases", "similar_reports", "alternatives", "model_version"} <= set(shown)
    assert all(set(item) == {"category", "similarity"} for item in shown["similar_reports"])  # never a text


def test_same_words_count_once() -> None:
    result = phrase_evidence("forced to see clients")
    best = result.ranking[0]
    assert [h.quote for h in best.strong] == ["forced to see clients"]
    assert best.weak == []  # "clients" is inside the strong phrase


def test_language_detection() -> None:
    assert detect_language("The girl is with a man and they are in the car") == "en"
    assert detect_language("La niña está con un hombre y ellos están en el coche") == "es"
    assert detect_language("ok") is None


def test_spanish_son_is_not_an_english_son() -> None:
    # "son" is "they are" in Spanish: English child words must not fire on a Spanish text.
    report = ReportInput(description="Los trabajadores son muchos y no les pagan en la finca.")
    assert "child" not in {f.kind for f in triage(report, now=NOW).urgency.facts}


def test_a_child_in_danger_now_that_can_be_found_is_critical() -> None:
    report = ReportInput(
        description="A girl of 14 years old is locked in a flat on 5 Oak Street and men visit every night.",
        occurred_at=NOW - timedelta(hours=2),
        danger_now=True,
    )
    urgency = triage(report, now=NOW).urgency
    kinds = {r.code for r in urgency.reasons}
    assert {"danger_declared", "child", "place", "confinement", "immediacy"} <= kinds
    assert urgency.level == "critical" and 80 <= urgency.score <= 100
    child = next(r for r in urgency.reasons if r.code == "child")
    assert child.evidence == ["14 years old"]
    assert "Oak Street" in " ".join(next(r for r in urgency.reasons if r.code == "place").evidence)


def test_old_vague_report_is_low() -> None:
    report = ReportInput(
        description="Something felt wrong about a job offer, but I am not sure.",
        occurred_at=NOW - timedelta(days=400),
    )
    urgency = triage(report, now=NOW).urgency
    assert {f.kind for f in urgency.facts} >= {"past", "doubt"}
    assert urgency.level == "low" and urgency.score < 30


def test_declared_danger_raises_the_level() -> None:
    text = "The workers are never paid."
    declared = triage(ReportInput(description=text, danger_now=True), now=NOW).urgency
    inferred = triage(ReportInput(description=text), now=NOW).urgency
    assert declared.level == "high" and inferred.level == "medium"
    assert declared.score > inferred.score


def test_ages_field_and_form_dates() -> None:
    base = {"description": "Workers at a farm are not paid."}
    adult = triage(ReportInput(**base, ages="about 30"), now=NOW).urgency
    child = triage(ReportInput(**base, ages="15, maybe 16"), now=NOW).urgency
    assert "child" not in {r.code for r in adult.reasons}
    assert [f.age for f in child.facts if f.kind == "child"] == [15, 16]
    assert child.level == "high"
    today = triage(ReportInput(**base, occurred_at=NOW - timedelta(hours=5)), now=NOW).urgency
    old = triage(ReportInput(**base, occurred_at=NOW - timedelta(days=800)), now=NOW).urgency
    assert "immediacy" in {r.code for r in today.reasons}
    assert "past" in {r.code for r in old.reasons} and old.level == "low"


def test_urgency_messages_in_spanish() -> None:
    urgency = triage(ReportInput(description="x", danger_now=True), now=NOW).urgency
    assert urgency.as_dict("es")["reasons"][0]["message"].startswith("La persona que informa")
    assert urgency.label("es") in {"Crítica", "Alta", "Media", "Baja"}


def test_reporter_choice_wins_and_disagreement_is_flagged() -> None:
    report = ReportInput(
        description="The workers at the farm are never paid and the boss took their passports.",
        category="domestic_servitude",
    )
    result = triage(report, now=NOW)
    assert result.category == "domestic_servitude"
    assert result.classification.category == "labour_exploitation"
    assert result.disagreement
    unsure = triage(ReportInput(description=report.description, category="other"), now=NOW)
    assert unsure.category == "labour_exploitation"
    assert not unsure.disagreement


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(HeroesError, match="unknown category"):
        triage(ReportInput(description="x", category="nonsense"))
    with pytest.raises(HeroesError, match="description"):
        ReportInput.from_dict({"phones": "1"})


def test_from_dict_accepts_strings_for_lists() -> None:
    report = ReportInput.from_dict(
        {
            "description": "d",
            "phones": "+34 612 345 678, +44 7911 123456",
            "occurred_at": "2026-11-27T10:00:00+00:00",
            "x": 1,
        }
    )
    assert report.phones == ["+34 612 345 678", " +44 7911 123456"]
    assert report.occurred_at == datetime(2026, 11, 27, 10, tzinfo=UTC)


def test_a_blank_report_is_answered_without_the_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    from heroes.reports import model

    def no_encoder(texts: list[str]) -> None:
        raise AssertionError("the encoder ran for a blank report")

    monkeypatch.setattr(model, "embed", no_encoder)
    result = triage(ReportInput(description="  \n "))
    assert result.classification.method == "phrases" and result.classification.category == "other"
    assert result.urgency.level == "low"
