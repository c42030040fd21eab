"""`heroes fca ...`: ingest sources into a case, list files and entities, search, match, timeline, report."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from heroes.core.auth import cli_principal
from heroes.core.db import session_scope
from heroes.core.i18n import gettext as _
from heroes.fca import access, engine, report
from heroes.fca.archives import DEFAULT_BUDGET, DEFAULT_DEPTH, Budget

INGEST = "fca:ingest"
READ = "fca:read"

app = typer.Typer(no_args_is_help=True, help="File context analysis: disk images, folders and archives.")


@app.command("ingest")
def ingest_cmd(
    sources: list[Path] = typer.Argument(
        ..., help="Disk images (raw, split raw, E01, VMDK/VHD/QCOW2, APFS), folders, archives (ZIP/TAR/7z) or MSG."
    ),
    case: str = typer.Option(..., "--case", help="The case name."),
    ocr: bool = typer.Option(False, "--ocr", help="Read text in images and scanned PDF pages with Tesseract."),
    region: str | None = typer.Option(None, "--region", help="Default phone region of the case, e.g. ES."),
    workers: int = typer.Option(1, "--workers", help="Worker processes (the Ray runner when configured)."),
    max_depth: int = typer.Option(DEFAULT_DEPTH, "--max-depth", help="How deep nested archives are opened."),
    max_bytes: int = typer.Option(DEFAULT_BUDGET, "--max-archive-bytes", help="Uncompressed bytes per archive tree."),
    hashlist: list[Path] = typer.Option([], "--hashlist", help="Match against these hash lists when done."),
    vectors: bool = typer.Option(
        True, "--vectors/--no-vectors", help="Store sentence vectors for semantic search (made later if skipped)."
    ),
) -> None:
    """Open each source read-only, hash it, process every file and store the results in the case."""
    user = cli_principal(INGEST)
    console = Console(stderr=True)
    results = []
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as bar:  # fmt: skip
        for source in sources:
            task = bar.add_task(str(source), total=None)

            def report_progress(done: int, current: str, task: TaskID = task, source: Path = source) -> None:
                bar.update(task, description=f"{source.name}: {done} " + _("items"))

            result = engine.ingest(source, case, actor=user.actor, region=region, ocr=ocr, workers=workers,
                                   budget=Budget(max_depth, max_bytes), progress=report_progress,
                                   semantic=vectors)  # fmt: skip
            results.append((source, result))
    table = Table(title=_("Ingest summary"))
    for column in (_("Source"), _("Items"), _("Status"), _("Problems")):
        table.add_column(column)
    for source, r in results:
        table.add_row(str(source), str(r["items"]), r["status"], str(len(r.get("problems", []))))
    Console().print(table)
    with session_scope() as s:
        if hashlist:
            matched = engine.match(s, case, hashlist, viewer=user)
            typer.echo(_("{n} items match a hash list").format(n=len(matched)))
        summary = engine.case_summary(s, case, viewer=user)
    typer.echo(_("{items} items ({deleted} deleted), {entities} entities in case {case}").format(**summary))


def _print_json(rows: object) -> None:
    typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))


@app.command("files")
def files_cmd(case: str, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every item of the case with its type, flags and hashes."""
    user = cli_principal(READ)
    with session_scope() as s:
        rows = engine.files(s, case, viewer=user)
    if as_json:
        _print_json(rows)
        return
    for r in rows:
        flags = (
            ("D" if r["deleted"] else "-") + ("X" if r["extension_mismatch"] else "-") + ("M" if r["matches"] else "-")
        )
        typer.echo(f"{flags} {r['size']:>10} {r['type']:<6} {r['sha256'][:16]} {r['path']}")


