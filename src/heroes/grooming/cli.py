"""`heroes grooming ...`: thin commands over the engine."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress

from heroes.core.errors import HeroesError
from heroes.core.i18n import get_language
from heroes.core.i18n import gettext as _

app = typer.Typer(no_args_is_help=True, help="Grooming early warning in chats.")


def _conversations(path: Path, fmt: str | None):  # type: ignore[no-untyped-def]
    from heroes.chats import parse_file

    convs = parse_file(path, fmt)
    if not convs:
        raise HeroesError(_("%(f)s holds no conversation.", f=str(path)))
    return convs


@app.command()
def analyze(
    file: Path = typer.Argument(
        ...,
        help="A chat export: HEROES JSON, WhatsApp .txt, Telegram result.json or PAN 2012 XML.",
    ),
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="json, whatsapp, telegram or pan2012 (default: recognised).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """A readable report: risk over time, the stages found with their messages, who the risk comes from."""
    from heroes.grooming.analysis import analyse
    from heroes.grooming.report_text import render_text

    reports = [analyse(c, lang=get_language()) for c in _conversations(file, fmt)]
    if as_json:
        data = [r.to_dict() for r in reports]
        sys.stdout.write(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n")
        return
    sys.stdout.write("\n\n".join(render_text(r) for r in reports) + "\n")


@app.command()
def score(
    input: Path = typer.Argument(..., help=".jsonl (id + text or messages) or .csv (id, text)."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the scores (.jsonl)."),
) -> None:
    """Score many conversations or segments; one JSON line out per row in, in the same order."""
    from heroes.grooming.analysis import score_record
    from heroes.grooming.batch import count_records, read_records
    from heroes.grooming.model import default_model

    model = default_model()
    total = count_records(input)
    tmp = output.with_name(output.name + ".part")
    n = 0
    with (
        tmp.open("w", encoding="utf-8") as out,
        Progress(console=Console(stderr=True), transient=True) as bar,
    ):
        task = bar.add_task(_("scoring"), total=total)
        for record in read_records(input):
            line = record.pop("_line")
            try:
                result = score_record(record, model)
            except ValueError as exc:  # includes ParseError from a bad 'messages' list
                tmp.unlink(missing_ok=True)
                raise HeroesError(f"{input}: line {line}: {exc}") from exc
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            n += 1
            bar.advance(task)
    tmp.replace(output)
    typer.echo(_("%(n)d rows scored into %(out)s", n=n, out=str(output)), err=True)


@app.command()
def identify(
    file: Path = typer.Argument(..., help="A PAN 2012 XML corpus file."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the result."),
    lines: bool = typer.Option(
        False,
        "--lines",
        help="Task 2: 'conversation-id line' of the suspects' distinctive messages.",
    ),
) -> None:
    """PAN 2012 output: one suspected predator id a line (task 1), or their lines (task 2)."""
    from heroes.grooming.analysis import identify as run

    suspects, found = run(_conversations(file, "pan2012"))
    text = [f"{c} {ln}" for c, ln in found] if lines else suspects
    output.write_text("".join(t + "\n" for t in text), encoding="utf-8")
    typer.echo(
        _("%(n)d suspects written to %(out)s", n=len(suspects), out=str(output)),
        err=True,
    )


@app.command()
def train(
    data: Path | None = typer.Option(None, "--data", help="The chats folder (default ../shared/data/chats)."),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Folder for grooming.npz/.json (default: the shipped model folder).",
    ),
    seed: int = typer.Option(13, help="Random seed (the shipped model uses 13)."),
    language: str | None = typer.Option(
        None,
        "--language",
        help="Train only the learned score of this language (e.g. es) into model/lang/ (or -o).",
    ),
) -> None:
    """Rebuild the model reproducibly from the research data (a few minutes on one core)."""
    from heroes.grooming.corpus import load_corpus
    from heroes.grooming.model import shipped_model_dir
    from heroes.grooming.training import train_from_corpus

    try:
        corpus = load_corpus(data)
    except FileNotFoundError as exc:
        raise HeroesError(str(exc)) from exc
    console = Console(stderr=True)
    if language is not None:
        _train_language(language, corpus, seed, output, console)
        return
    with console.status(_("training")) as status:
        model = train_from_corpus(corpus, seed=seed, progress=lambda m: status.update(m))
    path = model.save(output or shipped_model_dir())
    m = model.metadata["oof_metrics"]
    typer.echo(
        _(
            "Model written to %(p)s: threshold %(t).4f, out-of-fold author F0.5 %(f).3f",
            p=str(path),
            t=model.threshold,
            f=m["author_f05"],
        ),
        err=True,
    )


def _train_language(lang: str, corpus, seed: int, output: Path | None, console: Console) -> None:  # type: ignore[no-untyped-def]
    from importlib import resources

    from heroes.grooming.language_model import shipped_language_dir
    from heroes.grooming.language_training import train_language

    if not resources.files("heroes.grooming").joinpath("data", "written", f"{lang}.yaml").is_file():
        raise HeroesError(_("No written lines for the language %(l)s (data/written/%(l)s.yaml).", l=lang))
    with console.status(_("training")) as status:
        model = train_language(lang, corpus, seed=seed, progress=lambda m: status.update(m))
    path = model.save(output or shipped_language_dir())
    held = model.metadata["held_out_half"]
    typer.echo(
        _(
            "Model written to %(p)s: learned warning at %(t).4f; on held-out written chats "
            "%(g).0f%% of grooming and %(o).0f%% of ordinary chats warned",
            p=str(path),
            t=model.policy.raise_at,
            g=100 * held["grooming_warned"],
            o=100 * held["ordinary_warned"],
        ),
        err=True,
    )
