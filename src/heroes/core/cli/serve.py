from __future__ import annotations

import os
import secrets

from rich.console import Console
from sqlalchemy import func, select


def ensure_first_admin() -> str | None:
    """Create an 'admin' account with a random password when there is no account at all."""
    from heroes.core.auth import create_user
    from heroes.core.db import session_scope
    from heroes.core.models import User
    from heroes.core.settings import get_settings, write_private

    with session_scope() as session:
        if session.execute(select(func.count()).select_from(User)).scalar_one():
            return None
        password = secrets.token_urlsafe(12)
        create_user(session, "admin", password, "admin", actor="installer")
    note = get_settings().ensure_data_dir() / "first-admin-password.txt"
    write_private(note, f"username: admin\npassword: {password}\n")
    return password


def serve(host: str | None, port: int | None) -> None:
    import uvicorn

    from heroes.core import db, jobs
    from heroes.core.settings import get_settings

    settings = get_settings()
    console = Console()
    os.umask(0o077)  # everything the server writes into the data folder is for its own account only
    db.upgrade()
    interrupted = jobs.recover_interrupted()
    if interrupted:
        console.print(f"{interrupted} job(s) interrupted by the last stop were marked as such.")
    password = ensure_first_admin()
    host, port = host or settings.host, port or settings.port
    database = db.get_engine().url.render_as_string(hide_password=True)
    console.print(f"HEROES is starting on http://{host}:{port}/  (database: {database})")
    if password:
        # The password goes to a 0600 file only: start logs are often collected and shared.
        console.print(
            f"First administrator created. Sign in at http://{host}:{port}/login as [bold]admin[/bold] "
            f"with the password in {settings.data_dir / 'first-admin-password.txt'} (readable by this account only)."
        )
    # access_log off: the server must not log reporters' (or anyone's) IP addresses.
    uvicorn.run(
        "heroes.core.web.app:app_factory", factory=True, host=host, port=port, access_log=False, proxy_headers=False
    )