@app.command("entities")
def entities_cmd(
    case: str,
    kind: str | None = typer.Option(None, "--kind", help="Only this kind (phone, email, iban, btc ...)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Phones, e-mails, wallets, IBANs ... with their counts and the files they occur in."""
    user = cli_principal(READ)
    with session_scope() as s:
        rows = engine.entity_view(s, case, kind, viewer=user)
    if as_json:
        _print_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['kind']:<7} {r['value']:<45} {r['count']:>5}  {', '.join(r['paths'][:3])}")


@app.command("search")
def search_cmd(
    case: str,
    query: str,
    semantic: bool = typer.Option(False, "--semantic", help="Search by meaning (multilingual)."),
    limit: int = typer.Option(20, "--limit"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Full-text search ("phrases", prefix*) or semantic search over the extracted text."""
    user = cli_principal(READ)
    with session_scope() as s:
        if semantic:
            rows = engine.semantic_search(s, case, query, limit, viewer=user)
        else:
            rows = engine.search(s, case, query, limit, viewer=user)
    if as_json:
        _print_json([{k: r[k] for k in ("path", "score", "snippet")} for r in rows])
        return
    for r in rows:
        typer.echo(f"{r['score']:>8.3f}  {r['path']}\n          {r['snippet']}")


@app.command("match")
def match_cmd(
    case: str,
    hashlist: list[Path] = typer.Option(..., "--hashlist", help="A hash list the media tool reads (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Match every item against hash lists; matched items are flagged and never shown."""
    user = cli_principal(READ)
    with session_scope() as s:
        rows = engine.match(s, case, hashlist, viewer=user)
    if as_json:
        _print_json([{"path": r["path"], "matches": r["matches"]} for r in rows])
        return
    for r in rows:
        typer.echo(
            f"{r['sha256'][:16]} {r['path']}  " + ", ".join(f"{m['list']}/{m['category']}" for m in r["matches"])
        )


@app.command("timeline")
def timeline_cmd(
    case: str, output: Path = typer.Option(..., "-o", "--output", help="FILE.csv (l2tcsv) or .jsonl")
) -> None:
    """File system and EXIF times of every item, as plaso's l2tcsv or JSON lines."""
    user = cli_principal(READ)
    with session_scope() as s:
        n = engine.write_timeline(engine.timeline(s, case, viewer=user), output)
    typer.echo(_("{n} events written to {path}").format(n=n, path=output))


@app.command("export")
def export_cmd(
    case: str,
    output: Path = typer.Option(..., "-o", "--output", help="FILE.csv or FILE.jsonl"),
    what: str = typer.Option("items", "--what", help="items or entities"),
) -> None:
    """Export the case's items or entities as CSV or JSON lines."""
    user = cli_principal(READ)
    with session_scope() as s:
        rows = engine.entity_view(s, case, viewer=user) if what == "entities" else engine.files(s, case, viewer=user)
        for row in rows:
            if what != "entities":
                row["matches"] = [m["list"] for m in row["matches"]]
    n = engine.export_rows(rows, output)
    typer.echo(_("{n} rows written to {path}").format(n=n, path=output))


@app.command("tag")
def tag_cmd(case: str, item_id: int, label: str = typer.Option("relevant", "--tag")) -> None:
    """Tag an item (by its id from `files --json`) for the report."""
    user = cli_principal(READ)
    with session_scope() as s:
        engine.tag(s, item_id, label, viewer=user, case=case)
    typer.echo(_("Tagged."))


@app.command("report")
def report_cmd(case: str, output: Path = typer.Option(..., "-o", "--output", help="FILE.pdf or FILE.html")) -> None:
    """A case report of the tagged items (matched media by hash and path only)."""
    user = cli_principal(READ)
    with session_scope() as s:
        report.write(s, case, output, viewer=user)
    typer.echo(_("Report written to {path}").format(path=output))


@app.command("members")
def members_cmd(
    case: str,
    add: list[str] = typer.Option([], "--add", help="Add this account to the case (repeatable)."),
    lead: list[str] = typer.Option([], "--lead", help="Add this account as a lead of the case (repeatable)."),
    remove: list[str] = typer.Option([], "--remove", help="Remove this account from the case (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Who may see the case; its leads and admins add and remove members."""
    user = cli_principal(READ)
    with session_scope() as s:
        for name in add:
            access.add_member(s, user, case, name, access.MEMBER)
        for name in lead:
            access.add_member(s, user, case, name, access.LEAD)
        for name in remove:
            access.remove_member(s, user, case, name)
    with session_scope() as s:
        rows = access.members(s, user, case)
    if as_json:
        _print_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['role']:<7} {r['username']:<30} {r['organisation'] or '-'}")
