from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from heroes.core.errors import HeroesError

app = typer.Typer(
    help="Organisations (police units, NGOs, hospitals...) and who belongs to them.", no_args_is_help=True
)


@app.command()
def add(
    name: str,
    kind: str = typer.Option(..., "--kind", help="police, ngo, health, social, prosecutor, shelter, education, other"),
    country: str = typer.Option("", "--country", help="Two-letter country code, e.g. ES."),
) -> None:
    """Add an organisation."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.core.organisations import create_organisation

    principal = cli_principal("users:manage")
    with session_scope() as session:
        organisation = create_organisation(session, name, kind, country, actor=principal.actor)
        Console().print(f"Added {organisation.name} ({organisation.kind}).")


@app.command("list")
def list_cmd() -> None:
    """List organisations."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.core.organisations import list_organisations

    cli_principal("users:manage")
    table = Table("name", "kind", "country")
    with session_scope() as session:
        for organisation in list_organisations(session):
            table.add_row(organisation.name, organisation.kind, organisation.country)
    Console().print(table)


@app.command()
def assign(username: str, organisation: str = typer.Argument(..., help="Organisation name; '-' for none.")) -> None:
    """Make an account a member of an organisation."""
    from sqlalchemy import select

    from heroes.core import organisations
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.core.models import User

    principal = cli_principal("users:manage")
    with session_scope() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise HeroesError(f"No account named {username!r}.")
        target = None if organisation == "-" else organisations.find_organisation(session, organisation)
        if organisation != "-" and target is None:
            raise HeroesError(f"No organisation named {organisation!r}; add it with `heroes orgs add`.")
        organisations.assign(session, user, target, actor=principal.actor)
        Console().print(f"{user.username} now belongs to {target.name if target else 'no organisation'}.")
