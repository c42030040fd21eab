"""The application factory: middleware, error pages, the core's routes and every tool's router."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.middleware.sessions import SessionMiddleware

import heroes
from heroes.core.auth import SESSION_COOKIE, LoginRequired, Require
from heroes.core.db import DatabaseBusy
from heroes.core.errors import HeroesError
from heroes.core.settings import get_settings
from heroes.core.tools import all_tools, load_object
from heroes.core.web.middleware import BodyLimit, ForgetClientAddress, LanguageMiddleware, SecurityHeaders
from heroes.core.web.templating import render

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
SESSION_MAX_AGE = 8 * 3600


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


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
        return render(request, "error.html", {"status": exc.status_code, "message": exc.message}, exc.status_code)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if wants_json(request) or exc.status_code in (405,):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        page = render(request, "error.html", {"status": exc.status_code, "message": exc.detail}, exc.status_code)
        page.headers.update(exc.headers or {})
        return page

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        if wants_json(request):
            return JSONResponse({"detail": errors}, status_code=422)
        message = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in errors)
        return render(request, "error.html", {"status": 422, "message": message}, 422)


@contextlib.asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    import anyio.to_thread

    from heroes.core import jobs

    # Sync routes and dependencies run in this pool. Requests queued for the database's write lock
    # sleep in it; the one holding the lock still needs a free thread to finish its answer (FastAPI
    # serialises a sync route's result in the pool before the session commits), so the pool must
    # be far larger than the number of writers that can queue at once.
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().web_threads
    stop = jobs.start_reaper()  # a job whose worker died is marked failed within a minute
    try:
        yield
    finally:
        stop.set()


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
