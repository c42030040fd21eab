"""The audit chain detects any edited or deleted row, and names the first broken link."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from typer.testing import CliRunner

from heroes.cli import app as cli
from heroes.core import audit
from heroes.core.db import session_scope


def _write_entries(n: int) -> list[int]:
    ids = []
    with session_scope() as session:
        for i in range(n):
            ids.append(audit.record(session, "tester", "test.action", f"item:{i}", {"i": i}).id)
    return ids


def test_intact_chain_verifies(heroes_db: Any) -> None:
    _write_entries(5)
    with session_scope() as session:
        result = audit.verify(session)
    assert result.ok and result.entries == 5 and result.broken_at is None


def test_each_entry_links_to_the_previous_hash(heroes_db: Any) -> None:
    _write_entries(3)
    with session_scope() as session:
        rows = session.execute(text("SELECT prev_hash, entry_hash FROM audit_log ORDER BY id")).all()
    assert rows[0][0] == audit.GENESIS
    assert rows[1][0] == rows[0][1] and rows[2][0] == rows[1][1]


def test_edited_row_is_named(heroes_db: Any) -> None:
    ids = _write_entries(6)
    with session_scope() as session:  # tamper directly in the database, as an attacker would
        session.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE id = :id"), {"id": ids[3]})
    with session_scope() as session:
        result = audit.verify(session)
    assert not result.ok and result.broken_at == ids[3] and "edited" in result.reason


def test_deleted_row_breaks_the_next_link(heroes_db: Any) -> None:
    ids = _write_entries(6)
    with session_scope() as session:
        session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[2]})
    with session_scope() as session:
        result = audit.verify(session)
    assert not result.ok and result.broken_at == ids[3]


def test_rewritten_hash_is_still_caught_by_the_next_link(heroes_db: Any) -> None:
    ids = _write_entries(4)
    with session_scope() as session:
        session.execute(
            text("UPDATE audit_log SET details = '{}', entry_hash = :h WHERE id = :id"), {"h": "f" * 64, "id": ids[1]}
        )
    with session_scope() as session:
        result = audit.verify(session)
    assert not result.ok and result.broken_at == ids[1]


def test_cli_verify_names_the_broken_entry(heroes_db: Any, make_user: Any) -> None:
    admin = make_user("admin")
    ids = _write_entries(4)
    runner = CliRunner()
    ok = runner.invoke(cli, ["--user", admin, "audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output
    with session_scope() as session:
        session.execute(text("UPDATE audit_log SET action = 'x' WHERE id = :id"), {"id": ids[1]})
    broken = runner.invoke(cli, ["--user", admin, "audit", "verify"])
    assert broken.exit_code == 1
    assert f"#{ids[1]}" in broken.output


def test_audit_verify_needs_an_authorised_account(heroes_db: Any, make_user: Any) -> None:
    caseworker = make_user("caseworker")
    result = CliRunner().invoke(cli, ["--user", caseworker, "audit", "verify"])
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception) and "does not allow" in str(result.exception)


def test_logins_and_failures_are_audited(client: Any, make_user: Any) -> None:
    from tests.conftest import TEST_PASSWORD, csrf_of

    name = make_user("investigator")
    token = csrf_of(client)
    client.post("/login", data={"username": name, "password": "bad-password!", "csrf_token": token})
    client.post("/login", data={"username": name, "password": TEST_PASSWORD, "csrf_token": token})
    with session_scope() as session:
        actions = [row[0] for row in session.execute(text("SELECT action FROM audit_log ORDER BY id"))]
        assert audit.verify(session).ok
    assert "auth.login_failed" in actions and "auth.login" in actions
