"""Administration: accounts and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from heroes.core import audit, auth
from heroes.core.auth import Principal, Require, create_user
from heroes.core.db import DbSession, ReadDbSession
from heroes.core.errors import HeroesError, NotFoundError
from heroes.core.models import User
from heroes.core.permissions import staff_roles
from heroes.core.web.templating import render

router = APIRouter(include_in_schema=False)
UserAdmin = Annotated[Principal, Depends(Require("users:manage"))]
AuditReader = Annotated[Principal, Depends(Require("audit:read"))]


def _users_page(request: Request, db: DbSession, error: str | None = None, status: int = 200) -> Response:
    users = db.execute(select(User).order_by(User.username)).scalars().all()
    return render(request, "admin/users.html", {"users": users, "roles": staff_roles(), "error": error}, status)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, user: UserAdmin, db: ReadDbSession) -> Response:
    audit.record(db, user.actor, "user.list")
    return _users_page(request, db)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    user: UserAdmin,
    db: DbSession,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=1000)],
    role: Annotated[str, Form(max_length=32)],
) -> Response:
    try:
        with db.begin_nested():
            create_user(db, username, password, role, actor=user.actor)
    except HeroesError as exc:
        return _users_page(request, db, exc.message, 400)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/active", response_class=HTMLResponse)
def set_active(
    request: Request, user_id: int, user: UserAdmin, db: DbSession, active: Annotated[bool, Form()] = False
) -> Response:
    account = db.get(User, user_id)
    if account is None:
        raise NotFoundError("No such account.")
    if account.id == user.user_id and not active:
        raise HeroesError("You cannot deactivate your own account.")
    auth.set_active(db, account, active, user.actor)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, user: AuditReader, db: ReadDbSession, page: Annotated[int, Query(ge=0, le=10_000_000)] = 0
) -> Response:
    result = audit.verify(db)
    entries = audit.recent(db, limit=100, offset=page * 100)
    audit.record(db, user.actor, "audit.read")
    return render(request, "admin/audit.html", {"entries": entries, "verify": result, "page": page})
