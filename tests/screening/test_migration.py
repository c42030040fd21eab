"""The screening migration creates exactly what the models describe (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from heroes.core.db import Base, get_engine
from heroes.screening import models  # noqa: F401 - registers the tables on Base.metadata


def _screening_diffs(diffs: list[Any]) -> list[Any]:
    def mentions_screening(diff: Any) -> bool:
        return "screening_" in repr(diff)

    flat = [d for group in diffs for d in (group if isinstance(group, list) else [group])]
    return [d for d in flat if mentions_screening(d)]


def test_migration_matches_the_models(heroes_db: Any) -> None:
    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert _screening_diffs(diffs) == []
