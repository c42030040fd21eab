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
    seed: int = typer.Option(1, "--seed", help="Seed (every stage is deterministic; kept for reproducible runs)."),
    min_saving: float = typer.Option(
        100.0, "--min-saving", help="Bits a template must save on an ad's description for a text link."
    ),
    min_similarity: float = typer.Option(
        0.0, "--min-similarity", help="Also require this share of aligned words for a text link (0 = off)."
    ),
    region: str = typer.Option("US", "--region", help="Country for phone numbers written without a country code."),
    no_text: bool = typer.Option(False, "--no-text", help="Link by contacts and photos only."),
    no_contacts: bool = typer.Option(False, "--no-contacts", help="Link by text and photos only."),
) -> None:
    """Link ads that share a contact, a photo or a text template."""
    if runner not in RUNNERS:
        raise HeroesError(_("Unknown runner %(name)s: use inline, process or ray.", name=runner))
    ads = read_jsonl(source)
    params = ClusterParams(
        seed=seed,
        min_saving_bits=min_saving,
        min_similarity=min_similarity,
        region=region,
        use_text=not no_text,
        use_contacts=not no_contacts,
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


@app.command("crawl")
def crawl_command(
    seeds: list[str] = typer.Argument(..., help="Start URLs."),
    domain: list[str] = typer.Option(..., "--domain", help="Domain the crawler may fetch (repeat for more)."),
    max_pages: int = typer.Option(100, "--max-pages", help="Stop after this many pages."),
    output: Path = typer.Option(..., "-o", "--output", help="The capture, a WARC file (.warc.gz)."),
    depth: int = typer.Option(3, "--depth", help="Links followed from a seed."),
    delay: float = typer.Option(1.0, "--delay", help="Seconds between two requests to one domain."),
    retries: int = typer.Option(3, "--retries", help="Retries of a failing page, with back-off."),
    legal_basis: str = typer.Option(
        "", "--legal-basis", help="Recorded legal basis to override robots.txt (for example a warrant number)."
    ),
) -> None:
    """Fetch pages politely and store every request and response in a WARC file, with custody."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.core.evidence import hash_file, record_custody
    from heroes.osint.crawl import CrawlConfig, Crawler

    principal = cli_principal("osint:use")
    config = CrawlConfig(
        seeds=seeds,
        domains=domain,
        max_pages=max_pages,
        depth=depth,
        delay=delay,
        retries=retries,
        legal_basis=legal_basis,
    )
    result = Crawler(config).run(output)
    hashes = hash_file(output)
    details = {
        "seeds": seeds,
        "domains": domain,
        "pages": len(result.fetched),
        "failed": len(result.failed),
        "refused_by_robots": len(result.refused_by_robots),
        "legal_basis": legal_basis,
    }
    with session_scope() as session:
        record_custody(session, principal.actor, "osint.capture", output.name, after=hashes, details=details)
    err.print(
        _(
            "%(p)d pages fetched, %(f)d failed, %(r)d refused by robots.txt; SHA-256 %(h)s",
            p=len(result.fetched),
            f=len(result.failed),
            r=len(result.refused_by_robots),
            h=hashes.sha256,
        )
    )
    for url, why in sorted(result.failed.items()):
        err.print(f"  {url}: {why}")


@app.command("import")
def import_command(
    files: list[Path] = typer.Argument(..., help="WARC files, CSV or JSONL files of ads, folders of HTML pages."),
    collection: str = typer.Option(..., "--collection", help="The collection the ads go into."),
    analyse: bool = typer.Option(
        True, "--analyse/--no-analyse", help="Compute the clusters the pages show (the osint.analyse job)."
    ),
    region: str = typer.Option("US", "--region", help="Country for phone numbers written without a country code."),
) -> None:
    """Add ads from captures and files to a collection (all of them, or none when a file is malformed).
    A new collection belongs to the account (--user) and its organisation. When ads were added, the
    collection's clusters are computed by the job ``osint.analyse``: here, with its progress shown,
    unless the platform runs jobs on Ray (HEROES_JOB_RUNNER=ray), where it is queued."""
    from heroes.core.auth import cli_principal
    from heroes.osint.store import import_files, viewer_of

    principal = cli_principal("osint:use")
    summary = import_files(files, collection, viewer_of(principal))
    for name, count in summary.per_file.items():
        err.print(_("%(f)s: %(n)d ads", f=name, n=count))
    err.print(
        _("%(a)d ads added to %(c)s (%(k)d already there).", a=summary.added, c=summary.collection, k=summary.already)
    )
    if analyse and summary.added:
        _analyse(summary.collection, region.upper(), principal)


def _analyse(collection: str, region: str, principal: object) -> None:
    """Run (or queue) the collection's ``osint.analyse`` job. A CLI process has no job workers that
    outlive it, so the job runs in this process through the jobs table (recorded, audited, seen by
    the pages as any other job) and reports its progress here; with a Ray runner it is only queued."""
    from heroes.core import jobs
    from heroes.core.settings import get_settings
    from heroes.osint.jobs import echo_progress
    from heroes.osint.service import request_analysis

    if get_settings().job_runner == "ray":
        job = request_analysis(collection, region, principal)
        err.print(_("Clusters are being computed by the job %(j)s (follow it with `heroes jobs list`).", j=job))
        return

    def show(stage: str, done: int, total: int) -> None:
        if done == total or done % 5000 == 0:
            err.print(_("%(stage)s: %(done)d of %(total)d done", stage=stage, done=done, total=total))

    swap = get_settings().job_runner != "inline"  # a process pool would die with this command
    if swap:
        jobs.set_runner(jobs.InlineRunner())
    try:
        with echo_progress(show):
            job = request_analysis(collection, region, principal)
    finally:
        if swap:
            jobs.set_runner(None)
    view = jobs.get(job, principal)
    if not view.finished:  # another process's job for this collection was already under way
        err.print(_("Clusters are being computed by the job %(j)s (follow it with `heroes jobs list`).", j=job))
        return
    if view.state != "done":
        raise HeroesError(_("The clusters could not be computed (job %(j)s): %(e)s", j=job, e=view.error or view.state))
    result = view.result or {}
    err.print(
        _(
            "Clusters stored: %(c)d with more than one ad, over %(n)d ads (job %(j)s).",
            c=int(result.get("clusters", 0)),
            n=int(result.get("ads", 0)),
            j=job,
        )
    )


@app.command("share")
def share_command(
    collection: str = typer.Argument(..., help="A collection's name."),
    add: list[str] = typer.Option([], "--add", help="An account that may see the collection (repeat)."),
    member: list[str] = typer.Option([], "--member", help="The same as --add (kept for earlier scripts)."),
    remove: list[str] = typer.Option([], "--remove", help="An account that may no longer see it (repeat)."),
    organisation: int | None = typer.Option(None, "--organisation", help="Id of the organisation that sees it."),
    no_organisation: bool = typer.Option(False, "--no-organisation", help="No organisation sees it any more."),
) -> None:
    """Show who sees a collection, or change it (owner or administrator; every change is audited).
    Collections made before access rules were rows are read in on first use (see docs/osint.md)."""
    from heroes.core.auth import cli_principal
    from heroes.osint.store import change_access, collection_access, viewer_of

    if organisation is not None and no_organisation:
        raise HeroesError(_("Give --organisation or --no-organisation, not both."))
    viewer = viewer_of(cli_principal("osint:use"))
    if add or member or remove or organisation is not None or no_organisation:
        access = change_access(
            collection,
            viewer,
            add=[*add, *member],
            remove=remove,
            organisation=organisation,
            set_organisation=organisation is not None or no_organisation,
        )
    else:
        access = collection_access(collection, viewer)
    err.print(
        _(
            "%(c)s: owner %(o)s, organisation %(g)s, members %(m)s.",
            c=collection,
            o=access.owner or "-",
            g=access.organisation_name or (str(access.organisation_id) if access.organisation_id else "-"),
            m=", ".join(access.members) or "-",
        )
    )


@app.command("graph")
def graph_command(
    collection: str = typer.Argument(..., help="A collection's name."),
    output: Path = typer.Option(..., "-o", "--output", help="GraphML file, or CSV of edges when it ends in .csv."),
    runner: str = typer.Option("inline", "--runner", help="inline, process or ray."),
    region: str = typer.Option("US", "--region", help="Country for phone numbers written without a country code."),
) -> None:
    """Write the network of a collection (ads, shared contacts and photos, clusters) as GraphML or CSV."""
    from heroes.core.auth import cli_principal
    from heroes.osint.graph import build_graph, write_graph
    from heroes.osint.store import open_collection, viewer_of

    if runner not in RUNNERS:
        raise HeroesError(_("Unknown runner %(name)s: use inline, process or ray.", name=runner))
    ads = open_collection(collection, viewer_of(cli_principal("osint:use")), "graph")
    with get_fanout(runner) as fan:
        result = cluster_ads(ads, ClusterParams(region=region), fan)
    graph = build_graph(ads, result)
    write_graph(graph, output)
    err.print(
        _(
            "%(n)d nodes, %(e)d edges written to %(f)s.",
            n=graph.number_of_nodes(),
            e=graph.number_of_edges(),
            f=str(output),
        )
    )
