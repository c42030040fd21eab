import pytest

from heroes.fakejobs.ad import Ad
from heroes.fakejobs.engine import AdError, check, default_checker
from heroes.fakejobs.lang import detect_language

from .ads import DEVELOPER_EN, NEUTRAL_EN, NEUTRAL_ES, RISKY_EN, RISKY_ES


def test_risky_english_ad_is_high_with_evidence_and_advice():
    verdict = check(RISKY_EN, lang="en")
    assert verdict.level == "high" and verdict.label == 1
    assert 0 <= verdict.classifier_probability <= 1
    ids = {i.id for i in verdict.indicators}
    assert {"documents_retained", "young_women_entertainment", "travel_paid"} <= ids
    for item in verdict.indicators:
        for match in item.matches:
            assert verdict.text[match.start : match.end] == match.text
    assert verdict.top_terms and all(t["weight"] > 0 for t in verdict.top_terms)
    assert any("passport" in step for step in verdict.advice)
    assert verdict.helplines and verdict.report_url.startswith("/reports/new?category=")
    assert verdict.top_sentences and all(s["weight"] > 0 for s in verdict.top_sentences)
    for sentence in verdict.top_sentences:
        assert sentence["text"] in verdict.text


def test_spanish_ad_detected_and_explained_in_spanish():
    verdict = check(RISKY_ES)
    assert verdict.language == "es"
    assert verdict.classifier_probability is None  # the lexical model only knows English
    assert verdict.level == "high" and verdict.label == 1
    assert verdict.threshold == default_checker().model.metadata["decision"]["xl"]["threshold"]
    assert verdict.top_terms == [] and verdict.top_sentences  # the learned part explained by sentences
    passport = next(i for i in verdict.indicators if i.id == "documents_retained")
    assert "pasaporte" in passport.explanation
    assert verdict.report_label == "Denunciar este anuncio"


def test_explanations_follow_the_requested_language():
    verdict = check(RISKY_ES, lang="en")
    assert verdict.language == "es"
    assert verdict.report_label == "Report this ad"


@pytest.mark.parametrize("text", [DEVELOPER_EN, NEUTRAL_ES])
def test_neutral_ads_are_low(text):
    verdict = check(text)
    assert verdict.level == "low" and verdict.label == 0 and verdict.indicators == []


def test_highlights_do_not_overlap_and_point_into_the_text():
    verdict = check(RISKY_EN)
    previous_end = -1
    for h in verdict.highlights:
        assert h["start"] >= previous_end and h["end"] > h["start"]
        previous_end = h["end"]


def test_structured_ad_with_emscad_names():
    ad = Ad.from_mapping(
        {
            "title": "Data entry clerk",
            "company_profile": "",
            "description": "Simple work from home. Earn $800 per week. We will send you a check for equipment.",
            "salary_range": "40000-50000",
            "location": "US, TX, Austin",
            "telecommuting": 1,
        }
    )
    assert ad.salary == "40000-50000" and ad.location == "US, TX, Austin"
    verdict = check(ad)
    ids = {i.id for i in verdict.indicators}
    assert {"high_pay_easy_work", "cheque_for_equipment", "no_company_named"} <= ids


def test_empty_ad_is_refused():
    with pytest.raises(AdError):
        check("   ")
    with pytest.raises(AdError):
        check({"title": ""})


def test_batch_scores_match_single_checks():
    ads = [Ad(text=t) for t in (RISKY_EN, NEUTRAL_EN, RISKY_ES, NEUTRAL_ES)]
    rows = default_checker().score_many(ads)
    for ad, row in zip(ads, rows, strict=True):
        single = check(ad)
        assert row["score"] == pytest.approx(single.score, abs=1e-4)
        assert row["level"] == single.level
        assert row["indicators"] == [i.id for i in single.indicators]


def test_probability_at_base_rate_is_lower_than_the_score():
    verdict = check(RISKY_EN)
    assert verdict.base_rate == 0.05
    assert 0 < verdict.probability_at_base_rate < verdict.score


def test_report_link_prefills_the_form_with_the_ad_and_its_category():
    from urllib.parse import parse_qs, urlsplit

    verdict = check(RISKY_EN)
    query = parse_qs(urlsplit(verdict.report_url).query)
    assert urlsplit(verdict.report_url).path == "/reports/new"
    assert query["category"] == ["sexual_exploitation"] and query["text"][0] == RISKY_EN
    assert "category=other" in check(NEUTRAL_EN).report_url


def test_spanish_reader_gets_spanish_and_latin_american_helplines():
    contacts = {h.contact for h in check(RISKY_ES, lang="es").helplines}
    assert {"062", "017", "145", "1818", "800 5533 000"} <= contacts
    english = {h.contact for h in check(RISKY_ES, lang="en").helplines}
    assert "145" not in english and "08000 121 700" in english


def test_word_list_never_shows_stop_words_or_words_of_an_honest_ad():
    from heroes.fakejobs.lang import uninformative_words

    quiet = uninformative_words("en") | uninformative_words("es")
    for text in (RISKY_EN, "Earn $500 a day from home, no experience, pay the registration fee on WhatsApp."):
        for term in check(text).top_terms:
            assert not set(term["term"].split()) & quiet
    honest = check("Nurse needed for night shifts at the city hospital. Apply on the hospital website.")
    assert all("hospital" not in t["term"] for t in honest.top_terms)
    assert check("Hospital de día en Madrid busca enfermera de lunes a viernes.").top_terms == []


def test_very_long_posting_gets_a_clear_answer():
    text = ("We are hiring drivers for our delivery fleet in Leeds. " * 3700)[:200_000]
    verdict = check(text)
    assert len(verdict.text) == 200_000 and verdict.level in {"low", "medium", "high"}
    assert len(verdict.report_url) < 10_000


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("We are looking for a driver with a clean licence for our team.", "en"),
        ("Buscamos un conductor con carné para nuestro equipo de reparto.", "es"),
        ("Se necesita camarero para la temporada de verano en la costa.", "es"),
        ("Nurse needed for night shifts at the city hospital.", "en"),
    ],
)
def test_language_detection(text, lang):
    assert detect_language(text) == lang


def test_text_beside_a_description_is_not_scanned_twice():
    ad = Ad.from_mapping({"text": "Free flights.", "description": "Free flights.", "title": "Cook"})
    assert ad.text == "" and ad.full_text().count("Free flights") == 1


def test_batch_path_normalises_once_and_scores_as_the_public_functions():
    import numpy as np

    from heroes.fakejobs.semantic import embed, embed_normalised
    from heroes.fakejobs.text import normalise

    texts = [RISKY_EN, NEUTRAL_ES, "Our kitchen.Duties include \u201cprep\u201d \u2022 cleaning", ""]
    normalised = [normalise(t) for t in texts]
    classifier = default_checker().model.classifier
    assert np.array_equal(classifier.predict_proba(texts), classifier.predict_proba_normalised(normalised))
    assert np.array_equal(embed(texts), embed_normalised(normalised))
