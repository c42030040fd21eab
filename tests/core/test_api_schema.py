"""The HTTP API against its own OpenAPI schema (schemathesis): generated inputs, as the public and
as an administrator, never get a 5xx answer, and answers match the documented schemas."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

MAX_EXAMPLES = int(os.environ.get("HEROES_SCHEMA_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _admin_token(make_user: Any) -> str:
    from sqlalchemy import select

    from heroes.core.auth import create_api_token
    from heroes.core.db import session_scope
    from heroes.core.models import User

    name = make_user("admin")
    with session_scope() as session:
        user = session.execute(select(User).where(User.username == name)).scalar_one()
        return create_api_token(session, user, "schemathesis")


def test_openapi_schema_is_valid_and_covers_the_api(app: Any) -> None:
    schema = app.openapi()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert "/healthz" in paths and "/api/me" in paths
    assert all(path.startswith("/api/") or path == "/healthz" for path in paths)


@pytest.mark.parametrize("as_admin", [False, True], ids=["public", "admin"])
def test_generated_requests_never_get_a_server_error(app: Any, make_user: Any, as_admin: bool) -> None:
    headers = {"Authorization": f"Bearer {_admin_token(make_user)}"} if as_admin else {}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def exercise(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            exercise()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:800]}")
    assert operations >= 3
    assert not failures, "\n\n".join(failures)
