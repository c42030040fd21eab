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


def _hits(ads: list[Ad], region: str = "US") -> dict[str, dict[str, object]]:
    return {r.id: {h.indicator: h for h in r.hits} for r in find_indicators(ads, region=region)}


def test_moving_needs_two_markets_not_two_suburbs() -> None:
    ads = [
        Ad("a", "Help", "East Bay, Hayward", None, "Cleaning homes, call 415 555 0101."),
        Ad("b", "Help", "San Francisco", None, "Cooking at home, call 415 555 0101."),
        Ad("c", "Help", "Oakland, East Bay", None, "Ironing shirts, call 415 555 0101."),
    ]
    assert not any("moving" in h for h in _hits(ads).values())
    ads.append(Ad("d", "Help", "Downtown, Los Angeles", None, "Gardening, call 415 555 0101."))
    found = _hits(ads)
    assert all("moving" in found[i] for i in "abcd")
    assert found["d"]["moving"].detail == "Bay Area; Los Angeles"  # type: ignore[attr-defined]


def test_moving_from_one_ad_naming_two_markets_in_both_languages() -> None:
    ads = [
        Ad("en", "Visiting", "Sacramento", None, "In Sacramento until Friday, then San Diego next week."),
        Ad("es", "De paso", "Madrid", None, "Estoy en Madrid hasta el viernes y luego en Barcelona."),
        Ad("one", "Home help", "Madrid", None, "Limpieza en Madrid y en Getafe, cerca de casa."),
        Ad("mention", "Home help", "Toledo", None, "Cleaning homes near the river."),
    ]
    found = _hits(ads)
    assert "moving" in found["en"] and "moving" in found["es"]
    assert "moving" not in found["one"] and "moving" not in found["mention"]


def test_low_price_against_its_own_market_and_unit() -> None:
    cities = ["Madrid"] * 6 + ["Sevilla"] * 6
    amounts = [100, 110, 120, 100, 105, 40, 60, 55, 50, 60, 58, 52]
    ads = [
        Ad(f"m{i}", "Masajes", city, None, f"Masaje relajante, {amount} euros la hora.")
        for i, (city, amount) in enumerate(zip(cities, amounts, strict=True))
    ]
    found = _hits(ads, region="ES")
    assert [i for i, h in found.items() if "low_price" in h] == ["m5"]
    assert "la hora" not in str(found["m5"]["low_price"].words)  # type: ignore[attr-defined]
    english = [
        Ad(f"e{i}", "Massage", "San Diego", None, f"Relaxing massage, hh {amount} and qv {amount // 2}.")
        for i, amount in enumerate([120, 110, 100, 115, 105, 45])
    ]
    found = _hits(english)
    assert [i for i, h in found.items() if "low_price" in h] == ["e5"]
    assert found["e5"]["low_price"].words == ["45", "22"]  # type: ignore[attr-defined]


def test_price_units_in_both_languages() -> None:
    from heroes.osint.indicators import price_mentions

    assert price_mentions("hh 80, 150/hr, 60 roses qv") == [(80, "half_hour"), (150, "hour"), (60, "qv")]
    assert price_mentions("100 la hora, 60 euros media hora") == [(100, "hour"), (60, "half_hour")]
    assert price_mentions("I am 25 years old and 5 feet tall") == []


def test_phones_read_in_the_country_of_the_ads_market() -> None:
    ads = [
        Ad("a", "Help", "Madrid", None, "Cleaning, call 612 345 678."),
        Ad("b", "Help", "Sevilla", None, "Cooking, call 612 345 678."),
        Ad("c", "Help", "Lugo", None, "Ironing, call 612 345 678."),
    ]
    found = _hits(ads, region="US")
    assert found["a"]["shared_contact"].words == ["phone:+34612345678"]  # type: ignore[attr-defined]
