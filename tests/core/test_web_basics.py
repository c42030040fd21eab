from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.testclient import TestClient

from heroes.core.auth import Require


def test_home_lists_every_tool_and_health_is_ok(client: Any) -> None:
    home = client.get("/")
    assert home.status_code == 200
    from heroes.core.tools import all_tools

    for tool in all_tools():
        assert f'data-tool="{tool.name}"' in home.text
    health = client.get("/healthz")
    assert health.json()["status"] == "ok"


def test_security_headers_forbid_inline_scripts(client: Any) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text  # every script is a file


def test_login_logout_and_wrong_password(client: Any, make_user: Any) -> None:
    from tests.conftest import TEST_PASSWORD, csrf_of

    name = make_user("caseworker")
    token = csrf_of(client)
    bad = client.post("/login", data={"username": name, "password": "wrong-password", "csrf_token": token})
    assert bad.status_code == 401
    good = client.post(
        "/login",
        data={"username": name, "password": TEST_PASSWORD, "csrf_token": token, "next": "/jobs"},
        follow_redirects=False,
    )
    assert good.status_code == 303 and good.headers["location"] == "/jobs"
    assert client.get("/api/me").json()["role"] == "caseworker"
    token = csrf_of(client)  # a fresh session at sign-in carries a fresh token
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/api/me").json()["authenticated"] is False


def test_post_without_csrf_token_is_refused(client: Any, make_user: Any) -> None:
    from tests.conftest import TEST_PASSWORD

    name = make_user("caseworker")
    client.get("/login")  # the session cookie exists, so a token is required
    response = client.post("/login", data={"username": name, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert client.get("/api/me").json()["authenticated"] is False


def test_open_redirect_after_login_is_refused(client: Any, make_user: Any) -> None:
    from tests.conftest import TEST_PASSWORD, csrf_of

    name = make_user("caseworker")
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"username": name, "password": TEST_PASSWORD, "csrf_token": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_login_is_throttled_after_repeated_failures(client: Any, make_user: Any) -> None:
    from tests.conftest import TEST_PASSWORD, csrf_of

    name = make_user("investigator")
    token = csrf_of(client)
    for _ in range(5):
        assert (
            client.post(
                "/login", data={"username": name, "password": "nope-nope-nope", "csrf_token": token}
            ).status_code
            == 401
        )
    blocked = client.post("/login", data={"username": name, "password": TEST_PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429  # even the right password waits out the window
    assert client.get("/api/me").json()["authenticated"] is False


def test_language_follows_browser_then_switch(client: Any) -> None:
    spanish = client.get("/", headers={"Accept-Language": "es-CO,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in spanish.text
    english = client.get("/", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in english.text
    client.get("/lang/es?next=/")
    assert '<html lang="es">' in client.get("/", headers={"Accept-Language": "en-GB"}).text


def test_routes_never_see_the_client_address(app: Any) -> None:
    def spy(request: Request) -> dict[str, Any]:
        return {"client": request.client}

    app.add_api_route("/spy", spy, dependencies=[Depends(Require("public"))])
    with TestClient(app) as test_client:
        response = test_client.get("/spy")
        assert response.status_code == 200, response.text
        assert response.json() == {"client": None}
