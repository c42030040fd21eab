"""`heroes screening ...` and `heroes referral ...`: thin commands over the engine and the directory."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from heroes.core import i18n
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.text import JsonTooDeep, json_loads

from . import engine
from .content import get_content, guide_as_dict, load_content, text
from .note import NoteExtras, build_note, render_pdf

app = typer.Typer(no_args_is_help=True, help="Early identification screening and referral by country.")
referral_app = typer.Typer(no_args_is_help=True, help="The referral directory (Open Referral HSDS 3.0 JSON).")

LEVEL_STYLE = {"urgent": "bold white on red", "high": "bold red", "medium": "yellow", "low": "green", "none": "dim"}


def _console() -> Console:
    return Console(soft_wrap=False, highlight=False)


def _lang(lang: str | None) -> str:
    if lang:
        i18n.set_language(lang)  # the command's own --lang also switches the interface strings
    return get_content().check_language(lang or i18n.get_language())


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def checklist(
    country: str = typer.Option(..., "--country", "-c", help="Country code, e.g. UK, ES, CO, BD."),
    sector: str | None = typer.Option(None, "--sector", "-s", help="Your sector, e.g. health, education."),
    child: bool = typer.Option(False, "--child", help="The person seems to be under 18."),
    lang: str | None = typer.Option(None, "--lang", "-l", help="Language of the content (en, es, bn)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The signs to look for in your sector and country, danger questions first."""
    result = engine.checklist(country, sector, child, _lang(lang))
    if as_json:
        _print_json(result.to_dict())
        return
    out = _console()
    who = _("child") if child else _("adult")
    sector_label = result.sector_label or _("all sectors")
    out.print(f"[bold]{result.country_name}[/] - {sector_label} - {who}")
    out.print(f"\n[bold red]{result.danger_question}[/]")
    for item in result.danger:
        out.print(f"  [ ] {item.id}: {item.text}")
    out.print(f"\n[bold]{result.key_label}[/]")
    for item in result.key:
        mark = "[bold]*[/]" if item.strength == "strong" else " "
        out.print(f"  [ ]{mark}{item.id}: {item.text}")
    out.print(f"\n[bold]{result.more_label}[/]")
    for group in result.groups:
        out.print(f"\n[bold]{group.label}[/]")
        for item in group.items:
            mark = "[bold]*[/]" if item.strength == "strong" else " "
            out.print(f"  [ ]{mark}{item.id}: {item.text}")
    out.print(f"\n* = {text(get_content().strengths[0].label, result.lang)}")
    if result.consent_question:
        options = ", ".join(f"{value} ({label})" for value, label in result.consent_options)
        out.print(f"\n{result.consent_question} {options}")
    out.print("\n" + _("Write the ids you observed into a JSON file and run `heroes screening assess FILE`."))


def _read_answers(path: Path) -> engine.Answers:
    try:
        raw = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HeroesError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = json_loads(raw)
    except (json.JSONDecodeError, JsonTooDeep) as exc:
        raise HeroesError(f"{path} is not valid JSON: {exc}") from exc
    return engine.Answers.from_dict(data)


