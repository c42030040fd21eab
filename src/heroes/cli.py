"""The `heroes` command: the core's groups and one group per tool.

Groups load lazily: `heroes --help` lists every group from what the core and the tools declare,
without importing any of them, and `heroes media scan` imports the media tool's commands only.
A tool's command group is its `Tool.cli` (a Typer), imported when that group is invoked.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from heroes.core.errors import HeroesError

# The core's own groups: (name, "module:attribute" of a Typer, help).
CORE_GROUPS = (
    ("db", "heroes.core.cli.db:app", "Database migrations."),
    ("users", "heroes.core.cli.users:app", "Staff accounts, roles and API tokens."),
    ("orgs", "heroes.core.cli.orgs:app", "Organisations and who belongs to them."),
    ("audit", "heroes.core.cli.audit_cmd:app", "The tamper-evident audit log."),
    ("jobs", "heroes.core.cli.jobs_cmd:app", "Background jobs: list, watch, download."),
)


def lazy_groups() -> dict[str, tuple[str, str]]:
    """Group name -> (reference, one-line help), read from declarations only: nothing is imported."""
    from heroes.core.tools import all_tools

    groups = {name: (reference, help_text) for name, reference, help_text in CORE_GROUPS}
    for tool in all_tools():
        if tool.cli:
            groups[tool.name] = (tool.cli, str(tool.summary))
        for name, reference in tool.extra_cli:
            groups[name] = (reference, str(tool.title))
    return groups


class LazyGroup(TyperGroup):
    """A Typer group whose sub-groups are imported when invoked, not when listed."""

    def list_commands(self, ctx: Any) -> list[str]:
        own = super().list_commands(ctx)
        return own + [name for name in lazy_groups() if name not in own]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        reference = lazy_groups().get(cmd_name)
        if reference is None:
            return None
        from heroes.core.tools import load_object

        sub: Any = load_object(reference[0])
        command = typer.main.get_group(sub) if isinstance(sub, typer.Typer) else sub
        command.name = cmd_name
        if not command.help:
            command.help = reference[1]
        self.add_command(command, cmd_name)
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # Click's plain layout: Rich's would load every group to read its help, and Rich itself.
        super(TyperGroup, self).format_help(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        lazy = lazy_groups()
        rows = []
        for name in self.list_commands(ctx):
            loaded = self.commands.get(name)
            if loaded is not None:
                if loaded.hidden:
                    continue
                rows.append((name, loaded.get_short_help_str(formatter.width)))
            else:
                rows.append((name, " ".join(lazy[name][1].split())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


app = typer.Typer(
    cls=LazyGroup,
    help="HEROES: tools against trafficking in human beings and child sexual abuse and exploitation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _options(
    ctx: typer.Context,
    user: str | None = typer.Option(None, "--user", "-u", envvar="HEROES_USER", help="Staff account to act as."),
    lang: str | None = typer.Option(None, "--lang", envvar="HEROES_LANG", help="Language of the output (en, es)."),
) -> None:
    from heroes.core import i18n

    # The account reaches cli_principal() through HEROES_USER for the length of the command:
    # importing heroes.core.auth here would cost every command (FastAPI, SQLAlchemy, argon2) before
    # it starts, staff command or not. The variable is put back when the command ends.
    before = os.environ.get("HEROES_USER")
    if user:
        os.environ["HEROES_USER"] = user
    else:
        os.environ.pop("HEROES_USER", None)

    def restore() -> None:
        if before is None:
            os.environ.pop("HEROES_USER", None)
        else:
            os.environ["HEROES_USER"] = before

    ctx.call_on_close(restore)
    auth = sys.modules.get("heroes.core.auth")
    if auth is not None:  # already loaded (the test suite, an embedding program): its own setting too
        auth.set_cli_user(user)
    i18n.set_language(lang or os.environ.get("LANG", "en")[:2])


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default 8000)."),
) -> None:
    """Apply migrations, create the first admin if needed, and start the web app."""
    from heroes.core.cli.serve import serve as run

    run(host, port)


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
