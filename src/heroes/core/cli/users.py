from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from heroes.core import audit
from heroes.core.errors import HeroesError

app = typer.Typer(help="Staff accounts: add, list, change passwords, API tokens.", no_args_is_help=True)


def _read_password(password_stdin: bool) -> str:
    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise HeroesError("No password given.")
    return password


@app.command()
def add(
    username: str,
    role: str = typer.Option(..., "--role", help="caseworker, investigator or admin"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Add a staff account. The very first account may be added without --user."""
    from heroes.core.auth import cli_principal, create_user
    from heroes.core.db import session_scope
    from heroes.core.models import User

    with session_scope() as session:
        first = session.execute(select(func.count()).select_from(User)).scalar_one() == 0
    actor = "installer" if first else cli_principal("users:manage").actor
    password = _read_password(password_stdin)
    with session_scope() as session:
        user = create_user(session, username, password, role, actor=actor)
        Console().print(f"Added {user.username} ({user.role}).")


@app.command("list")
def list_users() -> None:
    """List accounts."""
    from heroes.core.auth import cli_principal
    from heroes.core.db import session_scope
    from heroes.core.models import User

    principal = cli_principal("users:manage")
    table = Table("username", "role", "active", "created")
    with session_scope() as session:
        for user in session.execute(select(User).order_by(User.username)).scalars():
            table.add_row(
                user.username, user.role, "yes" if user.active else "no", user.created_at.strftime("%Y-%m-%d")
            )
        audit.record(session, principal.actor, "user.list")
    Console().print(table)


@app.command()
def passwd(username: str, password_stdin: bool = typer.Option(False, "--password-stdin")) -> None:
    """Set an account's password."""
    from heroes.core.auth import cli_principal, set_password
    from heroes.core.db import session_scope
    from heroes.core.models import User

    principal = cli_principal("users:manage")
    password = _read_password(password_stdin)
    with session_scope() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise HeroesError(f"No account named {username!r}.")
        set_password(session, user, password, principal.actor)
    Console().print(f"Password of {username} changed.")


@app.command()
def deactivate(username: str) -> None:
    """Deactivate an account (it stays in the audit trail)."""
    from heroes.core.auth import cli_principal, set_active
    from heroes.core.db import session_scope
    from heroes.core.models import User

    principal = cli_principal("users:manage")
    with session_scope() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise HeroesError(f"No account named {username!r}.")
        set_active(session, user, False, principal.actor)
    Console().print(f"{username} deactivated.")


@app.command()
def token(name: str = typer.Argument(..., help="What the token is for, e.g. 'analysis-laptop'.")) -> None:
    """Create an API token for the account given with --user (shown once)."""
    from heroes.core.auth import cli_principal, create_api_token
    from heroes.core.db import session_scope
    from heroes.core.models import User

    principal = cli_principal("account:self")
    with session_scope() as session:
        user = session.get(User, principal.user_id)
        assert user is not None
        value = create_api_token(session, user, name)
    Console().print("API token (shown once; send it as 'Authorization: Bearer <token>'):")
    print(value)
