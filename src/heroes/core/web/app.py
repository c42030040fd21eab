"""The application factory: middleware, error pages, the core's routes and every tool's router."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

import heroes
from heroes.core import i18n
from heroes.core.auth import SESSION_COOKIE, LoginRequired, Require
from heroes.core.db import DatabaseBusy
from heroes.core.errors import HeroesError
from heroes.core.i18n import lazy_gettext as _l
from heroes.core.settings import get_settings
from heroes.core.tools import all_tools, load_object
from heroes.core.web.middleware import BodyLimit, ForgetClientAddress, LanguageMiddleware, SecurityHeaders
from heroes.core.web.templating import render

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
SESSION_MAX_AGE = 8 * 3600


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz" or path.startswith("/xapi/")


def declared_permission(route: APIRoute) -> list[str]:
    """The permissions a route declares through Require, searched through its dependency tree."""
    found: list[str] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, Require):
            found.append(dependant.call.permission)
        stack.extend(dependant.dependencies)
    return found


def api_routes(routes: Any) -> list[APIRoute]:
    """Every APIRoute of the app, descending into included routers (which FastAPI may keep nested).

    Routers are included without an extra prefix, so each original route carries its full path.
    """
    found: list[APIRoute] = []
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            found.extend(api_routes(nested.routes))
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def _check_every_route_declares_a_permission(app: FastAPI) -> None:
    for route in api_routes(app.routes):
        if len(set(declared_permission(route))) != 1:
            raise RuntimeError(
                f"Route {sorted(route.methods or ())} {route.path} must declare exactly one permission "
                "with Depends(Require(...)) (deny by default)."
            )


def _back_link(request: Request) -> str | None:
    """Where "Go back" leads: the browser's history (script) or the same page again; for a form
    that was posted, the page that holds it, where the browser still has what was typed."""
    if request.method in ("GET", "HEAD"):
        return None if request.url.path == "/" else "/"
    return request.url.path


def error_page(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    page = render(request, "error.html", {"status": status, "message": message, "back": _back_link(request)}, status)
    page.headers.update(headers or {})
    return page


# Messages raised by Starlette, FastAPI and the guard, shown to users in their language.
KNOWN_MESSAGES = {
    "Not Found": _l("This page does not exist. Check the address, or start again from the home page."),
    "Method Not Allowed": _l("This page cannot be used that way."),
    "Your role does not allow this.": _l("Your role does not allow this."),
    "The form expired or came from another site (CSRF check failed). Reload the page and try again.": _l(
        "The form expired or came from another site (CSRF check failed). Reload the page and try again."
    ),
    "Invalid or revoked API token.": _l("Invalid or revoked API token."),
}


def localized_detail(detail: Any) -> str:
    text = str(detail)
    known = KNOWN_MESSAGES.get(text)
    return str(known) if known is not None else i18n.gettext(text)


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "Sign in first."}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_busy(request: Request, exc: Exception) -> Response:
        # A database that stays locked or unreachable is not the user's fault, and nothing was kept:
        # say so plainly (never a bare 500 that leaves a reporter wondering).
        log.warning("database unavailable: %s", type(getattr(exc, "orig", None) or exc).__name__)
        return await heroes_error(request, DatabaseBusy())

    @app.exception_handler(HeroesError)
    async def heroes_error(request: Request, exc: HeroesError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=exc.status_code)
        return error_page(request, exc.status_code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_json(request) or not _wants_html(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return error_page(request, exc.status_code, localized_detail(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        if wants_json(request):
            return JSONResponse({"detail": errors}, status_code=422)
        fields = ", ".join(sorted({str(e["loc"][-1]) for e in errors if e["loc"]}))
        message = i18n.gettext("Some of what was sent is not valid (%(fields)s). Go back and check it.", fields=fields)
        return error_page(request, 422, message)


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return not accept or "text/html" in accept or "*/*" in accept


class CatchAll:
    """The last safety net: any unexpected error becomes the 500 page (in the user's language,
    with the security headers) and a log line naming the error's type and where it happened,
    never its message or local values, which can hold what a reporter wrote."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            import traceback

            where = " <- ".join(
                f"{frame.filename.rsplit('/heroes/', 1)[-1]}:{frame.lineno}"
                for frame in reversed(traceback.extract_tb(exc.__traceback__)[-6:])
            )
            log.error("unexpected %s on %s %s at %s", type(exc).__name__, scope.get("method"), scope.get("path"), where)
            if started:
                return
            request = Request(scope, receive)
            token = i18n.set_language(scope.get("state", {}).get("lang") or i18n.get_language())
            try:
                message = i18n.gettext("Something went wrong on our side. Nothing you typed was stored twice.")
                if wants_json(request):
                    response: Response = JSONResponse({"detail": message}, status_code=500)
                else:
                    try:
                        response = error_page(request, 500, message)
                    except Exception:
                        response = JSONResponse({"detail": message}, status_code=500)
            finally:
                i18n._current.reset(token)
            await response(scope, receive, send)


@contextlib.asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    import anyio.to_thread

    from heroes.core import audit, jobs, workers

    # Sync routes and dependencies run in this pool. Requests queued for the database's write lock
    # sleep in it; the one holding the lock still needs a free thread to finish its answer (FastAPI
    # serialises a sync route's result in the pool before the session commits), so the pool must
    # be far larger than the number of writers that can queue at once.
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().web_threads
    stop = jobs.start_reaper()  # a job whose worker died is marked failed within a minute
    workers.prewarm()  # CPU workers start (and load their models) now, not on the first upload
    try:
        yield
    finally:
        stop.set()
        audit.flush()  # reads' audit entries still queued are committed before the server stops
        workers.shutdown()


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="HEROES toolkit API",
        version=heroes.__version__,
        description="Prevention, investigation and victim assistance against trafficking in human beings "
        "and child sexual abuse and exploitation.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    # Starlette runs the last-added middleware first: forget the client's address, security headers,
    # the session, then the language.
    app.add_middleware(BodyLimit)
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(CatchAll)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.https_only_cookies,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ForgetClientAddress)
    import swagger_ui_bundle

    # More specific mounts first: Starlette matches mounts in order.
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")
    for tool in all_tools():
        tool_static = tool.package_dir / "static"
        if tool_static.is_dir():
            app.mount(f"/static/{tool.name}", StaticFiles(directory=tool_static), name=f"static-{tool.name}")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _error_handlers(app)

    from heroes.core.web import routes_admin, routes_api, routes_jobs, routes_pages

    for module in (routes_pages, routes_jobs, routes_admin, routes_api):
        app.include_router(module.router)
    for tool in all_tools():
        if tool.router:
            app.include_router(load_object(tool.router))
    _check_every_route_declares_a_permission(app)
    return app


def app_factory() -> Any:
    """Entry point for uvicorn --factory."""
    return create_app()
