"""Concurrent editors lose no update; subject access, JSON export/import, retention and the CLI."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from heroes.cases import engine, exchange, records
from heroes.cases.models import Case, CaseIdentity, CaseNote
from heroes.cli import app as cli_app
from heroes.core import db
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError

from .conftest import World


def _case(world: World, **extra: Any) -> int:
    with db.session_scope() as s:
        return engine.open_case(
            s,
            world.viewer("ngo", "caseworker"),
            pseudonym="Rosa",
            child=False,
            identity={"legal_name": "Ioana Popescu"},
            **extra,
        ).id


def test_concurrent_editors_lose_no_update(world: World) -> None:
    case_id = _case(world)
    editors = [world.viewer("ngo", role) for role in ("caseworker", "investigator", "coordinator")] * 2
    done: list[str] = []
    refused: list[int] = []
    errors: list[BaseException] = []

    def edit(index: int) -> None:
        viewer = editors[index]
        for round_ in range(4):
            token = f"e{index}r{round_}"
            while True:
                with db.session_scope() as s:
                    view = engine.case_view(s, case_id, viewer)
                try:
                    with db.session_scope() as s:
                        engine.update_case(
                            s, case_id, viewer, view["version"], {"summary": f"{view['summary']} {token}".strip()}
                        )
                    done.append(token)
                    break
                except engine.StaleEdit:
                    refused.append(index)
                except BaseException as exc:  # pragma: no cover - reported below
                    errors.append(exc)
                    return

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(len(editors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with db.session_scope() as s:
        case = s.get(Case, case_id)
        assert case is not None
        tokens = case.summary.split()
        assert sorted(tokens) == sorted(done) and len(done) == len(editors) * 4
        assert case.version == 1 + len(done)


def test_subject_access_holds_everything_and_only_the_owner_answers(world: World) -> None:
    case_id = _case(world)
    owner = world.viewer("ngo", "coordinator")
    with db.session_scope() as s:
        records.add_note(s, case_id, world.viewer("ngo", "caseworker"), "general", "Met at the station")
    with db.session_scope() as s:
        record = exchange.subject_access(s, case_id, owner)
    (case,) = record["cases"]
    assert case["identity"]["legal_name"] == "Ioana Popescu" and case["notes"][0]["text"] == "Met at the station"
    with db.session_scope() as s:
        engine.record_consent(
            s,
            case_id,
            owner,
            purpose="share_org",
            organisation_id=world.orgs["social"],
            given_by="person",
            method="spoken",
        )
    with db.session_scope() as s, pytest.raises(HeroesError, match="Only the organisation") as refused:
        exchange.subject_access(s, case_id, world.viewer("social", "coordinator"))
    assert refused.value.status_code == 403


def test_retention_anonymises_old_closed_cases_only(world: World) -> None:
    old = _case(world)
    recent = _case(world)
    with db.session_scope() as s:
        records.add_note(s, old, world.viewer("ngo", "caseworker"), "general", "private")
        for case_id in (old, recent):
            s.execute(update(Case).where(Case.id == case_id).values(status="closed"))
        s.execute(update(Case).where(Case.id == old).values(updated_at=utcnow() - timedelta(days=400)))
    with db.session_scope() as s:
        dry = exchange.retention_run(s, "admin", days=365, dry_run=True)
        assert dry.due == [old] and not dry.applied
    with db.session_scope() as s:
        exchange.retention_run(s, "admin", days=365)
    with db.session_scope() as s:
        gone = s.get(Case, old)
        assert gone is not None and gone.anonymised and gone.pseudonym == f"anonymised-{old}"
        assert (
            s.get(CaseIdentity, old) is None and not s.execute(select(CaseNote).where(CaseNote.case_id == old)).first()
        )
        kept = s.get(Case, recent)
        assert kept is not None and not kept.anonymised and s.get(CaseIdentity, recent) is not None


def test_cli_export_import_and_retention(world: World, make_user: Any, tmp_path: Path) -> None:
    _case(world, languages=["ro"], exploitation=["labour"])
    admin = make_user("admin")
    runner = CliRunner()
    out = tmp_path / "cases.json"
    result = runner.invoke(cli_app, ["--user", admin, "cases", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["format"] == exchange.FORMAT and document["cases"][0]["identity"]["legal_name"] == "Ioana Popescu"
    result = runner.invoke(cli_app, ["--user", admin, "cases", "import", str(out)])
    assert result.exit_code == 0 and "Imported 1 case" in result.output
    with db.session_scope() as s:
        assert len(s.execute(select(Case)).all()) == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}')
    result = runner.invoke(cli_app, ["--user", admin, "cases", "import", str(bad)])
    assert isinstance(result.exception, HeroesError) and "Not a case export" in str(result.exception)
    result = runner.invoke(cli_app, ["--user", admin, "cases", "retention", "--days", "400", "--dry-run"])
    assert result.exit_code == 0 and "0 case(s) due" in result.output
    caseworker = world.users[("ngo", "caseworker")]
    refused = runner.invoke(cli_app, ["--user", caseworker, "cases", "export", "--out", str(out)])
    assert refused.exit_code != 0
    listing = runner.invoke(cli_app, ["--user", caseworker, "cases", "list"])
    assert listing.exit_code == 0 and "Rosa" in listing.output
