"""`heroes media ...`: hash, scan, manage hash lists, export. Thin commands over the engine."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.media import engine
from heroes.media.hashlists import IMPORTERS, ListFormatError
from heroes.media.scan import Summary
from heroes.media.sources import read_file_list

PERMISSION = "media:use"
RUNNERS = ("inline", "process", "ray")

app = typer.Typer(no_args_is_help=True, help="Media hash matching: exact and perceptual hashes, never the pictures.")
lists_app = typer.Typer(no_args_is_help=True, help="Hash lists kept in the database.")
app.add_typer(lists_app, name="lists")


def _paths(paths: list[Path] | None, files_from: Path | None) -> list[str]:
    out = [str(p) for p in paths or []]
    if files_from:
        try:
            out += read_file_list(files_from)
        except OSError as exc:
            raise HeroesError(
                _("Cannot read the file list {path}: {error}").format(path=files_from, error=exc.strerror)
            ) from None
    if not out:
        raise HeroesError(_("Name at least one file or folder (or --files-from LIST.txt)."))
    return out


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    )


def _print_summary(summary: Summary, out: Path) -> None:
    console = Console(stderr=True)
    table = Table(title=_("Scan summary"), show_header=True)
    table.add_column(_("What"))
    table.add_column(_("Files"), justify="right")
    table.add_row(_("Files scanned"), str(summary.files))
    for kind, n in sorted(summary.by_type.items()):
        table.add_row(f"  {kind}", str(n))
    table.add_row(_("Files matched"), str(summary.matched_files), style="bold red" if summary.matched_files else None)
    for key, n in sorted(summary.by_category.items()):
        table.add_row(f"  {key}", str(n))
    table.add_row(_("Suppressed by ignore lists"), str(summary.ignored))
    table.add_row(_("Errors (unreadable or corrupt)"), str(summary.errors), style="yellow" if summary.errors else None)
    if summary.too_flat:
        table.add_row(
            _("Pictures too flat to compare (PDQ quality below {n})").format(n=summary.min_quality),
            str(summary.too_flat),
        )
    if summary.resumed:
        table.add_row(_("Taken over from the interrupted run"), str(summary.resumed))
    console.print(table)
    console.print(_("Results: {path}").format(path=out))
    if summary.matched_files:
        console.print(
            _("Matches are leads, not proof: confirm each one on the original media following your procedure.")
        )


def _run_scan(
    roots: list[str],
    out: Path,
    matcher: engine.Matcher | None,
    resume: bool,
    runner: str = "inline",
    min_quality: int = engine.PDQ_MIN_QUALITY,
) -> Summary:
    from heroes.core.fanout import get_fanout

    with _progress_bar() as bar, get_fanout(runner) as fanout:
        task = bar.add_task(_("hashing"), total=None)

        def progress(done: int, total: int | None, _path: str) -> None:
            bar.update(task, completed=done, total=total)

        return engine.scan(
            roots, out, matcher, resume=resume, progress=progress, fanout=fanout, min_quality=min_quality
        )


RUNNER_HELP = "Where to hash: inline (this process), process (a local pool) or ray (HEROES_RAY_ADDRESS)."


@app.command("hash")
def hash_cmd(
    paths: list[Path] = typer.Argument(None, help="Files, folders or archives (zip, tar)."),
    output: Path = typer.Option(..., "-o", "--output", help="Where to write one JSON line per file."),
    files_from: Path | None = typer.Option(None, "--files-from", help="A text file with one path per line."),
    runner: str = typer.Option("inline", "--runner", help=RUNNER_HELP),
) -> None:
    """Hash files (MD5, SHA-1, SHA-256, PDQ for pictures, vPDQ for videos) without matching."""
    if runner not in RUNNERS:
        raise HeroesError(_("Unknown runner {name}: use inline, process or ray.").format(name=runner))
    summary = _run_scan(_paths(paths, files_from), output, None, False, runner)
    _print_summary(summary, output)


@app.command("scan")
def scan_cmd(
    paths: list[Path] = typer.Argument(None, help="Files, folders or archives (zip, tar) to scan."),
    output: Path = typer.Option(..., "-o", "--output", help="Results, one JSON line per file (also the checkpoint)."),
    hashlist: list[str] = typer.Option(
        [], "--hashlist", help="A hash list file; prefix 'ignore:' for known-innocent lists. Repeatable."
    ),
    db_list: list[str] = typer.Option([], "--list", help="A hash list imported in the database, by name. Repeatable."),
    all_lists: bool = typer.Option(False, "--all-lists", help="Every hash list in the database."),
    list_format: str | None = typer.Option(
        None, "--format", help=f"Format of the --hashlist files ({', '.join(IMPORTERS)})."
    ),
    distance: int = typer.Option(
        engine.DEFAULT_DISTANCE, "--distance", min=0, max=128, help="PDQ match threshold in bits."
    ),
    dihedral: bool = typer.Option(False, "--rotations", help="Also find rotated and mirrored pictures."),
    files_from: Path | None = typer.Option(None, "--files-from", help="A text file with one path per line."),
    restart: bool = typer.Option(False, "--restart", help="Start over instead of resuming from OUTPUT."),
    index: Path | None = typer.Option(None, "--index", help="A match index built by `heroes media index`."),
    record: bool = typer.Option(False, "--record", help="Store the results and custody records in the database."),
    runner: str = typer.Option("inline", "--runner", help=RUNNER_HELP),
    min_quality: int = typer.Option(
        engine.PDQ_MIN_QUALITY,
        "--min-quality",
        min=0,
        max=100,
        help="Pictures whose PDQ quality is below this are too flat to compare perceptually.",
    ),
) -> None:
    """Hash every file and match it against hash lists; resumes an interrupted scan of the same OUTPUT."""
    roots = _paths(paths, files_from)
    if runner not in RUNNERS:
        raise HeroesError(_("Unknown runner {name}: use inline, process or ray.").format(name=runner))
    if index is not None:
        if hashlist or db_list or all_lists:
            raise HeroesError(_("Use either --index or hash lists, not both."))
        try:
            prebuilt = engine.Matcher.load(index, distance=distance, dihedral=dihedral, min_quality=min_quality)
        except (OSError, ValueError, KeyError) as exc:
            raise HeroesError(_("Cannot load the index {path}: {error}").format(path=index, error=exc)) from None
        summary = _run_scan(roots, output, prebuilt, not restart, runner, min_quality)
        _print_summary(summary, output)
        if record:
            _record(roots, output, prebuilt.list_names, distance, summary)
        return
    try:
        lists = engine.load_lists(hashlist, list_format)
    except ListFormatError as exc:
        raise HeroesError(str(exc)) from None
    if db_list or all_lists:
        from heroes.core.auth import cli_principal
        from heroes.core.db import session_scope
        from heroes.media import store

        principal = cli_principal(PERMISSION)
        with session_scope() as session:
            lists += store.load_lists(session, None if all_lists else db_list)
            from heroes.core import audit

            audit.record(session, principal.actor, "media.scan.cli", None, {"lists": [hl.name for hl in lists]})
    if not lists:
        raise HeroesError(_("Give at least one hash list (--hashlist FILE, --list NAME or --all-lists)."))
    for hl in lists:
        if hl.errors:
            Console(stderr=True).print(
                _("{name}: {n} malformed rows skipped, first: {first}").format(
                    name=hl.name, n=len(hl.errors), first=hl.errors[0]
                )
            )
    matcher = engine.build_matcher(lists, distance, dihedral, min_quality)
    summary = _run_scan(roots, output, matcher, not restart, runner, min_quality)
    _print_summary(summary, output)
    if record:
        _record(roots, output, [hl.name for hl in lists], distance, summary)


def _record(roots: list[str], output: Path, list_names: list[str], distance: int, summary: Summary) -> None:
    """Store a CLI scan's results in the database with its custody records, as web scans are."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.media import store

    principal = cli_principal(PERMISSION)
    with session_scope() as session:
        scan = store.create_scan(session, principal.actor, roots, list_names, distance)
        store.save_results(session, scan, principal.actor, engine.read_results(output), summary.to_json())
        scan_id = scan.id
    Console(stderr=True).print(_("Stored as scan {id}.").format(id=scan_id))


