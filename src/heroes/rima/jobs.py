"""Background acquisition for the web app: the sources are uploads in the job's folder or
registered server paths; the package is written under the data folder and registered."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from heroes.chats.timeutil import zone
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.jobs import Progress, job_handler
from heroes.core.settings import get_settings
from heroes.rima import service

ROOTS_ENV = "HEROES_RIMA_ROOTS"
UPLOADS = "uploads"


def packages_dir() -> Path:
    path = get_settings().ensure_data_dir() / "rima" / "packages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def intake_roots() -> list[Path]:
    """Server folders a web user may register sources from (HEROES_RIMA_ROOTS, or <data>/rima-intake)."""
    raw = os.environ.get(ROOTS_ENV, "")
    if raw.strip():
        return [Path(p).resolve() for p in raw.split(os.pathsep) if p.strip()]
    return [(get_settings().data_dir / "rima-intake").resolve()]


def check_source(path: str) -> Path:
    if "\x00" in path:
        raise HeroesError(_("The path contains a NUL character."))
    try:
        p = Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        raise HeroesError(_("{path} does not exist on the server.").format(path=path)) from None
    roots = intake_roots()
    if not any(p == r or r in p.parents for r in roots):
        allowed = ", ".join(str(r) for r in roots)
        raise HeroesError(
            _("{path} is outside the folders this server may read ({allowed}).").format(path=path, allowed=allowed)
        )
    if not p.exists():
        raise HeroesError(_("{path} does not exist on the server.").format(path=path))
    return p


@job_handler("rima.acquire")
def run_acquire(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    inputs = [Path(p) for p in params.get("paths", [])]
    uploads = progress.workdir / UPLOADS
    if uploads.is_dir():
        inputs.append(uploads)
    out = packages_dir() / progress.job_id
    tz = zone(params["tz"]) if params.get("tz") else None

    def report(step: str, done: int, total: int | None) -> None:
        label = _("files copied") if step == "copy" else _("messages parsed")
        progress.update(done, total, f"{done} {label}")

    manifest = service.acquire(
        inputs,
        out,
        actor=str(params["actor"]),
        case=str(params["case"]),
        examiner=str(params["examiner"]),
        tz=tz,
        on_progress=report,
    )
    progress.update(manifest["messages"], manifest["messages"], _("done"), force=True)
    return {
        "package_id": manifest["package_id"],
        "messages": manifest["messages"],
        "conversations": manifest["conversations"],
    }
