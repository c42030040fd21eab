"""Shared helpers for the training tests: accounts in organisations, and right answers to any test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from heroes.core.db import session_scope
from heroes.core.models import User
from heroes.core.organisations import assign, create_organisation, find_organisation
from heroes.training.content import Question, get_content


def right(questions: list[Question] | tuple[Question, ...]) -> dict[str, list[str]]:
    return {q.id: sorted(q.correct) for q in questions}


def wrong(questions: list[Question] | tuple[Question, ...]) -> dict[str, list[str]]:
    return {q.id: [next(o.id for o in q.options if not o.correct)] for q in questions}


@pytest.fixture
def member(make_user: Callable[..., str]) -> Callable[..., str]:
    """A new account with a role, placed in the named organisation (created when new)."""

    def make(role: str, organisation: str | None = "Hospital A", username: str | None = None) -> str:
        name = make_user(role, username)
        with session_scope() as session:
            user = session.execute(select(User).where(User.username == name)).scalar_one()
            if organisation:
                org = find_organisation(session, organisation) or create_organisation(session, organisation, "health")
                assign(session, user, org)
        return name

    return make


def user_named(session: Any, name: str) -> User:
    return session.execute(select(User).where(User.username == name)).scalar_one()


@pytest.fixture
def health() -> Any:
    return get_content().course("health")
