from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="Database: apply migrations, show the schema version.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Apply every pending migration (core and tools)."""
    from heroes.core import db

    db.upgrade()
    Console().print(f"Database at revision(s): {', '.join(sorted(db.current_revisions()))}")


@app.command()
def current() -> None:
    """Show the applied revision of each branch."""
    from heroes.core import db

    revisions = db.current_revisions()
    Console().print(
        ", ".join(sorted(revisions)) if revisions else "No migrations applied yet: run `heroes db upgrade`."
    )
