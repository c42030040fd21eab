from heroes.reports.identifiers import (
    extract_identifiers,
    find_in_text,
    normalize_address,
    normalize_email,
    normalize_url,
    username_from_url,
)
from heroes.reports.triage import ReportInput


def values(identifiers: list, kind: str) -> set[str]:
    return {i.value for i in identifiers if i.kind == kind}


def test_phone_numbers_normalise_to_e164() -> None:
    found = find_in_text("Call 612 34 56 78 or +44 7911 123456, or 0034-612-345-678.", region="ES")
    assert values(found, "phone") == {"+34612345678", "+447911123456"}


def test_phone_field_same_number_written_differently() -> None:
    forms = ["+34 612 34 56 78", "612345678", "0034 612 345 678", "(+34) 612-345-678"]
    normalised = {extract_identifiers(ReportInput(description="x", phones=[f], country="ES"))[0].value for f in forms}
    assert normalised == {"+34612345678"}


def test_unparseable_phone_kept_as_unverified_digits() -> None:
    found = extract_identifiers(ReportInput(description="x", phones=["12-34-5"]))
    assert [(i.value, i.detail) for i in found] == [("12345", "unverified")]


def test_emails() -> None:
    assert normalize_email("Bob.Smith+ads@Example.COM") == "bob.smith@example.com"
    found = find_in_text("write to jobs+x@agency.es or ANA@mail.co.uk.")
    assert values(found, "email") == {"jobs@agency.es", "ana@mail.co.uk"}
    assert values(found, "url") == set()  # the domain of an e-mail is not a website


def test_urls_normalise_for_linking() -> None:
    assert normalize_url("https://www.Example.com/ads/?utm_source=fb&id=7#top") == "example.com/ads?id=7"
    assert normalize_url("http://example.com/ads?id=7") == normalize_url("example.com/ads/?id=7")
    found = find_in_text("See www.example.com/girls, t.me/somegroup and https://m.facebook.com/some.one.")
    assert values(found, "url") == {
        "example.com/girls",
        "t.me/somegroup",
        "facebook.com/some.one",
    }


def test_usernames_from_handles_fields_and_profile_urls() -> None:
    assert username_from_url(normalize_url("https://www.instagram.com/Bad.Guy/")) == (
        "instagram",
        "bad.guy",
    )
    assert username_from_url(normalize_url("tiktok.com/@Someone")) == (
        "tiktok",
        "someone",
    )
    assert username_from_url(normalize_url("instagram.com/p/abc123")) is None
    found = extract_identifiers(
        ReportInput(
            description="he is @Shadow_99 on every app, mail me at a@b.com",
            usernames=["discord: Night.Owl", "https://instagram.com/Shadow_99"],
        )
    )
    assert values(found, "username") == {"shadow_99", "night.owl"}
    platforms = {i.detail for i in found if i.kind == "username"}
    assert {"discord", "instagram"} <= platforms


def test_addresses() -> None:
    assert normalize_address("C/ Mayor, nº 5") == normalize_address("calle Mayor 5") == "calle mayor 5"
    assert normalize_address("12 Oak St.") == "12 oak street"
    found = find_in_text("They live at 12 Oak Street and work in the Calle de la Paz 3.")
    assert values(found, "address") == {"12 oak street", "calle de la paz 3"}
    field = extract_identifiers(ReportInput(description="x", location="Calle Mayor 5, 3º B, Madrid"))
    assert values(field, "address") == {"calle mayor 5 3 b madrid", "calle mayor 5"}


def test_vehicle_plates() -> None:
    found = find_in_text("A white van, plate 1234-BCD, and a car with registration AB12 CDE.")
    assert values(found, "plate") == {"1234BCD", "AB12CDE"}
    assert values(find_in_text("the plate was white and dirty"), "plate") == set()
    field = extract_identifiers(ReportInput(description="x", vehicles=["grey Ford, matrícula 5678 fgh", "7777 KLM"]))
    assert values(field, "plate") == {"5678FGH", "7777KLM"}


def test_a_field_wins_over_a_text_mention() -> None:
    found = extract_identifiers(ReportInput(description="call +34 612 345 678", phones=["612345678"], country="ES"))
    assert [(i.kind, i.source) for i in found] == [("phone", "field")]
