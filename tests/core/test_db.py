"""Migrations and transactions on each backend."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from heroes.core import db
from heroes.core.auth import create_user
from heroes.core.models import AuditEntry, User


def test_migrations_create_the_core_tables(heroes_db: Any) -> None:
    tables = set(inspect(db.get_engine()).get_table_names())
    assert {"users", "api_tokens", "audit_log", "jobs", "custody_records"} <= tables
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config())
    applied = {rev.revision for rev in script.iterate_revisions(tuple(db.current_revisions()), "base")}
    assert applied == {rev.revision for rev in script.walk_revisions()}  # every revision is applied


def test_upgrade_is_idempotent(heroes_db: Any) -> None:
    before = db.current_revisions()
    db.upgrade()
    assert db.current_revisions() == before


def test_failure_half_way_leaves_nothing_written(heroes_db: Any) -> None:
    with pytest.raises(RuntimeError), db.session_scope() as session:
        create_user(session, "half-way", "long-enough-password", "caseworker")
        session.flush()  # the user and its audit entry are in the transaction...
        raise RuntimeError("...when something fails")
    with db.session_scope() as session:
        assert session.execute(select(func.count()).select_from(User)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0


def test_datetimes_come_back_timezone_aware(heroes_db: Any) -> None:
    with db.session_scope() as session:
        create_user(session, "tz-check", "long-enough-password", "caseworker")
    with db.session_scope() as session:
        user = session.execute(select(User)).scalar_one()
        assert user.created_at.tzinfo is not None


def test_postgresql_url_is_normalised_to_psycopg3() -> None:
    from heroes.core.settings import Settings

    assert Settings(database_url="postgresql://u@h/d").resolved_database_url.startswith("postgresql+psycopg://")
    assert Settings(database_url=None).resolved_database_url.startswith("sqlite:///")
