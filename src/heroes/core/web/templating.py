"""Jinja2 templates: the core's base templates plus each tool's templates folder."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from heroes.core import i18n
from heroes.core.auth import csrf_token, principal_from_request
from heroes.core.tools import all_tools


@cache
def environment() -> Environment:
    folders = [Path(__file__).parent / "templates"]
    folders += [t.package_dir / "templates" for t in all_tools() if (t.package_dir / "templates").is_dir()]
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message, **kw: i18n.gettext(message, **kw),
        ngettext=lambda s, p, n, **kw: i18n.ngettext(s, p, n, **kw),
        newstyle=True,
    )
    env.globals["localized"] = i18n.localized
    env.globals["language_name"] = i18n.language_name
    return env


def base_context(request: Request) -> dict[str, Any]:
    principal = principal_from_request(request)
    return {
        "request": request,
        "user": principal,
        "csrf_token": csrf_token(request),
        "lang": i18n.get_language(),
        "languages": i18n.available_languages(),
        "tools": all_tools(),
    }


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the current user, language and CSRF token in its context."""
    page = environment().get_template(template)
    html = page.render({**base_context(request), **(context or {})})
    return HTMLResponse(html, status_code=status_code)
