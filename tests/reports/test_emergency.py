from heroes.reports.emergency import contacts_for, countries, country_from_language_tag


def test_known_country_first_number_and_helplines() -> None:
    spain = contacts_for("es", "es")
    assert (spain.country, spain.emergency, spain.country_name) == (
        "ES",
        "112",
        "España",
    )
    assert any("trata" in line.label for line in spain.extra)
    assert contacts_for("US").emergency == "911"
    assert contacts_for("GB").emergency == "999"


def test_unknown_country_falls_back_with_a_note() -> None:
    unknown = contacts_for("ZZ", "en")
    assert unknown.country is None
    assert unknown.emergency == "112"
    assert "local police" in unknown.note
    assert contacts_for(None, "es").note.startswith("El 112")


def test_country_list_and_language_tags() -> None:
    names = countries("es")
    assert ("ES", "España") in names
    assert names == sorted(names, key=lambda item: item[1])
    assert country_from_language_tag("es-MX") == "MX"
    assert country_from_language_tag("en") is None
