"""Organisations and membership, through the library and the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from heroes.cli import app
from heroes.core import db
from heroes.core.errors import HeroesError
from heroes.core.models import AuditEntry, User
from heroes.core.organisations import assign, create_organisation, list_organisations, organisation_of


def test_create_assign_and_look_up(heroes_db, make_user) -> None:
    name = make_user("caseworker")
    with db.session_scope() as session:
        ngo = create_organisation(session, "  Fundación  Ejemplo ", "ngo", "es", actor="tester")
        assert ngo.name == "Fundación Ejemplo" and ngo.country == "ES"
        user = session.execute(select(User).where(User.username == name)).scalar_one()
        assign(session, user, ngo, actor="tester")
        user_id = user.id
    with db.session_scope() as session:
        found = organisation_of(session, user_id)
        assert found is not None and found.name == "Fundación Ejemplo"
        assert organisation_of(session, None) is None
        actions = [e.action for e in session.execute(select(AuditEntry)).scalars()]
        assert "organisation.create" in actions and "user.organisation" in actions


@pytest.mark.parametrize(
    ("name", "kind", "country"), [("", "ngo", ""), ("X", "gang", ""), ("Y", "ngo", "Spain"), ("Y", "ngo", "1A")]
)
def test_bad_organisations_are_refused(heroes_db, name: str, kind: str, country: str) -> None:
    with db.session_scope() as session, pytest.raises(HeroesError):
        create_organisation(session, name, kind, country)


def test_duplicate_name_refused(heroes_db) -> None:
    with db.session_scope() as session:
        create_organisation(session, "Unit 1", "police")
    with db.session_scope() as session, pytest.raises(HeroesError, match="already exists"):
        create_organisation(session, "Unit 1", "police")


def test_cli_adds_lists_and_assigns(heroes_db, make_user) -> None:
    admin = make_user("admin")
    worker = make_user("caseworker")
    runner = CliRunner()
    result = runner.invoke(
        app, ["--user", admin, "orgs", "add", "City Hospital", "--kind", "health", "--country", "GB"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--user", admin, "orgs", "assign", worker, "City Hospital"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--user", admin, "orgs", "list"])
    assert "City Hospital" in result.output
    result = runner.invoke(app, ["--user", worker, "orgs", "list"])
    assert result.exit_code != 0
    with db.session_scope() as session:
        assert [o.name for o in list_organisations(session)] == ["City Hospital"]
