"""The referral directory in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from heroes.core.db import session_scope
from heroes.core.errors import NotFoundError
from heroes.core.models import AuditEntry
from heroes.screening import store
from heroes.screening.content import Phone, get_content
from heroes.screening.hsds import from_hsds, seed_directory, to_hsds


def test_seed_load_and_hsds_round_trip_through_the_database(heroes_db: Any) -> None:
    shipped = seed_directory(get_content())
    with session_scope() as session:
        assert store.ensure_seeded(session, actor="tester") is True
        assert store.ensure_seeded(session, actor="tester") is False
    with session_scope() as session:
        loaded = store.load_directory(session)
    assert loaded == shipped
    assert from_hsds(to_hsds(loaded)) == shipped


def test_merge_import_updates_and_keeps_others(heroes_db: Any) -> None:
    shipped = seed_directory(get_content())
    with session_scope() as session:
        store.import_directory(session, shipped, actor="tester")
    changed = replace(shipped.service_map()["es-016"], phones=(Phone("016"), Phone("600 000 016")))
    partial = replace(shipped, services=[changed], links=[], locations=[], organizations=[])
    with session_scope() as session:
        store.import_directory(session, partial, actor="tester")
        services = store.services(session)
    assert [p.number for p in services["es-016"].phones] == ["016", "600 000 016"]
    assert len(services) == len(shipped.services)


def test_edit_is_audited_and_unknown_service_is_404(heroes_db: Any) -> None:
    with session_scope() as session:
        store.ensure_seeded(session)
        service = store.get_service(session, "bd-109")
        store.update_service(session, replace(service, verified=False), actor="admin1")
    with session_scope() as session:
        assert store.get_service(session, "bd-109").verified is False
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "screening.directory.edit")).scalar_one()
        assert entry.actor == "admin1" and "verified" in entry.details
        with pytest.raises(NotFoundError):
            store.get_service(session, "nope")


def test_import_refuses_what_the_tables_cannot_hold(heroes_db: Any) -> None:
    from heroes.core.errors import HeroesError

    shipped = seed_directory(get_content())
    service = shipped.service_map()["gb-msh"]
    bad = replace(shipped, services=[replace(service, id="x" * 80, country="GBR", phones=(Phone("1" * 50),))])
    with pytest.raises(HeroesError) as caught, session_scope() as session:
        store.import_directory(session, bad, actor="tester")
    message = str(caught.value)
    assert "1-60 letters" in message and "two-letter code" in message and "phone number longer than 40" in message
    with session_scope() as session:
        assert store.is_empty(session)
