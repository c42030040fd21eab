"""`heroes cases ...`: thin commands over the case library (staff commands name the account with --user)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from heroes.core.auth import Principal, cli_principal
from heroes.core.db import new_session
from heroes.core.errors import HeroesError
from heroes.text import JsonTooDeep, json_loads

from . import duplicates, engine, exchange, fhir, pdf
from .access import AccessDenied, viewer_for

app = typer.Typer(no_args_is_help=True, help="MDT case coordination: cases, subject access, export, retention.")


@app.callback()
def _group() -> None:
    """Cases shared with consent between agencies: list, show, subject access, JSON export/import,
    FHIR referral export, PDF summary and the retention run."""


@contextlib.contextmanager
def _scope() -> Iterator[Session]:
    """A transaction like session_scope, except that a refusal keeps its audit entry."""
    session = new_session()
    try:
        yield session
        session.commit()
    except (AccessDenied, engine.StaleEdit):
        session.commit()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _write(data: Any, out: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"Written to {out}")


def _viewer(permission: str) -> tuple[Principal, Any]:
    principal = cli_principal(permission)
    with _scope() as session:
        return principal, viewer_for(session, principal)


@app.command("list")
def list_command(reason: Annotated[str, typer.Option(help="Reason of access.")] = "casework") -> None:
    """Cases your organisation may open now."""
    _, viewer = _viewer("cases:read")
    with _scope() as session:
        rows = engine.list_cases(session, viewer, reason)
    for row in rows:
        typer.echo(
            f"{row['id']:>6}  {row['relation']:8} {row['status'] or '':7} {row['risk'] or '':7} {row['pseudonym']}"
        )
    if not rows:
        typer.echo("No cases.")


@app.command("show")
def show_command(case_id: int, reason: Annotated[str, typer.Option(help="Reason of access.")] = "casework") -> None:
    """The case as your role and organisation may see it (JSON)."""
    _, viewer = _viewer("cases:read")
    with _scope() as session:
        _write(engine.case_view(session, case_id, viewer, reason), None)


@app.command("subject-access")
def subject_access_command(
    case_id: int, out: Annotated[Path | None, typer.Option("--out", help="Write the JSON here.")] = None
) -> None:
    """Everything held about the person in one case, for a subject access request (coordinators)."""
    _, viewer = _viewer("cases:coordinate")
    with _scope() as session:
        record = exchange.subject_access(session, case_id, viewer)
    _write(record, out)


@app.command("duplicates")
def duplicates_command(case_id: int) -> None:
    """Cases of your organisation that may be the same person, with the evidence (coordinators)."""
    _, viewer = _viewer("cases:coordinate")
    with _scope() as session:
        found = duplicates.find_for_case(session, case_id, viewer)
    for hit in found:
        typer.echo(f"case {hit['case_id']:>6}  {hit['score']:.0%}  {'; '.join(hit['evidence'])}")
    if not found:
        typer.echo("No likely duplicate.")


@app.command("fhir")
def fhir_command(referral_id: int, out: Annotated[Path | None, typer.Option("--out")] = None) -> None:
    """A referral as an HL7 FHIR R5 Bundle (ServiceRequest + Consent)."""
    _, viewer = _viewer("cases:read")
    with _scope() as session:
        bundle = fhir.referral_bundle(session, referral_id, viewer)
    _write(bundle, out)


@app.command("summary-pdf")
def summary_pdf_command(
    case_id: int,
    out: Annotated[Path, typer.Option("--out", help="PDF file to write.")],
    lang: Annotated[str, typer.Option(help="en or es.")] = "en",
) -> None:
    """The printable case summary, with only what your role may see."""
    if lang not in ("en", "es"):
        raise HeroesError("The summary is available in en or es.")
    _, viewer = _viewer("cases:read")
    with _scope() as session:
        view = engine.case_view(session, case_id, viewer, "casework")
    out.write_bytes(pdf.case_summary_pdf(view, lang))
    typer.echo(f"Written to {out}")


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="JSON file to write.")],
    case: Annotated[list[int] | None, typer.Option("--case", help="Only these cases (repeatable).")] = None,
) -> None:
    """Export cases as JSON (administrators; for moving between installations)."""
    principal = cli_principal("cases:retention")
    with _scope() as session:
        document = exchange.export_cases(session, principal.actor, case or None)
    _write(document, out)


@app.command("import")
def import_command(source: Path) -> None:
    """Import cases from a JSON export; organisations are matched by name (administrators)."""
    principal = cli_principal("cases:retention")
    if not source.is_file():
        raise HeroesError(f"No such file: {source}")
    try:
        document = json_loads(source.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, JsonTooDeep) as exc:
        raise HeroesError(f"{source} is not a JSON file: {exc}") from exc
    with _scope() as session:
        created = exchange.import_cases(session, document, principal.actor)
    typer.echo(f"Imported {len(created)} case(s): {', '.join(map(str, created))}")


@app.command("retention")
def retention_command(
    days: Annotated[int | None, typer.Option(help="Override HEROES_CASES_RETENTION_DAYS for this run.")] = None,
    mode: Annotated[str, typer.Option(help="anonymise (default) or delete.")] = "anonymise",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list the cases that are due.")] = False,
) -> None:
    """Anonymise or delete closed cases untouched for longer than the retention period (administrators)."""
    principal = cli_principal("cases:retention")
    with _scope() as session:
        result = exchange.retention_run(session, principal.actor, days, mode, dry_run)
    verb = "due" if dry_run else ("anonymised" if mode == "anonymise" else "deleted")
    typer.echo(f"{len(result.due)} case(s) {verb}: {', '.join(map(str, result.due)) or '-'}")
