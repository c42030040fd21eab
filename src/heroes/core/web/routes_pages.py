"""Home, sign-in and sign-out, the language switch, health and the API documentation page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import text

import heroes
from heroes.core import i18n
from heroes.core.auth import (
    LoginThrottled,
    Public,
    authenticate,
    csrf_token,
    end_session,
    form_csrf_ok,
    start_session,
)
from heroes.core.db import DbSession, ReadDbSession
from heroes.core.web.templating import render

router = APIRouter()
PILLARS = ("prevention", "investigation", "victim-assistance")


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect a user to another site after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, user: Public) -> Response:
    return render(request, "home.html", {"pillars": PILLARS})


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, user: Public, next: str = "/") -> Response:
    return render(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
def login(
    request: Request,
    user: Public,
    db: DbSession,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
    csrf: Annotated[str, Form(alias="csrf_token", max_length=200)] = "",
) -> Response:
    # Login CSRF: the form must come from our own sign-in page (token in this browser's session),
    # or another site could sign a victim into the attacker's account.
    if not form_csrf_ok(request, csrf):
        message = i18n.gettext("The form expired or came from another site. Sign in again.")
        return render(request, "login.html", {"next": safe_next(next), "error": message, "username": username}, 403)
    try:
        account = authenticate(db, username, password)
    except LoginThrottled as exc:
        context = {"next": safe_next(next), "error": exc.message, "username": username}
        return render(request, "login.html", context, 429)
    if account is None:
        message = i18n.gettext("Wrong username or password.")
        return render(request, "login.html", {"next": safe_next(next), "error": message, "username": username}, 401)
    lang = request.session.get("lang")
    request.session.clear()  # a fresh session at sign-in: no fixation
    sid = start_session(db, account)
    request.session.update({"sid": sid, "lang": lang} if lang else {"sid": sid})
    csrf_token(request)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, user: Public, db: DbSession) -> Response:
    if user.is_authenticated:
        from heroes.core import audit

        audit.record(db, user.actor, "auth.logout", f"user:{user.user_id}")
    sid = request.session.get("sid")
    if sid:
        end_session(db, str(sid))  # the cookie (and any copy of it) stops working now
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return RedirectResponse("/", status_code=303)


@router.get("/lang/{code}", include_in_schema=False)
def switch_language(request: Request, code: str, user: Public, next: str = "/") -> Response:
    request.session["lang"] = i18n.normalize(code)
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/healthz", include_in_schema=True, tags=["platform"])
def healthz(user: Public, db: ReadDbSession) -> dict[str, str]:
    """Liveness and database check (a read: it never waits for the database's write lock)."""
    db.execute(text("SELECT 1"))
    return {"status": "ok", "version": heroes.__version__}


@router.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request, user: Public) -> Response:
    return render(request, "api_docs.html")
