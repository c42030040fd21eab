"""Indicators with the words that triggered them and their sources, in English and Spanish."""

from __future__ import annotations

from heroes.osint.ads import Ad
from heroes.osint.indicators import find_indicators, indicator_set, phrase_hits


def kinds(text: str) -> dict[str, list[str]]:
    return {h.indicator: h.words for h in phrase_hits(text)}


def test_english_phrases() -> None:
    found = kinds("Just arrived, new in town. Ask for her, my girls are available, incall only.")
    assert set(found["new_in_town"]) == {"new in town", "Just arrived"}
    assert "my girls" in found["third_party"]
    assert found["restricted_movement"] == ["incall only"]


def test_spanish_phrases() -> None:
    found = kinds("Recién llegada, nueva en la ciudad. Tenemos chicas nuevas, disponible las 24 horas.")
    assert {"new_in_town", "third_party", "restricted_movement"} <= set(found)
    assert "nueva en la ciudad" in found["new_in_town"]


def test_plain_ad_has_no_phrase_indicator() -> None:
    assert phrase_hits("Selling a blue bicycle with new tyres, collect it this week.") == []


def test_every_indicator_cites_a_known_source() -> None:
    data = indicator_set()
    for item in data["indicators"] + data["collection_indicators"]:
        assert item["sources"] and all(s in data["sources"] for s in item["sources"])
        assert item["title"]["en"] and item["title"]["es"]
    for item in data["indicators"]:
        assert item["patterns"]["en"] and item["patterns"]["es"]


def test_collection_indicators() -> None:
    ads = [
        Ad("a", "Help", "Madrid", None, "Cleaning, 100 euros a day, call 612 345 678."),
        Ad("b", "Help", "Toledo", None, "Cooking, 90 euros a day, call 612 345 678."),
        Ad("c", "Help", "Madrid", None, "Ironing, 110 euros a day, call 612 345 678."),
        Ad("d", "Help", "Lugo", None, "Garden, 95 euros a day."),
        Ad("e", "Help", "Lugo", None, "Painting, 20 euros a day."),
    ]
    results = {r.id: {h.indicator: h for h in r.hits} for r in find_indicators(ads, region="ES")}
    assert results["a"]["shared_contact"].words == ["phone:+34612345678"]
    assert results["b"]["moving"].detail == "Madrid; Toledo"
    assert results["e"]["low_price"].words == ["20"]
    assert "low_price" not in results["a"] and "shared_contact" not in results["d"]


def test_titles_in_spanish() -> None:
    (result,) = find_indicators([Ad("a", "", "", None, "new in town")], lang="es")
    assert result.hits[0].title == "Recién llegada a la ciudad"


def test_city_of_free_text_locations() -> None:
    from heroes.osint.indicators import city_of

    assert city_of("Downtown Toledo, TO (north)") == city_of("toledo") == "Toledo"
    assert city_of("City of Lugo") == "Lugo"
