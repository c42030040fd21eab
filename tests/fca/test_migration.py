"""The fca_0002 migration on a database that already holds cases: each case takes the organisation of
its creator's account and the creator becomes its lead; a case without such an account is left to
admins. Runs on SQLite and PostgreSQL (down to fca_0001 and up again)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from heroes.core import db
from heroes.fca import engine
from tests.fca.conftest import ORG_A, organisation, viewer


def test_upgrade_from_fca_0001_gives_cases_an_organisation_and_a_lead(heroes_db, make_user) -> None:
    make_user("investigator", "old_lead", org=ORG_A)
    make_user("admin", "root1", org=ORG_A)
    config = db.alembic_config()
    command.downgrade(config, "fca_0001")
    try:
        with db.get_engine().begin() as connection:
            for name, owner in (("legacy", "old_lead"), ("orphan", "someone-gone")):
                connection.execute(
                    text("INSERT INTO fca_cases (name, region, owner, created_at) VALUES (:n, NULL, :o, :t)"),
                    {"n": name, "o": owner, "t": "2026-01-01 00:00:00"},
                )
    finally:
        command.upgrade(config, "heads")
    db.reset_engine()
    lead, admin, org_a = viewer("old_lead"), viewer("root1"), organisation(ORG_A)
    with db.session_scope() as s:
        assert engine.list_cases(s, viewer=lead) == ["legacy"]
        assert engine.list_cases(s, viewer=admin) == ["legacy", "orphan"]
        legacy = engine.get_case(s, "legacy", viewer=lead)
        orphan = engine.get_case(s, "orphan", viewer=admin)
        assert legacy.organisation_id == org_a and orphan.organisation_id is None
    from heroes.fca import access

    with db.session_scope() as s:
        assert [(m["username"], m["role"]) for m in access.members(s, lead, "legacy")] == [("old_lead", "lead")]
