"""A small world for the case tests: four organisations of different kinds and staff in each."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest

from heroes.cases.access import Viewer
from heroes.core import db
from heroes.core.auth import hash_password
from heroes.core.models import User
from heroes.core.organisations import assign, create_organisation
from tests.conftest import TEST_PASSWORD

ORGS = {"ngo": "Refuge NGO", "police": "Police THB unit", "health": "City hospital", "social": "Social services"}


@dataclass
class World:
    orgs: dict[str, int] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)
    users: dict[tuple[str, str], str] = field(default_factory=dict)  # (org kind, role) -> username
    viewers: dict[tuple[str, str], Viewer] = field(default_factory=dict)

    def viewer(self, org: str, role: str) -> Viewer:
        return self.viewers[(org, role)]


@cache
def _hash(password: str) -> str:
    return hash_password(password)  # argon2 is slow on purpose: hash once for the twelve test accounts


def make_world(password: str = TEST_PASSWORD) -> World:
    world = World()
    with db.session_scope() as session:
        for kind, name in ORGS.items():
            organisation = create_organisation(session, name, kind, "ES", actor="test")
            world.orgs[kind] = organisation.id
            world.kinds[organisation.id] = kind
            for role in ("caseworker", "investigator", "coordinator"):
                username = f"{role}-{kind}"
                user = User(username=username, role=role, password_hash=_hash(password), active=True)
                session.add(user)
                session.flush()
                assign(session, user, organisation, actor="test")
                world.users[(kind, role)] = username
                world.viewers[(kind, role)] = Viewer(username, user.id, role, organisation.id, kind, name)
    return world


@pytest.fixture
def world(heroes_db: Any) -> World:
    return make_world()
