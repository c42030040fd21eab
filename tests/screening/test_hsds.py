"""HSDS 3.0 JSON export and import of the referral directory."""

from __future__ import annotations

import json

import pytest

from heroes.core.errors import HeroesError
from heroes.screening.content import get_content
from heroes.screening.hsds import dumps, from_hsds, loads, seed_directory, to_hsds


def test_round_trip_keeps_every_field() -> None:
    directory = seed_directory(get_content())
    again = loads(dumps(directory))
    assert again == directory
    assert len(again.services) == sum(len(c.services) for c in get_content().countries.values())


def test_export_uses_the_hsds_objects_and_links() -> None:
    document = to_hsds(seed_directory(get_content()))
    assert document["hsds_version"] == "3.0"
    for table in ("organization", "service", "location", "phone", "service_at_location", "schedule"):
        ids = [record["id"] for record in document[table]]
        assert ids and len(ids) == len(set(ids)), table
    services = {s["id"]: s for s in document["service"]}
    orgs = {o["id"] for o in document["organization"]}
    locations = {loc["id"] for loc in document["location"]}
    assert all(s["organization_id"] in orgs and s["status"] == "active" for s in services.values())
    assert all(p["service_id"] in services for p in document["phone"])
    assert all(
        link["service_id"] in services and link["location_id"] in locations for link in document["service_at_location"]
    )
    childline = next(s for s in services.values() if s["x_heroes"]["key"] == "gb-childline")
    phones = [p["number"] for p in document["phone"] if p["service_id"] == childline["id"]]
    assert phones == ["0800 1111"] and childline["x_heroes"]["name"]["es"] == "Childline"


def test_export_ids_are_stable() -> None:
    assert dumps(seed_directory(get_content())) == dumps(seed_directory(get_content()))


def test_records_from_another_publisher_need_a_country() -> None:
    document = {
        "organization": [{"id": "o1", "name": "Helpdesk", "description": "A local helpdesk"}],
        "service": [{"id": "s1", "organization_id": "o1", "name": "Advice line", "status": "active"}],
        "phone": [{"id": "p1", "service_id": "s1", "number": "0123 456"}],
    }
    with pytest.raises(HeroesError, match="has no country"):
        from_hsds(document)
    directory = from_hsds(document, default_country="ie")
    service = directory.services[0]
    assert service.country == "IE" and service.verified is False
    assert service.phones[0].number == "0123 456" and service.name == {"en": "Advice line", "es": "Advice line"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "must be a JSON object"),
        ({"organization": []}, "'service' is a required property"),
        (
            {"organization": [], "service": [{"id": "s", "organization_id": "o", "name": "x", "status": "open"}]},
            "status",
        ),
        (
            {"organization": [], "service": [{"id": "s", "organization_id": "o", "name": "x", "status": "active"}]},
            "organization that is not in the file",
        ),
    ],
)
def test_invalid_hsds_is_refused_clearly(document: object, message: str) -> None:
    with pytest.raises(HeroesError, match=message):
        from_hsds(document, default_country="GB")


def test_not_json_is_refused() -> None:
    with pytest.raises(HeroesError, match="not valid JSON"):
        loads("{oops")
    json.loads(dumps(seed_directory(get_content())))  # and ours always is
