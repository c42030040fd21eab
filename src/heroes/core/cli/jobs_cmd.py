from __future__ import annotations

import time

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(help="Background jobs: list and follow.", no_args_is_help=True)


@app.command("list")
def list_jobs(limit: int = typer.Option(50, min=1, max=1000)) -> None:
    """Your jobs (all jobs for administrators)."""
    from heroes.core import jobs
    from heroes.core.auth import cli_principal

    principal = cli_principal("jobs:read")
    table = Table("id", "kind", "owner", "state", "progress", "created")
    for job in jobs.list_jobs(principal, limit):
        table.add_row(
            job.id,
            job.kind,
            job.owner,
            job.state,
            f"{job.percent}%" if job.percent is not None else "",
            job.created_at[:19],
        )
    Console().print(table)


@app.command()
def watch(job_id: str, interval: float = typer.Option(0.5, min=0.1)) -> None:
    """Follow a job with a progress bar until it finishes."""
    from heroes.core import jobs
    from heroes.core.auth import cli_principal

    principal = cli_principal("jobs:read")
    view = jobs.get(job_id, principal)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns) as bar:
        task = bar.add_task(view.kind, total=view.total)
        while True:
            view = jobs.get(job_id, principal)
            bar.update(
                task, completed=view.done, total=view.total, description=f"{view.kind} {view.state} {view.message}"
            )
            if view.finished:
                break
            time.sleep(interval)
    console = Console()
    if view.state == "done":
        console.print(f"Done. Result: {view.result}")
    else:
        console.print(f"Job {view.state}: {view.error}", style="bold red")
        raise typer.Exit(1)