@app.command()
def assess(
    answers: Path = typer.Argument(
        ...,
        help='JSON file ("-" = stdin): {"country", "sector", "child", "observed": [ids], "danger": [ids]}',
    ),
    lang: str | None = typer.Option(None, "--lang", "-l", help="Language of the result (en, es, bn)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    pdf: Path | None = typer.Option(None, "--pdf", help="Also write the referral note as a PDF here."),
) -> None:
    """Level of concern, the reasons, safety steps and whom to call, in order."""
    result = engine.assess(_read_answers(answers), _lang(lang))
    if pdf:
        pdf.write_bytes(render_pdf(build_note(result, NoteExtras())))
    if as_json:
        _print_json(result.to_dict())
        return
    out = _console()
    out.print(f"[{LEVEL_STYLE.get(result.level, 'bold')}]{result.level_label}[/]  {result.country_name}")
    out.print(result.advice)
    for reason in result.reasons:
        out.print(f"  - {reason}")
    for ind in result.indicators:
        out.print(f"  [{ind.strength_label}] {ind.text}")
    out.print(f"\n[bold]{_('Immediate safety')}[/]")
    for number, step in enumerate(result.safety_steps, start=1):
        out.print(f"{number}. {'[bold red]' if step.emergency else ''}{step.action}{'[/]' if step.emergency else ''}")
    out.print(f"\n[bold]{_('Referral steps')}[/]")
    if not result.referral_steps:
        out.print("  " + _("No referral step at this level."))
    for number, step in enumerate(result.referral_steps, start=1):
        prefix = f"({step.condition}) " if step.condition else ""
        out.print(f"{number}. {prefix}{step.action}")
        if step.service:
            phones = ", ".join(p.number for p in step.service.phones) or step.service.url or "-"
            flag = "" if step.service.verified else " " + _("[unverified]")
            out.print(f"   {step.service.name}: {phones} ({step.service.hours}){flag}", markup=False)
        out.print(f'   "{step.say}"')
    out.print(f"\n[bold]{_('Consent')}[/]: {result.consent.rule}")
    if pdf:
        out.print(_("Referral note written to %(path)s", path=str(pdf)))


@app.command()
def guide(
    lang: str | None = typer.Option(None, "--lang", "-l", help="Language (en, es)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The trauma-bonding observation guide (no score, no diagnosis)."""
    content = get_content()
    language = _lang(lang)
    g = content.guide
    if as_json:
        _print_json(guide_as_dict(content, language))
        return
    out = _console()
    out.print(
        f"[bold]{text(g.title, language)}[/]\n{text(g.purpose, language)}\n[italic]{text(g.no_score, language)}[/]"
    )
    for d in g.dimensions:
        out.print(
            f"\n[bold]{text(d.name, language)}[/]\n  {text(d.observe, language)}\n  -> {text(d.respond, language)}"
        )


@app.command()
def validate(
    data_dir: Path | None = typer.Option(None, "--data", help="A data folder to check instead of the shipped one."),
) -> None:
    """Check every data file against its schema and every cross-reference."""
    content = load_content(data_dir) if data_dir else load_content()
    typer.echo(
        f"ok: {len(content.indicators)} indicators, {len(content.countries)} countries "
        f"({', '.join(content.countries)}), {sum(len(c.services) for c in content.countries.values())} services"
    )


# --- referral directory ---------------------------------------------------------------------


@referral_app.command("export")
def export_directory(
    out: Path | None = typer.Option(None, "--out", "-o", help="File to write (default: stdout)."),
    from_data: bool = typer.Option(
        False, "--from-data", help="Export the shipped country files instead of the database."
    ),
) -> None:
    """Export the referral directory as HSDS 3.0 JSON."""
    from .hsds import dumps, seed_directory

    if from_data:
        directory = seed_directory(get_content())
    else:
        from heroes.core.db import session_scope

        from . import store

        with session_scope() as session:
            store.ensure_seeded(session)
            directory = store.load_directory(session)
    payload = dumps(directory)
    if out:
        out.write_text(payload, encoding="utf-8")
        typer.echo(f"{len(directory.services)} services written to {out}", err=True)
    else:
        sys.stdout.write(payload)


@referral_app.command("import")
def import_directory(
    path: Path = typer.Argument(..., help="HSDS JSON file."),
    country: str | None = typer.Option(
        None, "--country", help="Country of records that do not say (other publishers)."
    ),
    replace: bool = typer.Option(False, "--replace", help="Replace the whole directory instead of merging."),
) -> None:
    """Import HSDS 3.0 JSON into the referral directory (admins: referral:edit)."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope

    from . import store
    from .hsds import loads

    principal = cli_principal("referral:edit")
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HeroesError(f"cannot read {path}: {exc.strerror}") from exc
    directory = loads(raw, country)
    with session_scope() as session:
        result = store.import_directory(session, directory, actor=principal.actor, replace=replace)
    typer.echo(
        f"imported {result.services} services, {result.organizations} organizations, "
        f"{result.locations} locations ({'replaced' if replace else 'merged'})"
    )


@referral_app.command("seed")
def seed(
    force: bool = typer.Option(False, "--force", help="Replace the directory with the shipped data."),
) -> None:
    """Fill the referral directory from the shipped country files (admins: referral:edit)."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope

    from . import store
    from .hsds import seed_directory

    principal = cli_principal("referral:edit")
    with session_scope() as session:
        if force:
            store.import_directory(session, seed_directory(get_content()), principal.actor, replace=True, action="seed")
            typer.echo("directory replaced with the shipped data")
        elif store.ensure_seeded(session, actor=principal.actor):
            typer.echo("directory seeded from the shipped data")
        else:
            typer.echo("directory already has data; use --force to replace it")
