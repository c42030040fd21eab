"""A small world for the case tests: four organisations of different kinds and staff in each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from heroes.cases.access import Viewer
from heroes.core import db
from heroes.core.auth import create_user
from heroes.core.models import User
from heroes.core.organisations import assign, create_organisation
from tests.conftest import TEST_PASSWORD

ORGS = {"ngo": "Refuge NGO", "police": "Police THB unit", "health": "City hospital", "social": "Social services"}


@dataclass
class World:
    orgs: dict[str, int] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)
    users: dict[tuple[str, str], str] = field(default_factory=dict)  # (org kind, role) -> username

    def viewer(self, org: str, role: str) -> Viewer:
        username = self.users[(org, role)]
        with db.session_scope() as session:
            user = session.execute(select(User).where(User.username == username)).scalar_one()
            org_id = self.orgs[org]
            return Viewer(username, user.id, role, org_id, org, ORGS[org])


def make_world(password: str = TEST_PASSWORD) -> World:
    world = World()
    with db.session_scope() as session:
        for kind, name in ORGS.items():
            organisation = create_organisation(session, name, kind, "ES", actor="test")
            world.orgs[kind] = organisation.id
            world.kinds[organisation.id] = kind
            for role in ("caseworker", "investigator", "coordinator"):
                username = f"{role}-{kind}"
                user = create_user(session, username, password, role, actor="test")
                assign(session, user, organisation, actor="test")
                world.users[(kind, role)] = username
    return world


@pytest.fixture
def world(heroes_db: Any) -> World:
    return make_world()