@app.command("index")
def index_cmd(
    hashlist: list[str] = typer.Option(
        ..., "--hashlist", help="A hash list file ('ignore:' prefix allowed). Repeatable."
    ),
    output: Path = typer.Option(..., "-o", "--output", help="The index file to write (NPZ with a checksum)."),
    list_format: str | None = typer.Option(
        None, "--format", help=f"Format of the list files ({', '.join(IMPORTERS)})."
    ),
) -> None:
    """Build a reusable match index from hash list files, for repeated scans with --index."""
    try:
        lists = engine.load_lists(hashlist, list_format)
    except ListFormatError as exc:
        raise HeroesError(str(exc)) from None
    matcher = engine.build_matcher(lists)
    matcher.save(output)
    Console(stderr=True).print(
        _("{n} hashes from {k} lists indexed in {path}").format(n=len(matcher), k=len(lists), path=output)
    )


@app.command("export")
def export_cmd(
    results: Path = typer.Argument(..., help="A results JSONL file written by `heroes media scan`."),
    output: Path = typer.Option(..., "-o", "--output", help="The VICS JSON file to write."),
    all_files: bool = typer.Option(False, "--all", help="Export every file, not only matched ones."),
) -> None:
    """Export scan results as Project VIC VICS 2.0 JSON."""
    try:
        n = engine.write_vics(engine.read_results(results), str(output), matched_only=not all_files)
    except (OSError, json.JSONDecodeError) as exc:
        raise HeroesError(_("Cannot read the results file {path}: {error}").format(path=results, error=exc)) from None
    Console(stderr=True).print(_("{n} media written to {path}").format(n=n, path=output))


