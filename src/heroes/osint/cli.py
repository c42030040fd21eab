"""`heroes osint ...`: thin commands over the linking and indicator engines."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from heroes.core.errors import HeroesError
from heroes.core.fanout import RUNNERS, get_fanout
from heroes.core.i18n import get_language
from heroes.core.i18n import gettext as _
from heroes.osint.ads import read_jsonl, write_jsonl
from heroes.osint.cluster import ClusterParams, cluster_ads
from heroes.osint.indicators import find_indicators

app = typer.Typer(no_args_is_help=True, help="OSINT: link online ads into networks and find trafficking indicators.")
err = Console(stderr=True)


@app.command("cluster")
def cluster_command(
    source: Path = typer.Argument(..., help="JSON Lines, one ad a line: id, title, location, age, text."),
    output: Path = typer.Option(..., "-o", "--output", help="JSON Lines out: id, cluster, reasons."),
    templates: Path | None = typer.Option(None, "--templates", help="Also write each cluster's template here."),
    runner: str = typer.Option("inline", "--runner", help="inline, process or ray."),
    seed: int = typer.Option(1, "--seed", help="Seed of the MinHash permutations."),
    min_similarity: float = typer.Option(0.8, "--min-similarity", help="Share of aligned words for a text link."),
    region: str = typer.Option("US", "--region", help="Country for phone numbers written without a country code."),
    no_text: bool = typer.Option(False, "--no-text", help="Link by contacts and photos only."),
    no_contacts: bool = typer.Option(False, "--no-contacts", help="Link by text and photos only."),
) -> None:
    """Link ads that share a contact, a photo or a text template."""
    if runner not in RUNNERS:
        raise HeroesError(_("Unknown runner %(name)s: use inline, process or ray.", name=runner))
    ads = read_jsonl(source)
    params = ClusterParams(
        seed=seed, min_similarity=min_similarity, region=region, use_text=not no_text, use_contacts=not no_contacts
    )

    def progress(stage: str, done: int, total: int) -> None:
        if done == total:
            err.print(_("%(stage)s: %(done)d of %(total)d done", stage=stage, done=done, total=total))

    with get_fanout(runner) as fan:
        result = cluster_ads(ads, params, fan, progress)
    write_jsonl(result.rows(), output)
    if templates is not None:
        rows = [
            {
                "cluster": name,
                "ads": [result.ids[i] for i in result.members[name]],
                "template": t.to_json(),
                "text": t.render(),
            }
            for name, t in result.templates.items()
        ]
        write_jsonl(rows, templates)
    linked = sum(1 for m in result.members.values() if len(m) > 1)
    err.print(
        _(
            "%(n)d ads in %(c)d clusters (%(l)d with more than one ad, %(t)d with a text template).",
            n=len(ads),
            c=len(result.members),
            l=linked,
            t=len(result.templates),
        )
    )


@app.command("indicators")
def indicators_command(
    source: Path = typer.Argument(..., help="JSON Lines, one ad a line."),
    output: Path = typer.Option(..., "-o", "--output", help="JSON Lines out: id and indicators with their words."),
    region: str = typer.Option("US", "--region", help="Country for phone numbers written without a country code."),
) -> None:
    """Trafficking indicators per ad, with the words that triggered each and its source."""
    ads = read_jsonl(source)
    results = find_indicators(ads, lang=get_language(), region=region)
    write_jsonl((r.to_json() for r in results), output)
    flagged = sum(1 for r in results if r.hits)
    err.print(_("%(f)d of %(n)d ads show at least one indicator.", f=flagged, n=len(ads)))
    err.print(_("An indicator is a reason to look closer, not proof of trafficking."))
