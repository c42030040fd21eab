"""Phones, e-mails, URLs and domains: valid values and their look-alikes in several countries."""

from __future__ import annotations

import pytest

from heroes import entities
from heroes.entities.web import normalize_domain, normalize_url


@pytest.mark.parametrize(
    ("raw", "region", "value", "status"),
    [
        ("612 34 56 78", "ES", "+34612345678", "valid"),  # Spanish mobile
        ("0034-612-345-678", "ES", "+34612345678", "valid"),
        ("+44 7911 123456", None, "+447911123456", "valid"),  # UK mobile, international form
        ("07911 123456", "GB", "+447911123456", "valid"),
        ("030 12345678", "DE", "+493012345678", "valid"),  # Berlin landline
        ("+57 301 234 5678", None, "+573012345678", "valid"),  # Colombian mobile
        ("+880 1712-345678", None, "+8801712345678", "valid"),  # Bangladeshi mobile
        ("500 123 456", "ES", "+34500123456", "possible"),  # right length, a range no operator has
        ("+44 7700 900123", None, "+447700900123", "possible"),  # Ofcom's drama range
    ],
)
def test_phone_numbers_valid_and_possible(raw: str, region: str | None, value: str, status: str) -> None:
    assert entities.normalize("phone", raw, region) == value
    assert entities.check("phone", raw, region) == status


@pytest.mark.parametrize(
    ("raw", "region"),
    [("12-34-5", "ES"), ("612 34 56", "ES"), ("+34 612 34 56 78 90 12", None), ("call me", "GB"), ("", "ES")],
)
def test_phone_look_alikes_are_not_numbers(raw: str, region: str | None) -> None:
    assert entities.check("phone", raw, region) is None


def test_a_national_number_needs_its_region() -> None:
    assert entities.normalize("phone", "612 34 56 78") is None
    assert entities.normalize("phone", "612 34 56 78", "xx") is None  # an unknown region is no region


def test_phones_found_in_text_with_spans_region_and_status() -> None:
    text = "Llama al 612 34 56 78 o al +44 7400 123456; la cuenta 1234."
    found = [e for e in entities.find(text, region="ES") if e.kind == "phone"]
    assert [(e.value, e.detail, e.status) for e in found] == [
        ("+34612345678", "ES", "valid"),
        ("+447400123456", "GB", "valid"),
    ]
    assert all(text[e.start : e.end] == e.raw for e in found)


def test_emails_valid_and_look_alikes() -> None:
    assert entities.normalize("email", "Bob.Smith+ads@Example.COM") == "bob.smith@example.com"
    assert entities.normalize("email", "ana@correos.españa.es") == "ana@correos.xn--espaa-rta.es"
    for bad in ("bob@", "@example.com", "bob@example", "bob..x@example.com", "bob@-example.com", "a@b@c.com"):
        assert entities.check("email", bad) is None, bad
    text = "write to jobs+x@agency.es or ANA@mail.co.uk."
    found = [e for e in entities.find(text) if e.kind == "email"]
    assert [(e.value, e.raw, e.detail) for e in found] == [
        ("jobs@agency.es", "jobs+x@agency.es", "agency.es"),
        ("ana@mail.co.uk", "ANA@mail.co.uk", "mail.co.uk"),
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "http://x.example:99999/",
        "https://[::1",
        "http://[::1]:80x/",
        "https://exa mple.com",
        "http://" + "a" * 300 + ".com",
        "http://-bad-.com/",
        "://",
        "",
    ],
)
def test_malformed_urls_never_raise(raw: str) -> None:
    assert normalize_url(raw) is None
    assert entities.check("url", raw) is None
    entities.find(f"see {raw} now")  # no exception


def test_urls_normalise_for_comparison() -> None:
    assert normalize_url("https://www.Example.com/ads/?utm_source=fb&id=7#top") == "example.com/ads?id=7"
    assert normalize_url("http://example.com:8080/a") == "example.com:8080/a"
    assert normalize_url("http://[::1]:8080/a") == "::1:8080/a"
    assert normalize_url("https://münchen.de/jobs") == "xn--mnchen-3ya.de/jobs"
    found = [
        e for e in entities.find("See www.example.com/girls and https://m.facebook.com/some.one.") if e.kind == "url"
    ]
    assert [(e.value, e.detail) for e in found] == [
        ("example.com/girls", "example.com"),
        ("facebook.com/some.one", "facebook.com"),
    ]


def test_domains() -> None:
    assert normalize_domain("WWW.Example.COM.") == "www.example.com"
    for bad in ("localhost", "exa_mple.com", "example.c0m", "-x.com", "x" * 64 + ".com", "a..b.com"):
        assert normalize_domain(bad) is None, bad
    text = "Mail ana@agency.es or visit https://jobs.example.org/apply"
    found = [e for e in entities.find(text) if e.kind == "domain"]
    assert sorted((e.value, text[e.start : e.end]) for e in found) == [
        ("agency.es", "agency.es"),
        ("jobs.example.org", "jobs.example.org"),
    ]


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("IBAN GB82 WEST 1234 5698 7654 33, thanks", "GB"),  # one digit wrong: not an IBAN, still no phone
        ("Cuenta ES91 2100 0418 4502 0005 1333 gracias", "ES"),
        ("IBAN GB82 WEST 1234 5698 7654 32", "GB"),  # a valid one
    ],
)
def test_digits_of_an_account_number_are_not_phones(text: str, region: str) -> None:
    assert [e for e in entities.find(text, region=region) if e.kind == "phone"] == []
    # the same digits standing alone are still read as a phone
    assert [e.kind for e in entities.find("call 5698 7654 33", region="GB")] == ["phone"]
