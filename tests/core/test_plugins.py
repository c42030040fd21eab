"""The plug-in contract: a tool from outside the `heroes` package appears everywhere without a core edit."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from heroes.core import db
from heroes.core.permissions import allowed, roles, staff_roles
from heroes.core.settings import Settings, get_settings, set_settings
from heroes.core.tools import DuplicateName, all_tools, register_tool_module, unregister_tool_module

PLUGIN = "tests.core.plugin_tool"


@pytest.fixture
def plugin() -> Iterator[None]:
    import heroes.cli

    register_tool_module(PLUGIN)
    importlib.reload(heroes.cli)
    try:
        yield
    finally:
        unregister_tool_module(PLUGIN)
        importlib.reload(heroes.cli)


def test_builtin_tools_are_found_through_the_same_registry() -> None:
    names = [tool.name for tool in all_tools()]
    assert {"fakejobs", "grooming", "reports", "media", "screening"} <= set(names)
    assert "plugintest" not in names


@pytest.mark.usefixtures("plugin")
def test_plugin_brings_its_role_permissions_and_cli() -> None:
    assert "plugintest" in [tool.name for tool in all_tools()]
    assert "plugintester" in roles() and "plugintester" in staff_roles()
    assert allowed("plugintester", "plugintest:use") and allowed("admin", "plugintest:use")
    assert not allowed("investigator", "plugintest:use")
    assert allowed("plugintester", "account:self"), "a tool's new role holds the core's staff basics"

    import heroes.cli

    result = CliRunner().invoke(heroes.cli.app, ["plugintest", "hello"])
    assert result.exit_code == 0, result.output
    assert "hello from the plug-in" in result.output


@pytest.mark.usefixtures("plugin")
def test_plugin_routes_follow_the_permission_table(client, login_as) -> None:
    from fastapi.testclient import TestClient

    from heroes.core.web.app import create_app

    with TestClient(create_app()) as fresh:
        assert fresh.get("/api/plugintest/hello").status_code == 401
    login_as("investigator")
    assert client.get("/api/plugintest/hello").status_code in (401, 403)  # app built before: route absent
    with TestClient(create_app(), cookies=client.cookies) as fresh:
        assert fresh.get("/api/plugintest/hello").status_code == 403


@pytest.mark.usefixtures("plugin")
def test_plugin_role_signs_in_and_uses_its_route(heroes_db, make_user) -> None:
    from fastapi.testclient import TestClient

    from heroes.core.web.app import create_app
    from tests.conftest import TEST_PASSWORD

    name = make_user("plugintester")
    with TestClient(create_app()) as fresh:
        form = fresh.get("/login")
        token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        fresh.post("/login", data={"username": name, "password": TEST_PASSWORD, "csrf_token": token})
        answer = fresh.get("/api/plugintest/hello")
        assert answer.status_code == 200 and answer.json() == {"hello": name}


@pytest.mark.usefixtures("plugin")
def test_plugin_migrations_join_the_heads(tmp_path: Path) -> None:
    previous = get_settings()
    set_settings(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'plugin.db'}"))
    db.reset_engine()
    try:
        db.upgrade()
        tables = set(inspect(create_engine(f"sqlite:///{tmp_path / 'plugin.db'}")).get_table_names())
        assert "plugintest_notes" in tables and "users" in tables
        assert "plugintest_0001" in db.current_revisions()
    finally:
        db.reset_engine()
        set_settings(previous)


def test_a_duplicate_tool_name_is_refused() -> None:
    register_tool_module("tests.core.plugin_tool")
    try:
        with pytest.raises(DuplicateName):
            register_tool_module("tests.core.plugin_tool")
    finally:
        unregister_tool_module("tests.core.plugin_tool")
