"""`heroes training ...`: validate content, import and export courses, export learning records, reminders."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console

from heroes.core import audit
from heroes.core.auth import cli_principal
from heroes.core.db import session_scope
from heroes.core.errors import HeroesError
from heroes.core.models import User

from . import engine, lrs, package
from .content import content_roots, validate, validate_folder
from .models import Statement
from .settings import training_settings

app = typer.Typer(no_args_is_help=True, help="Training courses, public guides, certificates and xAPI records.")
MANAGE = "training:manage"


def _operator(session: object, permission: str) -> User:
    principal = cli_principal(permission)
    user = session.get(User, principal.user_id)  # type: ignore[attr-defined]
    assert user is not None
    return user  # type: ignore[no-any-return]


@app.command("validate")
def validate_command(
    folder: Path | None = typer.Argument(None, help="One course folder to check; default: every course."),
) -> None:
    """Check the courses and guides; every problem is printed as file:line: message."""
    if folder is not None:
        problems = validate_folder(folder)
        count = 1
    else:
        content, problems = validate(content_roots())
        count = len(content.courses) if content else 0
    if problems:
        for problem in problems:
            sys.stdout.write(problem + "\n")
        raise typer.Exit(1)
    Console().print(f"[green]OK[/]: {count} course(s) and guide(s), every statement cited.")


@app.command("export")
def export_command(
    course_id: str = typer.Argument(..., help="The course id, e.g. health."),
    output: Path = typer.Option(..., "--output", "-o", help="The zip file to write."),
) -> None:
    """Write a course (YAML and Markdown) to a zip archive."""
    output.write_bytes(package.export_course(course_id))
    Console().print(f"Wrote {output}")


@app.command("import")
def import_command(
    archive: Path = typer.Argument(..., help="A zip archive made by `heroes training export`."),
    replace: bool = typer.Option(False, "--replace", help="Replace a course with the same id."),
) -> None:
    """Check a course archive and install it (the course appears at once for every learner)."""
    cli_principal(MANAGE)
    if not archive.is_file():
        raise HeroesError(f"No such file: {archive}")
    course_id = package.import_course(archive.read_bytes(), replace=replace)
    Console().print(f"Imported the course {course_id!r}.")


@app.command("records")
def records_command(
    course: str | None = typer.Option(None, "--course", help="Only this course."),
    fmt: str = typer.Option("csv", "--format", help="csv (learners) or xapi (statements, one JSON per line)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write; default: standard output."),
) -> None:
    """Export the learners of your organisation (CSV) or their xAPI statements (JSON lines)."""
    if fmt not in ("csv", "xapi"):
        raise HeroesError("--format is csv or xapi.")
    with session_scope() as session:
        user = _operator(session, MANAGE)
        audit.record(session, user.username, "training.records_export", f"course:{course or 'all'}", {"format": fmt})
        if fmt == "csv":
            text = engine.learners_csv(engine.learners(session, user, course))
        else:
            organisation_id, everyone = engine.scope_of(session, user)
            query = lrs.Query(activity=engine.activity_id(course) if course else None, related_activities=True)
            lines, offset = [], 0
            while True:
                rows, more = lrs.find(
                    session,
                    lrs.Query(**{**query.__dict__, "offset": offset, "limit": lrs.MAX_LIMIT}),
                    organisation_id,
                    everyone,
                )
                lines += [json.dumps(r.statement, ensure_ascii=False) for r in rows]
                offset += len(rows)
                if not more:
                    break
            text = "".join(line + "\n" for line in lines)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@app.command("reminders")
def reminders_command() -> None:
    """Certificates of your organisation due for renewal (inside each course's reminder window) or expired."""
    with session_scope() as session:
        user = _operator(session, MANAGE)
        organisation_id, everyone = engine.scope_of(session, user)
        due = engine.reminders(session, organisation_id, everyone)
    out = Console()
    for r in due:
        out.print(
            "\t".join(
                [r.username, r.course_id, r.code, r.expires_at.date().isoformat(), "expired" if r.expired else "due"]
            )
        )
    if not due:
        out.print("No certificate is due for renewal.")


@app.command("revoke")
def revoke_command(code: str = typer.Argument(..., help="The certificate's verification code.")) -> None:
    """Withdraw a certificate of your organisation; its verification page then says it was withdrawn."""
    with session_scope() as session:
        certificate = engine.revoke(session, _operator(session, MANAGE), code)
        Console().print(f"Certificate {certificate.code} withdrawn.")


@app.command("forward")
def forward_command() -> None:
    """Send statements not yet forwarded to the external LRS (HEROES_TRAINING_LRS_URL)."""
    cli_principal(MANAGE)
    settings = training_settings()
    if not settings.lrs_url:
        raise HeroesError("Set HEROES_TRAINING_LRS_URL (and _LRS_USERNAME, _LRS_PASSWORD) first.")
    with session_scope() as session:
        sent = lrs.forward_pending(
            session, settings.lrs_url, settings.lrs_username, settings.lrs_password, settings.lrs_version
        )
        pending = session.query(Statement).filter(Statement.forwarded_at.is_(None)).count()
    Console().print(f"Forwarded {sent} statement(s); {pending} pending.")
