"""`heroes reports ...`: thin commands over the engine."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from heroes.core.errors import HeroesError
from heroes.reports.triage import ReportInput, triage
from heroes.text import JsonTooDeep, json_loads

app = typer.Typer(no_args_is_help=True, help="Citizen reports: triage, queue, export.")


@app.callback()
def _group() -> None:
    """Citizen reports: offline triage, and the staff queue (list, show, export)."""


def _read_input(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.is_file():
        raise HeroesError(f"No such file: {source}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise HeroesError(f"{source} is not UTF-8 text.") from exc


def _report_from(raw: str, country: str | None, danger_now: bool) -> ReportInput:
    """A JSON object with report fields, or plain text taken as the description."""
    stripped = raw.strip()
    if not stripped:
        raise HeroesError("The report is empty: give a text or a JSON object with a description.")
    if stripped.startswith("{"):
        try:
            data = json_loads(stripped)
        except JsonTooDeep as exc:
            raise HeroesError(f"The input looks like JSON but is {exc}.") from exc
        except json.JSONDecodeError as exc:
            raise HeroesError(f"The input looks like JSON but is not valid: {exc.msg} (line {exc.lineno}).") from exc
        report = ReportInput.from_dict(data)
    else:
        report = ReportInput(description=stripped)
    if country:
        report.country = country.upper()
    report.danger_now = report.danger_now or danger_now
    return report


@app.command("triage")
def triage_command(
    source: Annotated[
        str,
        typer.Argument(help="A text file, a JSON file with report fields, or - for stdin."),
    ] = "-",
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    country: Annotated[str | None, typer.Option(help="Country (ISO code) for phone numbers, e.g. ES.")] = None,
    danger_now: Annotated[
        bool,
        typer.Option("--danger-now", help="The reporter says someone is in danger now."),
    ] = False,
) -> None:
    """Score a report offline: category (with the phrases behind it), urgency and reasons, identifiers."""
    from heroes.core.i18n import get_language

    lang = get_language()
    result = triage(_report_from(_read_input(source), country, danger_now))
    if as_json:
        typer.echo(json.dumps(result.as_dict(lang), ensure_ascii=False, indent=2))
        return
    _print_triage(result, lang)


def _print_triage(result: object, lang: str) -> None:
    from rich.console import Console

    from heroes.reports.triage import Triage, category_label

    assert isinstance(result, Triage)
    console = Console()
    urgency = result.urgency
    console.print(f"[bold]{result.category_label(lang)}[/bold]")
    evidence = ", ".join(f'"{hit.quote}"' for hit in result.classification.evidence) or "-"
    suggestion = result.classification
    console.print(
        f"  text points to: {category_label(suggestion.category, lang)}"
        f" ({suggestion.confidence:.0%}, {suggestion.method}; phrases: {evidence})"
    )
    if suggestion.neighbours:
        similar = ", ".join(f"{category_label(c, lang)} ({s:.2f})" for c, s in suggestion.neighbours)
        console.print(f"  most similar known reports: {similar}")
    console.print(f"[bold]Urgency {urgency.score}/100: {urgency.label(lang)}[/bold] - {urgency.action(lang)}")
    if urgency.rule:
        console.print(f"  rule: {' + '.join(urgency.rule)}")
    for reason in urgency.reasons:
        shown = "; ".join(reason.evidence[:4])
        console.print(f"  +{reason.points:<3} {reason.message(lang)}" + (f" ({shown})" if shown else ""))
    if result.identifiers:
        console.print("[bold]Identifiers[/bold]")
        for ident in result.identifiers:
            console.print(f"  {ident.kind:<9} {ident.value}" + (f"  [{ident.detail}]" if ident.detail else ""))


# --- staff commands (they need an account with reports:read: `heroes --user NAME reports ...`) ---


@app.command("list")
def list_command(
    status: Annotated[
        str,
        typer.Option(help="open (default), all, or one of new, in_review, referred, closed."),
    ] = "open",
    category: Annotated[str | None, typer.Option(help="Only this category key.")] = None,
    level: Annotated[
        str | None,
        typer.Option(help="Only this urgency level (critical, high, medium, low)."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """The triage queue: most urgent first, with reasons and the number of linked reports."""
    from rich.console import Console
    from rich.table import Table

    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.reports import service

    principal = cli_principal(service.READ)
    with session_scope() as session:
        items = service.queue(
            session,
            principal,
            None if status == "all" else status,
            category,
            level,
            None,
            limit,
        )
        rows = [
            {
                "id": item.report.id,
                "created_at": item.report.created_at.isoformat(timespec="minutes"),
                "urgency": item.report.urgency_score,
                "level": item.report.urgency_level,
                "category": item.report.category,
                "status": item.report.status,
                "reasons": [r["code"] for r in item.report.triage["urgency"]["reasons"]],
                "linked": item.links,
                "assigned_to": item.assignee,
            }
            for item in items
        ]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table("id", "received", "urgency", "category", "reasons", "linked", "status")
    for row in rows:
        table.add_row(
            str(row["id"]),
            str(row["created_at"]),
            f"{row['urgency']} {row['level']}",
            str(row["category"]),
            ", ".join(row["reasons"]),  # type: ignore[arg-type]
            str(row["linked"]),
            str(row["status"]),
        )
    Console().print(table)


@app.command("show")
def show_command(
    report_id: Annotated[int, typer.Argument(help="Report number.")],
) -> None:
    """One report with its triage, identifiers, linked reports, messages and notes (as JSON)."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.reports import service

    principal = cli_principal(service.READ)
    with session_scope() as session:
        data = service.report_dict(service.get_report(session, principal, report_id))
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.command("export")
def export_command(
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Report numbers; all reports when none given."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write; stdout when omitted."),
    ] = None,
) -> None:
    """Export reports as JSON or CSV; every exported report is recorded in the audit log."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.reports import service

    principal = cli_principal(service.READ)
    with session_scope() as session:
        text = service.export_reports(session, principal, ids or None, fmt)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {output}")


@app.command("train")
def train_command(
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="Labelled JSON lines (text, category, lang); repeatable."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed (the shipped model uses the default).")] = 13,
    output: Annotated[Path | None, typer.Option(help="Folder for the model; the package's own by default.")] = None,
    no_written: Annotated[
        bool, typer.Option("--no-written-cases", help="Leave out the cases written for the project.")
    ] = False,
) -> None:
    """Train the category model (grouped 5-fold cross-validation first) and save it as NPZ + JSON."""
    from heroes.reports import training

    paths = list(data or [Path("../shared/data/reports/dev.jsonl")])
    if not no_written:
        paths.append(training.WRITTEN_CASES)
    result = training.train(paths, output, seed=seed, progress=typer.echo)
    typer.echo(json.dumps(result, indent=2))


@app.command("retriage")
def retriage_command(
    include_closed: Annotated[bool, typer.Option(help="Also re-triage closed reports.")] = False,
    wait: Annotated[bool, typer.Option(help="Run here and print the summary instead of queueing a job.")] = False,
) -> None:
    """Triage the stored reports again after a model or rule update (a background job, audited)."""
    from heroes.core.auth import cli_principal
    from heroes.core.jobs import submit
    from heroes.reports import service
    from heroes.reports.jobs import retriage_all

    principal = cli_principal(service.MANAGE)
    if wait:
        typer.echo(json.dumps(retriage_all(principal.actor, include_closed)))
        return
    job_id = submit("reports.retriage", {"actor": principal.actor, "include_closed": include_closed}, principal)
    typer.echo(f"Re-triage queued as job {job_id}: heroes jobs watch {job_id}")
