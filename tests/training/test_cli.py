"""`heroes training ...`: validate, export and import a course, export records, reminders."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from heroes.cli import app
from heroes.core.db import session_scope
from heroes.core.errors import HeroesError
from heroes.training import engine, package
from heroes.training.content import get_content, reset
from heroes.training.settings import imported_content_dir

from .conftest import right, user_named, wrong

runner = CliRunner()


def test_validate_reports_file_and_line(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["training", "validate"])
    assert ok.exit_code == 0 and "5 course(s)" in ok.output
    export = runner.invoke(app, ["training", "export", "transport", "-o", str(tmp_path / "t.zip")])
    assert export.exit_code == 0
    with zipfile.ZipFile(tmp_path / "t.zip") as archive:
        archive.extractall(tmp_path)
    broken = tmp_path / "transport" / "es" / "act.md"
    broken.write_text(broken.read_text(encoding="utf-8").replace(" [@icao-cabin-crew]\n\nEn un", "\n\nEn un"))
    result = runner.invoke(app, ["training", "validate", str(tmp_path / "transport")])
    assert result.exit_code == 1
    assert "transport/es/act.md:5: this statement cites no source" in result.output


@pytest.fixture
def clean_imports(heroes_db: Any) -> Iterator[None]:
    yield
    shutil.rmtree(imported_content_dir(), ignore_errors=True)
    reset()


def test_import_export_round_trip_and_records(clean_imports: None, member: Any, tmp_path: Path) -> None:
    trainer = member("trainer")
    learner = member("caseworker")
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package.export_course("mdt"))) as source, zipfile.ZipFile(data, "w") as archive:
        for name in source.namelist():
            text = source.read(name).decode()
            if name == "mdt/course.yaml":
                text = text.replace("id: mdt", "id: mdt-local", 1)
            archive.writestr("mdt-local/" + name.split("/", 1)[1], text)
    (tmp_path / "course.zip").write_bytes(data.getvalue())
    refused = runner.invoke(app, ["--user", learner, "training", "import", str(tmp_path / "course.zip")])
    assert refused.exit_code != 0
    imported = runner.invoke(app, ["--user", trainer, "training", "import", str(tmp_path / "course.zip")])
    assert imported.exit_code == 0, imported.output
    assert "mdt-local" in get_content().courses
    again = runner.invoke(app, ["--user", trainer, "training", "import", str(tmp_path / "course.zip")])
    assert isinstance(again.exception, HeroesError) and "--replace" in str(again.exception)
    with session_scope() as s:
        user = user_named(s, learner)
        engine.start(s, user, "mdt-local", "en")
        engine.submit_test(s, user, "mdt-local", "pre", wrong(get_content().course("mdt-local").test("pre")), "en")
    records = runner.invoke(app, ["--user", trainer, "training", "records"])
    assert records.exit_code == 0 and learner in records.output and "mdt-local" in records.output
    statements = runner.invoke(
        app, ["--user", trainer, "training", "records", "--format", "xapi", "--course", "mdt-local"]
    )
    lines = [json.loads(line) for line in statements.output.splitlines()]
    assert len(lines) == 6 and all(s["actor"]["account"]["name"] == learner for s in lines)
    reminders = runner.invoke(app, ["--user", trainer, "training", "reminders"])
    assert reminders.exit_code == 0 and "No certificate is due" in reminders.output


def test_revoke_a_certificate(heroes_db: Any, member: Any) -> None:
    trainer = member("trainer")
    outsider = member("trainer", organisation="Rail B")
    learner = member("caseworker")
    course = get_content().course("transport")
    with session_scope() as s:
        user = user_named(s, learner)
        engine.start(s, user, "transport", "en")
        engine.submit_test(s, user, "transport", "pre", right(course.test("pre")), "en")
        for module in course.modules:
            engine.submit_quiz(s, user, "transport", module.id, right([course.questions[q] for q in module.quiz]), "en")
        code = engine.submit_test(s, user, "transport", "post", right(course.test("post")), "en").certificate.code  # type: ignore[union-attr]
    refused = runner.invoke(app, ["--user", outsider, "training", "revoke", code])
    assert isinstance(refused.exception, HeroesError)
    done = runner.invoke(app, ["--user", trainer, "training", "revoke", code])
    assert done.exit_code == 0, done.output
    with session_scope() as s:
        assert engine.verify(s, code).state == "revoked"
