"""Handles, plates, and the registry of kinds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from heroes import entities
from heroes.entities import DuplicateKind, Entity, EntityKind
from heroes.entities.base import VALID, Status, unregister


def test_handles_from_text_and_profile_urls() -> None:
    text = "he is @Shadow_99 everywhere, tiktok.com/@Night.Owl and instagram.com/p/abc123"
    found = [(e.value, e.detail) for e in entities.find(text) if e.kind == "handle"]
    assert found == [("shadow_99", ""), ("night.owl", "tiktok")]
    assert entities.normalize("handle", "https://www.instagram.com/Bad.Guy/") == "bad.guy"
    assert entities.normalize("handle", "instagram.com/explore") is None
    assert entities.check("handle", "@x") is None  # one character is not a handle


@pytest.mark.parametrize(
    ("text", "value", "country"),
    [
        ("a white van, 1234-BCD", "1234BCD", "ES"),
        ("registration AB12 CDE", "AB12CDE", "GB"),
        ("immatriculée AB-123-CD", "AB123CD", "FR"),
        ("matrícula 5678 fgh", "5678FGH", "ES"),  # written in lower case, announced by its word
    ],
)
def test_plates_of_several_countries(text: str, value: str, country: str) -> None:
    found = [e for e in entities.find(text) if e.kind == "plate"]
    assert value in {e.value for e in found}
    assert country in {e.detail for e in found if e.value == value}


def test_plate_look_alikes() -> None:
    assert not [e for e in entities.find("the plate was white and dirty; room 1234 ABC") if e.kind == "plate"]
    assert entities.check("plate", "1234 BCD") == "valid"
    assert entities.check("plate", "B 1234 XY") == "possible"  # plate-shaped, no known national format
    assert entities.check("plate", "ABCDEF") is None and entities.check("plate", "12345") is None


def test_the_registry_refuses_a_second_kind_of_the_same_name() -> None:
    assert {
        "phone",
        "email",
        "url",
        "domain",
        "handle",
        "iban",
        "bic",
        "btc",
        "eth",
        "ltc",
        "trx",
        "xmr",
        "plate",
    } <= set(entities.kinds())
    with pytest.raises(DuplicateKind, match="'phone'"):

        @entities.register
        class OtherPhone(EntityKind):
            name = "phone"

            def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
                return None

            def find(self, text: str, region: str | None = None) -> Iterator[Entity]:
                return iter(())


def test_a_new_kind_is_one_registered_class() -> None:
    @entities.register
    class Imei(EntityKind):
        name = "test-imei"

        def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
            digits = "".join(c for c in raw if c.isdigit())
            return (digits, VALID) if len(digits) == 15 else None

        def find(self, text: str, region: str | None = None) -> Iterator[Entity]:
            start = text.find("IMEI ")
            if start >= 0:
                found = self.entity(text, start + 5, start + 20)
                if found:
                    yield found

    try:
        (found,) = entities.find("phone IMEI 490154203237518 seized", only=["test-imei"])
        assert (found.value, found.start, found.end) == ("490154203237518", 11, 26)
    finally:
        unregister("test-imei")
    with pytest.raises(KeyError, match="No entity kind"):
        entities.get_kind("test-imei")
