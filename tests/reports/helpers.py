"""Shared helpers for the reports tests (short sentences written for the tests, no real data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from heroes.core.auth import Principal
from heroes.core.db import session_scope
from heroes.core.models import User
from heroes.reports import service
from heroes.reports.triage import ReportInput


def principal_of(username: str) -> Principal:
    with session_scope() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one()
        return Principal(user.role, user.username, user.id, "cli")


def submit(description: str, uploads: list[service.Upload] | None = None, **fields: Any) -> service.Submitted:
    contact = fields.pop("contact", "")
    key = fields.pop("idempotency_key", None)
    with session_scope() as session:
        return service.submit(
            session,
            service.Submission(
                report=ReportInput(description=description, **fields),
                contact=contact,
                uploads=uploads or [],
                idempotency_key=key,
            ),
        )


GROOMING = "A man keeps messaging my daughter on a game and asks her for photos. She is 13."
FARM = "The workers at the farm are never paid and the boss took their passports."
