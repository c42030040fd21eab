"""Regression tests of the platform's hardening: sessions, sign-in, files, audit tail, limits, errors."""

from __future__ import annotations

import logging
import os
import stat
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from heroes.cli import app as cli
from heroes.core import audit
from heroes.core.auth import check_password_strength
from heroes.core.db import session_scope
from heroes.core.errors import HeroesError
from tests.conftest import TEST_PASSWORD, csrf_of

# --- sessions ---------------------------------------------------------------------------------


def _signed_in_cookie(client: Any, make_user: Any, role: str = "caseworker") -> tuple[str, str]:
    name = make_user(role)
    token = csrf_of(client)
    response = client.post("/login", data={"username": name, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 200 and client.get("/api/me").json()["username"] == name
    return name, client.cookies.get("heroes_session")


def _with_cookie(app: Any, cookie: str) -> Any:
    from fastapi.testclient import TestClient

    copy = TestClient(app)
    copy.cookies.set("heroes_session", cookie)
    return copy


def test_copied_cookie_dies_at_logout(app: Any, client: Any, make_user: Any) -> None:
    _name, cookie = _signed_in_cookie(client, make_user)
    thief = _with_cookie(app, cookie)
    assert thief.get("/api/me").json()["authenticated"] is True
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert thief.get("/api/me").json()["authenticated"] is False
    assert thief.get("/jobs", follow_redirects=False).status_code == 303


def test_copied_cookie_dies_at_password_change_and_deactivation(app: Any, client: Any, make_user: Any) -> None:
    name, cookie = _signed_in_cookie(client, make_user)
    runner = CliRunner()
    admin = make_user("admin")
    result = runner.invoke(
        cli, ["--user", admin, "users", "passwd", name, "--password-stdin"], input="Zq9!vertigo-lantern\n"
    )
    assert result.exit_code == 0, result.output
    assert _with_cookie(app, cookie).get("/api/me").json()["authenticated"] is False
    other, cookie2 = _signed_in_cookie(client, make_user)
    assert runner.invoke(cli, ["--user", admin, "users", "deactivate", other]).exit_code == 0
    assert _with_cookie(app, cookie2).get("/api/me").json()["authenticated"] is False


def test_login_form_needs_our_csrf_token(client: Any, make_user: Any) -> None:
    name = make_user("caseworker")
    # A cross-site form post carries no session cookie and no token: refused, nobody signed in.
    response = client.post("/login", data={"username": name, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert client.get("/api/me").json()["authenticated"] is False
    assert f'value="{name}"' in response.text  # what was typed is kept


@pytest.mark.parametrize("password", ["1234567890", "qwertyuiop", "Password123", "aaaaaaaaaaaa", "zzzzzzzzzzzz1"])
def test_common_and_trivial_passwords_are_refused(password: str) -> None:
    with pytest.raises(HeroesError, match="too easy"):
        check_password_strength(password)


def test_password_with_the_username_is_refused() -> None:
    with pytest.raises(HeroesError, match="too easy"):
        check_password_strength("maria.lopez-2026", "maria.lopez")
    check_password_strength("vivid-otter-harbour-91", "maria.lopez")


def test_password_spraying_across_accounts_is_throttled(heroes_db: Any, client: Any, make_user: Any) -> None:
    from heroes.core.settings import set_settings

    set_settings(heroes_db.model_copy(update={"login_max_failures_overall": 6}))
    names = [make_user("caseworker") for _ in range(7)]
    token = csrf_of(client)
    for name in names:  # one guess per account: the per-account limit never trips
        client.post("/login", data={"username": name, "password": "Winter2026!!", "csrf_token": token})
    second = client.post("/login", data={"username": names[0], "password": TEST_PASSWORD, "csrf_token": token})
    assert second.status_code == 429  # a sprayed account gets no second try in the window
    fresh = make_user("caseworker")  # nobody guessed at this one: it signs in
    ok = client.post("/login", data={"username": fresh, "password": TEST_PASSWORD, "csrf_token": token})
    assert ok.status_code == 200 and client.get("/api/me").json()["username"] == fresh


# --- files ------------------------------------------------------------------------------------


def test_data_files_and_first_admin_password_are_private(tmp_path: Any, heroes_db: Any) -> None:
    from heroes.core import db
    from heroes.core.cli.serve import ensure_first_admin
    from heroes.core.settings import Settings, set_settings

    data = tmp_path / "data"
    set_settings(Settings(data_dir=data))
    try:
        db.upgrade()
        with session_scope() as session:
            audit.record(session, "tester", "test.write")
        password = ensure_first_admin()
        assert password
        note = data / "first-admin-password.txt"
        assert password in note.read_text()
        for path in data.iterdir():
            if path.is_file():
                assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        names = {p.name for p in data.iterdir()}
        assert {"heroes.db", "audit.key", "audit-head.json", "first-admin-password.txt"} <= names
    finally:
        db.reset_engine()
        set_settings(heroes_db)


def test_serve_does_not_print_the_first_password(monkeypatch: Any, tmp_path: Any, heroes_db: Any, capsys: Any) -> None:
    import uvicorn

    from heroes.core import db
    from heroes.core.cli import serve as serve_module
    from heroes.core.settings import Settings, set_settings

    data = tmp_path / "fresh"
    set_settings(Settings(data_dir=data))
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    old = os.umask(0o022)
    try:
        serve_module.serve(None, None)
        password = (data / "first-admin-password.txt").read_text().split("password: ")[1].strip()
        out = capsys.readouterr().out.replace("\n", "")
        assert "first-admin-password.txt" in out and password not in out
    finally:
        os.umask(old)
        db.reset_engine()
        set_settings(heroes_db)


# --- audit ------------------------------------------------------------------------------------


def _entries(n: int) -> list[int]:
    with session_scope() as session:
        return [audit.record(session, "tester", "test.action", f"item:{i}").id for i in range(n)]


def test_deleting_the_newest_entries_is_detected(heroes_db: Any) -> None:
    ids = _entries(6)
    with session_scope() as session:
        assert audit.verify(session).ok
        session.execute(text("DELETE FROM audit_log WHERE id >= :id"), {"id": ids[4]})
    with session_scope() as session:
        result = audit.verify(session)
    assert not result.ok and "deleted" in result.reason


def test_deleting_and_recomputing_the_chain_is_detected(heroes_db: Any) -> None:
    ids = _entries(6)
    with session_scope() as session:  # the attacker deletes entry 3 and rebuilds every hash after it
        session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[2]})
        rows = session.execute(
            text("SELECT id, at, actor, action, target, details FROM audit_log WHERE id > :id ORDER BY id"),
            {"id": ids[1]},
        ).all()
        prev = session.execute(text("SELECT entry_hash FROM audit_log WHERE id = :id"), {"id": ids[1]}).scalar_one()
        for row in rows:
            at = row.at if not isinstance(row.at, str) else audit.datetime.fromisoformat(row.at)
            if at.tzinfo is None:
                at = at.replace(tzinfo=audit.UTC)
            digest = audit._legacy_digest(prev, at, row.actor, row.action, row.target, row.details)
            session.execute(
                text("UPDATE audit_log SET prev_hash = :p, entry_hash = :h WHERE id = :id"),
                {"p": prev, "h": digest, "id": row.id},
            )
            prev = digest
    with session_scope() as session:
        result = audit.verify(session)
    assert not result.ok and result.broken_at == ids[3]


def test_head_is_written_outside_the_database(heroes_db: Any) -> None:
    ids = _entries(3)
    head = audit.read_head()
    assert head is not None and head["id"] == ids[-1]
    with session_scope() as session:
        last = session.execute(text("SELECT entry_hash FROM audit_log WHERE id = :id"), {"id": ids[-1]}).scalar_one()
    assert head["hash"] == last


# --- limits and error pages ---------------------------------------------------------------------


def test_oversized_body_is_refused_before_reading(client: Any) -> None:
    big = b"{" + b" " * (3 * 1024 * 1024) + b"}"
    response = client.post("/api/fakejobs/check", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "MB" in response.json()["detail"]
    declared = client.post(
        "/api/fakejobs/check", content=b"{}", headers={"content-length": str(10**9), "content-type": "application/json"}
    )
    assert declared.status_code == 413


def test_chunked_body_over_the_limit_is_refused(client: Any) -> None:
    def chunks() -> Any:
        for _ in range(40):
            yield b"a" * 100_000

    response = client.post("/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_unknown_url_is_a_page_in_the_users_language_with_headers(client: Any) -> None:
    page = client.get("/no/such/page", headers={"accept": "text/html", "accept-language": "es"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "no existe" in page.text
    assert page.headers["x-frame-options"] == "DENY" and "content-security-policy" in page.headers
    api = client.get("/api/no-such")
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"


def test_unexpected_error_is_a_500_page_with_headers_and_no_text_in_the_log(
    app: Any, caplog: Any, make_user: Any
) -> None:
    from fastapi import Depends
    from fastapi.testclient import TestClient

    from heroes.core.auth import Require

    @app.get("/boom")
    def boom(user: Any = Depends(Require("public"))) -> None:
        raise ValueError("the reporter wrote: my neighbour Ana is locked in")

    caplog.set_level(logging.INFO)
    with TestClient(app, raise_server_exceptions=False) as browser:
        page = browser.get("/boom", headers={"accept": "text/html", "accept-language": "es"})
    assert page.status_code == 500 and "text/html" in page.headers["content-type"]
    assert page.headers["x-frame-options"] == "DENY" and "content-security-policy" in page.headers
    assert "Ana" not in caplog.text and "ValueError" in caplog.text


def test_admin_audit_page_with_a_huge_page_number_is_not_a_500(client: Any, login_as: Any) -> None:
    login_as("admin")
    assert client.get("/admin/audit?page=99999999999999999999").status_code == 422
    assert client.get("/admin/audit?page=3").status_code == 200


def test_healthz_reads_without_the_write_lock(heroes_db: Any, client: Any) -> None:
    with session_scope() as session:  # hold the write lock (SQLite), as a long writer would
        audit.record(session, "tester", "test.hold")
        assert client.get("/healthz").json()["status"] == "ok"


def test_media_reads_are_audited(client: Any, login_as: Any) -> None:
    login_as("investigator")
    assert client.get("/api/media/lists").status_code == 200
    assert client.get("/media").status_code == 200
    with session_scope() as session:
        assert audit.count(session, "media.list.read") == 1
        assert audit.count(session, "media.index.read") == 1
