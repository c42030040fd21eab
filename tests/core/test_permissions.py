"""Walk every route under every role and check the answer against the single permission table."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from heroes.core.auth import DENIED_HEADER
from heroes.core.permissions import PUBLIC, allowed, role_permissions, roles
from heroes.core.web.app import api_routes, create_app, declared_permission

PLACEHOLDER = re.compile(r"\{[^}]+\}")


def _routes() -> list[tuple[str, str, str]]:
    found = []
    for route in api_routes(create_app().routes):
        (permission,) = set(declared_permission(route))
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, route.path, permission))
    return found


def test_every_route_declares_a_known_permission() -> None:
    routes = _routes()
    assert len(routes) > 15
    known = set().union(*role_permissions().values())
    for method, path, permission in routes:
        assert permission in known, f"{method} {path} needs {permission!r}, which no role holds"


def test_a_route_without_permission_stops_the_app() -> None:
    from fastapi import APIRouter, FastAPI

    from heroes.core.web import app as app_module

    bare = FastAPI()
    router = APIRouter()

    @router.get("/naked")
    def naked() -> dict[str, str]:
        return {}

    bare.include_router(router)
    with pytest.raises(RuntimeError, match="must declare exactly one permission"):
        app_module._check_every_route_declares_a_permission(bare)


def _token_for(role: str, make_user: Any) -> str:
    from sqlalchemy import select

    from heroes.core.auth import create_api_token
    from heroes.core.db import session_scope
    from heroes.core.models import User

    name = make_user(role)
    with session_scope() as session:
        user = session.execute(select(User).where(User.username == name)).scalar_one()
        return create_api_token(session, user, "route-walk")


def _call(base: str, method: str, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = base + PLACEHOLDER.sub("0", path)
    # Streams (server-sent events) never end: read the status and headers only.
    with httpx.stream(method, url, headers=headers, timeout=20, follow_redirects=False, json=None) as response:
        return response


def test_every_route_under_every_role_matches_the_table(live_server: str, make_user: Any) -> None:
    tokens = {role: _token_for(role, make_user) for role in roles() if role != "anonymous"}
    mismatches = []
    checked = 0
    for method, path, permission in _routes():
        for role in roles():
            response = _call(live_server, method, path, tokens.get(role))
            checked += 1
            location = response.headers.get("location", "")
            refused_login = response.status_code == 401 or (
                response.status_code == 303 and location.startswith("/login")
            )
            refused_role = response.status_code == 403 and DENIED_HEADER.lower() in response.headers
            if allowed(role, permission):
                ok = not refused_login and not refused_role and response.status_code < 500
            elif role == "anonymous":
                ok = refused_login
            else:
                ok = refused_role
            if not ok:
                mismatches.append(f"{role:12} {method:6} {path} ({permission}) -> {response.status_code}")
    assert checked >= 4 * 15
    assert not mismatches, "\n".join(mismatches)


def test_the_public_holds_nothing_but_public() -> None:
    assert role_permissions()["anonymous"] == frozenset({PUBLIC})
    for role in roles():
        assert PUBLIC in role_permissions()[role]
