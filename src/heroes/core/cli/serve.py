from __future__ import annotations

import secrets

from rich.console import Console
from sqlalchemy import func, select


def ensure_first_admin() -> str | None:
    """Create an 'admin' account with a random password when there is no account at all."""
    from heroes.core.auth import create_user
    from heroes.core.db import session_scope
    from heroes.core.models import User
    from heroes.core.settings import get_settings

    with session_scope() as session:
        if session.execute(select(func.count()).select_from(User)).scalar_one():
            return None
        password = secrets.token_urlsafe(12)
        create_user(session, "admin", password, "admin", actor="installer")
    note = get_settings().ensure_data_dir() / "first-admin-password.txt"
    note.write_text(f"username: admin\npassword: {password}\n")
    note.chmod(0o600)
    return password


def serve(host: str | None, port: int | None) -> None:
    import uvicorn

    from heroes.core import db, jobs
    from heroes.core.settings import get_settings

    settings = get_settings()
    console = Console()
    db.upgrade()
    interrupted = jobs.recover_interrupted()
    if interrupted:
        console.print(f"{interrupted} job(s) interrupted by the last stop were marked as such.")
    password = ensure_first_admin()
    host, port = host or settings.host, port or settings.port
    database = db.get_engine().url.render_as_string(hide_password=True)
    console.print(f"HEROES is starting on http://{host}:{port}/  (database: {database})")
    if password:
        console.print(
            f"First administrator created. Sign in at http://{host}:{port}/login as [bold]admin[/bold] "
            f"with password [bold]{password}[/bold] (also saved in {settings.data_dir / 'first-admin-password.txt'})."
        )
    # access_log off: the server must not log reporters' (or anyone's) IP addresses.
    uvicorn.run(
        "heroes.core.web.app:app_factory", factory=True, host=host, port=port, access_log=False, proxy_headers=False
    )
