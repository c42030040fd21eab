"""`heroes rima ...`: acquire chat evidence, verify packages, list messages, reports, grooming analysis."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from heroes.chats import parsers
from heroes.chats.timeutil import zone
from heroes.core.auth import cli_principal
from heroes.core.i18n import gettext as _
from heroes.rima import analysis, report, service
from heroes.rima.package import Package

ACQUIRE = "rima:acquire"
READ = "rima:read"

app = typer.Typer(no_args_is_help=True, help="Chat evidence (RIMA): acquire, verify, read and report chats.")


@app.command("acquire")
def acquire_cmd(
    sources: list[Path] = typer.Argument(..., help="Chat databases, exports, folders or ZIP archives."),
    case: str = typer.Option(..., "--case", help="The case name or number."),
    examiner: str = typer.Option(..., "--examiner", help="Who performs the acquisition."),
    output: Path = typer.Option(..., "-o", "--output", help="The new package: a folder, or a file ending in .zip."),
    tz: str | None = typer.Option(
        None, "--tz", help="Time zone of the device for exports with local times only, e.g. Europe/Madrid."
    ),
    tsa: str | None = typer.Option(None, "--tsa", help="RFC 3161 timestamping authority URL (or HEROES_RIMA_TSA_URL)."),
) -> None:
    """Copy the sources bit for bit into an evidence package, parse every chat and seal the manifest."""
    user = cli_principal(ACQUIRE)
    zone_info = zone(tz) if tz else None
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        copy_task = bar.add_task(_("copying"), total=None)
        parse_task = bar.add_task(_("messages parsed"), total=None)

        def progress(step: str, done: int, total: int | None) -> None:
            if step == "copy":
                bar.update(copy_task, completed=done, total=total)
            else:
                bar.update(parse_task, completed=done)

        manifest = service.acquire(
            sources,
            output,
            actor=user.actor,
            case=case,
            examiner=examiner,
            tz=zone_info,
            tsa_url=tsa,
            on_progress=progress,
        )
    table = Table(title=_("Acquisition summary"))
    for column in (_("File"), _("Parser"), _("Conversations"), _("Messages"), _("Could not be read")):
        table.add_column(column)
    for p in manifest["parsed"]:
        table.add_row(
            p["file"],
            p["parser"] or "-",
            str(p["conversations"]),
            str(p["messages"]),
            str(len(p["problems"])),
            style="yellow" if p["problems"] else None,
        )
    console.print(table)
    console.print(
        _("{messages} messages in {conversations} conversations from {files} files; package {path}").format(
            messages=manifest["messages"],
            conversations=manifest["conversations"],
            files=len(manifest["files"]),
            path=output,
        )
    )
    if manifest["not_recognised"]:
        console.print(
            _("Copied but not read as chats: {n} files (listed in the manifest).").format(
                n=len(manifest["not_recognised"])
            )
        )
        expected = ", ".join(c.description for c in parsers())
        for name in manifest["not_recognised"][:10]:
            console.print(
                _("{file}: not a chat source RIMA reads (expected one of: {expected})").format(
                    file=name, expected=expected
                )
            )
    if manifest["messages_with_local_time_only"]:
        console.print(
            _(
                "{n} messages carry only a local time; pass --tz with the device's time zone to place them in UTC."
            ).format(n=manifest["messages_with_local_time_only"])
        )
    stamp = manifest["timestamp"]
    if stamp["status"] == "failed":
        console.print(_("RFC 3161 timestamp failed: {error}").format(error=stamp["error"]))
    elif stamp["status"] == "stamped":
        console.print(_("RFC 3161 timestamp: {time} by {tsa}").format(time=stamp["time"], tsa=stamp["tsa"]))


@app.command("verify")
def verify_cmd(package: Path = typer.Argument(..., help="The package folder or ZIP.")) -> None:
    """Recompute every hash and report any file that changed, went missing or appeared."""
    user = cli_principal(READ)
    result = service.verify(package, user.actor)
    console = Console()
    if result.ok:
        console.print(_("OK: {n} files match the manifest.").format(n=result.checked))
        return
    for name in result.changed:
        console.print(_("CHANGED: {name}").format(name=name))
    for name in result.missing:
        console.print(_("MISSING: {name}").format(name=name))
    for name in result.unexpected:
        console.print(_("NOT IN THE MANIFEST: {name}").format(name=name))
    raise typer.Exit(1)


@app.command("messages")
def messages_cmd(
    package: Path = typer.Argument(..., help="The package folder or ZIP."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
    search: str | None = typer.Option(None, "--search", help="Only messages containing this (any case, accents)."),
    conversation: str | None = typer.Option(None, "--conversation", help="Only this conversation id (C0001...)."),
) -> None:
    """Every message: conversation, app, sender, time (ISO 8601 UTC), text, source file and reference."""
    cli_principal(READ)
    with Package(package) as pkg:
        rows = analysis.search(pkg, search, conversation) if search else pkg.messages()
        out = sys.stdout
        for m in rows:
            if conversation and m["conversation"] != conversation:
                continue
            if as_json:
                out.write(json.dumps(m, ensure_ascii=False) + "\n")
            else:
                when = m["time"] or f"{m['time_local']} (local)"
                text = m["text"].replace("\n", " \u23ce ")  # one message per line
                out.write(f"{m['id']} {when} [{m['app']}] {m['conversation_title']} | {m['sender']}: {text}\n")


@app.command("timeline")
def timeline_cmd(
    package: Path = typer.Argument(..., help="The package folder or ZIP."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """Every message of every app in time order (UTC)."""
    cli_principal(READ)
    with Package(package) as pkg:
        for m in analysis.timeline(pkg):
            if as_json:
                sys.stdout.write(json.dumps(m, ensure_ascii=False) + "\n")
            else:
                when = m["time"] or f"{m['time_local']} (local)"
                text = m["text"].replace("\n", " \u23ce ")
                sys.stdout.write(f"{when} [{m['app']}] {m['conversation_title']} | {m['sender']}: {text} ({m['id']})\n")


@app.command("conversations")
def conversations_cmd(package: Path = typer.Argument(..., help="The package folder or ZIP.")) -> None:
    """Per conversation: app, participants, message counts, first and last message."""
    cli_principal(READ)
    table = Table()
    for column in ("id", _("App"), _("Title"), _("Participants"), _("Messages"), _("First"), _("Last")):
        table.add_column(column)
    with Package(package) as pkg:
        for c in pkg.conversations():
            people = ", ".join(p.get("name") or p.get("identifier", "") for p in c["participants"])
            table.add_row(
                c["id"],
                c["app"],
                c["title"],
                people,
                str(c["messages"]),
                c["first_message"] or "",
                c["last_message"] or "",
            )
    Console().print(table)


@app.command("contacts")
def contacts_cmd(
    package: Path = typer.Argument(..., help="The package folder or ZIP."),
    region: str | None = typer.Option(None, "--region", help="Default country for numbers without +, e.g. ES."),
) -> None:
    """Phone numbers, e-mails and handles of everyone in the package, as JSON lines."""
    cli_principal(READ)
    with Package(package) as pkg:
        for c in analysis.contacts(pkg, region):
            sys.stdout.write(json.dumps(c, ensure_ascii=False) + "\n")


@app.command("report")
def report_cmd(
    package: Path = typer.Argument(..., help="The package folder or ZIP."),
    output: Path = typer.Option(..., "-o", "--output", help="FILE.pdf, FILE.html, FILE.csv or FILE.jsonl"),
    grooming: bool = typer.Option(False, "--grooming", help="Include the anti-grooming analysis (PDF/HTML)."),
    lang: str = typer.Option("en", "--lang", help="Language of the analysis texts (en, es)."),
) -> None:
    """A transcript per conversation with message ids pointing into the manifest; or CSV/JSONL export."""
    cli_principal(READ)
    findings = None
    if grooming and output.suffix.lower() in (".pdf", ".html"):
        with Package(package) as pkg:
            findings = analysis.grooming(pkg, lang)
    report.write(package, output, findings)
    Console(stderr=True).print(_("Report written: {path}").format(path=output))


@app.command("grooming")
def grooming_cmd(
    package: Path = typer.Argument(..., help="The package folder or ZIP."),
    as_json: bool = typer.Option(False, "--json", help="The full analysis as JSON."),
    lang: str = typer.Option("en", "--lang", help="Language of the analysis texts (en, es)."),
) -> None:
    """Run the anti-grooming analysis over every conversation: score, stages and the messages behind them."""
    cli_principal(READ)
    with Package(package) as pkg:
        results = analysis.grooming(pkg, lang)
    if as_json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=_("Grooming analysis"))
    for column in (_("Conversation"), _("App"), _("Score"), _("Level"), _("Stages"), _("Evidence messages")):
        table.add_column(column)
    for r in results:
        ids = [str(e.get("message_id")) for st in r["stages"] for e in st["evidence"]][:8]
        table.add_row(
            f"{r['conversation']} {r['title']}",
            r["app"],
            f"{r['score']:.2f}",
            r["level"],
            ", ".join(st["name"] for st in r["stages"]),
            " ".join(ids),
            style="bold red" if r["level"] == "high" else None,
        )
    Console().print(table)
    Console().print(_("Scores are leads for an investigator to read, not findings."))
