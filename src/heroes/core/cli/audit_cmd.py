from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command()
def verify() -> None:
    """Check the hash chain; name the first broken link. Exit code 1 when broken."""
    from heroes.core import audit
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope

    principal = cli_principal("audit:read")
    with session_scope() as session:
        result = audit.verify(session)
    console = Console()
    if result.ok:
        console.print(f"Audit log intact: {result.entries} entries, head {result.head}")
        with session_scope() as session:
            audit.record(session, principal.actor, "audit.verify", details={"ok": True})
        return
    console.print(f"Audit log BROKEN at entry #{result.broken_at}: {result.reason}", style="bold red")
    raise typer.Exit(1)


@app.command()
def tail(limit: int = typer.Option(20, min=1, max=10000)) -> None:
    """Show the newest entries."""
    from rich.table import Table

    from heroes.core import audit
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope

    principal = cli_principal("audit:read")
    table = Table("#", "when", "who", "action", "target")
    with session_scope() as session:
        for e in audit.recent(session, limit):
            table.add_row(str(e.id), e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action, e.target or "")
        audit.record(session, principal.actor, "audit.read")
    Console().print(table)
