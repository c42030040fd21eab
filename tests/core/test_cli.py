"""The CLI: every wrong input is one clear line and a non-zero exit code, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from heroes.cli import app as cli

HEROES = str(Path(sys.executable).parent / "heroes")


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HEROES, *args], env={**os.environ, **env}, input=stdin, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def cli_env(heroes_db: Any) -> dict[str, str]:
    return {
        "HEROES_DATA_DIR": str(heroes_db.data_dir),
        "HEROES_DATABASE_URL": heroes_db.resolved_database_url,
        "HEROES_ENCRYPTION_KEY": heroes_db.encryption_key or "",
    }


def test_help_lists_a_group_per_tool() -> None:
    from heroes.core.tools import all_tools

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for group in ("serve", "db", "users", "audit", "jobs"):
        assert group in result.output
    for tool in all_tools():
        if tool.cli:
            assert tool.name in result.output


def test_first_admin_then_accounts_need_an_admin(cli_env: dict[str, str]) -> None:
    first = _run(["users", "add", "boss", "--role", "admin", "--password-stdin"], cli_env, "a-long-password\n")
    assert first.returncode == 0, first.stderr
    refused = _run(["users", "add", "eve", "--role", "admin", "--password-stdin"], cli_env, "a-long-password\n")
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0 and "--user" in refused.stderr
    added = _run(
        ["--user", "boss", "users", "add", "carol", "--role", "caseworker", "--password-stdin"],
        cli_env,
        "another-long-one\n",
    )
    assert added.returncode == 0, added.stderr
    listing = _run(["--user", "boss", "users", "list"], cli_env)
    assert "carol" in listing.stdout and "caseworker" in listing.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "fragment"),
    [
        (["users", "add", "x", "--role", "wizard", "--password-stdin"], "a-long-password\n", "Unknown role"),
        (["users", "add", "bad name!", "--role", "admin", "--password-stdin"], "a-long-password\n", "username"),
        (["users", "add", "shorty", "--role", "admin", "--password-stdin"], "short\n", "at least 10"),
        (["--user", "ghost", "jobs", "list"], "", "No active account"),
        (["--user", "ghost", "audit", "verify"], "", "No active account"),
    ],
)
def test_wrong_inputs_are_one_line_errors(cli_env: dict[str, str], args: list[str], stdin: str, fragment: str) -> None:
    result = _run(args, cli_env, stdin)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_one_line(tmp_path: Any) -> None:
    env = {"HEROES_DATA_DIR": str(tmp_path), "HEROES_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    result = _run(["db", "upgrade"], env)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_db_upgrade_and_current(cli_env: dict[str, str]) -> None:
    from heroes.core.db import current_revisions

    upgraded, current = _run(["db", "upgrade"], cli_env).stdout, _run(["db", "current"], cli_env).stdout
    for revision in current_revisions():
        assert revision in upgraded and revision in current


def test_api_token_authenticates_the_api(cli_env: dict[str, str], client: Any) -> None:
    _run(["users", "add", "ana", "--role", "investigator", "--password-stdin"], cli_env, "a-long-password\n")
    token = _run(["--user", "ana", "users", "token", "laptop"], cli_env).stdout.strip().splitlines()[-1]
    assert token.startswith("hrs_")
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == "ana" and me["role"] == "investigator"
    assert client.get("/api/me", headers={"Authorization": "Bearer hrs_wrong"}).status_code == 401