@lists_app.command("import")
def lists_import(
    path: Path = typer.Argument(..., help="The hash list file."),
    name: str | None = typer.Option(None, "--name", help="Name of the list (default: the file name)."),
    list_format: str | None = typer.Option(
        None, "--format", help=f"Format ({', '.join(IMPORTERS)}); detected when left out."
    ),
    ignore: bool = typer.Option(False, "--ignore", help="A known-innocent list: its hits suppress matches."),
) -> None:
    """Import a hash list into the database; malformed rows are reported by line and skipped."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.media import store

    principal = cli_principal(PERMISSION)
    with session_scope() as session:
        row, parsed = store.import_list_file(session, principal.actor, path, name, list_format, ignore)
        summary = _("Imported {name} ({fmt}): {n} hashes, {e} malformed rows skipped.").format(
            name=row.name, fmt=row.format, n=row.entry_count, e=row.error_count
        )
    console = Console()
    console.print(summary)
    for err in parsed.errors[:20]:
        console.print(f"  {err}", style="yellow")
    if len(parsed.errors) > 20:
        console.print(_("  ... and {n} more").format(n=len(parsed.errors) - 20))


@lists_app.command("ls")
def lists_ls() -> None:
    """The hash lists in the database."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.media import store

    cli_principal(PERMISSION)
    table = Table(_("id"), _("name"), _("format"), _("ignore"), _("hashes"), _("by type"), _("imported"))
    with session_scope() as session:
        for row in store.lists(session):
            by_type = ", ".join(f"{k} {v}" for k, v in sorted(row.counts.items()))
            table.add_row(
                str(row.id),
                row.name,
                row.format,
                _("yes") if row.ignore else "",
                str(row.entry_count),
                by_type,
                f"{row.created_at:%Y-%m-%d} {row.created_by}",
            )
    Console().print(table)


@lists_app.command("rm")
def lists_rm(name: str = typer.Argument(..., help="Name or id of the list.")) -> None:
    """Remove a hash list from the database."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.media import store

    principal = cli_principal(PERMISSION)
    with session_scope() as session:
        removed = store.remove_list(session, principal.actor, name)
    Console().print(_("Removed {name}.").format(name=removed))
