"""The `heroes` command: the core's groups and one group per tool."""

from __future__ import annotations

import os
import sys

import typer

from heroes.core.errors import HeroesError

app = typer.Typer(
    help="HEROES: tools against trafficking in human beings and child sexual abuse and exploitation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _options(
    user: str | None = typer.Option(None, "--user", "-u", envvar="HEROES_USER", help="Staff account to act as."),
    lang: str | None = typer.Option(None, "--lang", envvar="HEROES_LANG", help="Language of the output (en, es)."),
) -> None:
    from heroes.core import i18n
    from heroes.core.auth import set_cli_user

    set_cli_user(user)
    i18n.set_language(lang or os.environ.get("LANG", "en")[:2])


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default 8000)."),
) -> None:
    """Apply migrations, create the first admin if needed, and start the web app."""
    from heroes.core.cli.serve import serve as run

    run(host, port)


def _mount_groups() -> None:
    from heroes.core.cli import audit_cmd, db, jobs_cmd, orgs, users
    from heroes.core.tools import all_tools, load_object

    app.add_typer(db.app, name="db")
    app.add_typer(users.app, name="users")
    app.add_typer(orgs.app, name="orgs")
    app.add_typer(audit_cmd.app, name="audit")
    app.add_typer(jobs_cmd.app, name="jobs")
    for tool in all_tools():
        if tool.cli:
            app.add_typer(load_object(tool.cli), name=tool.name, help=str(tool.summary))
        for name, reference in tool.extra_cli:
            app.add_typer(load_object(reference), name=name)


_mount_groups()


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def main() -> None:
    try:
        app()
    except HeroesError as exc:
        print(f"Error: {_one_line(exc.message)}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # never a traceback for the user; HEROES_DEBUG=1 shows it
        if os.environ.get("HEROES_DEBUG"):
            raise
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            reason = _one_line(exc.orig)
            print(
                f"Error: the database cannot be reached or is not set up ({reason}). Try `heroes db upgrade`.",
                file=sys.stderr,
            )
        else:
            print(f"Error: {type(exc).__name__}: {_one_line(exc)} (set HEROES_DEBUG=1 for details)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
