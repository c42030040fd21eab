"""`heroes fakejobs ...`: thin commands over the engine."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from heroes.core.errors import HeroesError
from heroes.core.i18n import get_language
from heroes.core.i18n import gettext as _
from heroes.text import JsonTooDeep, json_loads

app = typer.Typer(no_args_is_help=True, help="Fake job offer check: scam and trafficking-recruitment risk of job ads.")
LEVEL_NAMES = {"low": "Low risk", "medium": "Medium risk", "high": "High risk"}


def _read_ad(source: str) -> Any:
    if source == "-":
        raw = sys.stdin.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise HeroesError(_("%(f)s does not exist.", f=source))
        raw = path.read_text(encoding="utf-8", errors="replace")
    stripped = raw.strip()
    if stripped.startswith("{"):
        try:
            return json_loads(stripped)
        except JsonTooDeep as exc:
            raise HeroesError(_("The file looks like JSON but cannot be read: %(e)s", e=str(exc))) from exc
        except json.JSONDecodeError as exc:
            raise HeroesError(_("The file looks like JSON but cannot be read: %(e)s", e=exc.msg)) from exc
    return raw


def render_text(verdict: Any, lang: str = "en") -> str:
    """A readable verdict for the terminal, numbers written the reader's way."""
    from heroes.fakejobs.numbers import format_number, format_percent

    lines = [
        _("%(level)s: score %(score)s (language of the ad: %(lang)s)")
        % {
            "level": _(LEVEL_NAMES[verdict.level]),
            "score": format_number(verdict.score, lang),
            "lang": verdict.language,
        },
        _(
            "Where about %(rate)s of the ads are scams, an ad like this is a scam with a probability of about %(p)s.",
            rate=format_percent(verdict.base_rate, lang),
            p=format_percent(verdict.probability_at_base_rate, lang),
        ),
    ]
    if verdict.classifier_probability is not None:
        lines.append(_("Text classifier: %(p)s", p=format_number(verdict.classifier_probability, lang)))
    if verdict.indicators:
        lines.append("")
        lines.append(_("Warning signs found:"))
        for item in verdict.indicators:
            quoted = ", ".join(f'"{m.text}"' for m in item.matches if m.text)
            lines.append(f"  - {item.title}" + (f": {quoted}" if quoted else ""))
            lines.append(f"    {item.explanation} {item.why}")
    if verdict.top_sentences:
        lines.append("")
        lines.append(_("Sentences that raised the learned score most:"))
        lines.extend(f'  - "{s["text"]}"' for s in verdict.top_sentences)
    if verdict.top_terms:
        lines.append("")
        lines.append(
            _("Words that raised the classifier's score: %(t)s", t=", ".join(t["term"] for t in verdict.top_terms))
        )
    lines.append("")
    lines.append(_("What to do:"))
    lines.extend(f"  * {step}" for step in verdict.advice)
    for helpline in verdict.helplines:
        lines.append(f"  * {helpline.name}: {helpline.contact}")
    lines.append(f"  * {verdict.report_label}: {verdict.report_url}")
    return "\n".join(lines)


@app.command()
def check(
    source: str = typer.Argument("-", help="A file with the ad (plain text, or JSON with its fields); - reads stdin."),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
) -> None:
    """Check one ad: risk score, level, the warning signs with the words that triggered them, advice."""
    from heroes.fakejobs.engine import AdError
    from heroes.fakejobs.engine import check as run

    try:
        lang = get_language()
        verdict = run(_read_ad(source), lang=lang)
    except AdError as exc:
        raise HeroesError(str(exc)) from exc
    if as_json:
        sys.stdout.write(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(verdict, lang) + "\n")


@app.command()
def score(
    input: Path = typer.Argument(..., help=".jsonl or .csv with an id and a text column or the ad's fields."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the scores (.jsonl)."),
) -> None:
    """Score a batch; one JSON line out per row in, in the same order. Bad rows are reported, not fatal."""
    from heroes.fakejobs.batch import BatchError, score_file

    console = Console(stderr=True)
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(_("Scoring"), total=None)
            summary = score_file(
                input, output, progress=lambda done, total: bar.update(task, completed=done, total=total)
            )
    except BatchError as exc:
        raise HeroesError(str(exc)) from exc
    for line, message in summary.errors:
        console.print(_("line %(n)d: %(e)s", n=line, e=message), markup=False, soft_wrap=True)
    console.print(
        _(
            "%(n)d rows, %(s)d scored (%(h)d high, %(m)d medium, %(lo)d low), %(e)d with errors, written to %(out)s",
            n=summary.rows,
            s=summary.scored,
            h=summary.levels["high"],
            m=summary.levels["medium"],
            lo=summary.levels["low"],
            e=len(summary.errors),
            out=str(output),
        ),
        markup=False,
        soft_wrap=True,
    )


@app.command()
def evaluate(
    data: Path = typer.Argument(..., help="Labelled .jsonl (text, label)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
) -> None:
    """Precision, recall and F1 of the fraud class, PR-AUC and the confusion matrix of the shipped model."""
    from heroes.fakejobs.training import DataError
    from heroes.fakejobs.training import evaluate as run

    try:
        result = run(data)
    except DataError as exc:
        raise HeroesError(str(exc)) from exc
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    (tn, fp), (fn, tp) = result["confusion_matrix"]
    sys.stdout.write(
        _(
            "%(n)d ads, %(pos)d fraudulent; threshold %(t).2f\n"
            "precision %(p).3f  recall %(r).3f  F1 %(f).3f  PR-AUC %(auc).3f\n",
            n=result["n"],
            pos=result["positives"],
            t=result["threshold"],
            p=result["precision"],
            r=result["recall"],
            f=result["f1"],
            auc=result["pr_auc"],
        )
        + _("confusion matrix (rows: true legitimate, fraudulent; columns: predicted)\n")
        + f"  {tn:6d} {fp:6d}\n  {fn:6d} {tp:6d}\n"
    )


@app.command()
def train(
    data: Path = typer.Option(Path("../shared/data/jobs/dev.jsonl"), "--data", help="Training .jsonl (text, label)."),
    out: Path | None = typer.Option(None, "--out", help="Model folder (default: the shipped model's)."),
    seed: int = typer.Option(13, help="Random seed."),
    cv: bool = typer.Option(True, "--cv/--no-cv", help="Cross-validate first and store the metrics."),
) -> None:
    """Rebuild the shipped model reproducibly: grouped cross-validation, then a fit on all the data."""
    from heroes.fakejobs.model import MODEL_DIR
    from heroes.fakejobs.training import DataError
    from heroes.fakejobs.training import train as run

    console = Console(stderr=True)
    try:
        meta = run(data, out or MODEL_DIR, seed=seed, run_cv=cv, progress=lambda m: console.print(m, markup=False))
    except DataError as exc:
        raise HeroesError(str(exc)) from exc
    sys.stdout.write(
        json.dumps({k: meta[k] for k in ("decision", "cv", "training_data", "arrays_sha256")}, indent=2) + "\n"
    )
