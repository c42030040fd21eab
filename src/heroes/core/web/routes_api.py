"""Platform API: who am I, and the audit chain's state."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from heroes.core import audit
from heroes.core.auth import Principal, Public, Require
from heroes.core.db import DbSession
from heroes.core.permissions import role_permissions

router = APIRouter(prefix="/api", tags=["platform"])


class Me(BaseModel):
    authenticated: bool
    username: str | None
    role: str
    permissions: list[str]


class AuditStatus(BaseModel):
    ok: bool
    entries: int
    head: str
    broken_at: int | None
    reason: str


@router.get("/me", response_model=Me)
def me(user: Public) -> Any:
    """The caller's role and permissions (anonymous when not signed in)."""
    return Me(
        authenticated=user.is_authenticated,
        username=user.username,
        role=user.role,
        permissions=sorted(role_permissions()[user.role]),
    )


@router.get("/audit/verify", response_model=AuditStatus)
def audit_verify(user: Annotated[Principal, Depends(Require("audit:read"))], db: DbSession) -> Any:
    """Walk the hash chain of the audit log and name the first broken link, if any."""
    result = audit.verify(db)
    audit.record(db, user.actor, "audit.verify", details={"ok": result.ok})
    return AuditStatus(**result.__dict__)
