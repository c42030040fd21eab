"""Accounts, roles and the route guard.

Deny by default: every route declares one permission with `Require`, every CLI command that
touches protected data calls `cli_principal`; both check the single table in permissions.py.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from heroes.core import audit
from heroes.core.db import read_scope, session_scope, utcnow
from heroes.core.errors import HeroesError, PermissionDenied
from heroes.core.models import ApiToken, User, UserSession
from heroes.core.permissions import PUBLIC, allowed, staff_roles
from heroes.core.settings import get_settings

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist (same time either way); made on first
    use, not at import (argon2 takes about half a second under load)."""
    return _hasher.hash("timing-equaliser")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
MIN_PASSWORD_LENGTH = 10
SESSION_COOKIE = "heroes_session"
SESSION_HOURS = 8
DENIED_HEADER = "X-Heroes-Denied"  # marks a refusal by the permission table (not by CSRF or a rule)


@dataclass(frozen=True)
class Principal:
    role: str
    username: str | None = None
    user_id: int | None = None
    via: Literal["anonymous", "session", "token", "cli"] = "anonymous"

    @property
    def actor(self) -> str:
        return self.username or "anonymous"

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def can(self, permission: str) -> bool:
        return allowed(self.role, permission)


ANONYMOUS = Principal(role="anonymous")


# --- passwords and accounts ----------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of public breaches, shipped inside the zxcvbn package."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def check_password_strength(password: str, username: str | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise HeroesError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4 or (username and username.lower() in lowered):
        raise HeroesError(
            "This password is too easy to guess: it is on the list of common and breached passwords, "
            "repeats a few characters or contains the username. Choose a longer, unusual one."
        )


def create_user(session: Session, username: str, password: str, role: str, actor: str = "system") -> User:
    username = username.strip()
    if role not in staff_roles():
        raise HeroesError(f"Unknown role {role!r}; choose one of: {', '.join(staff_roles())}.")
    if not username or len(username) > 80 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise HeroesError("A username is 1 to 80 letters, digits, dots, dashes or underscores.")
    check_password_strength(password, username)
    if session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        raise HeroesError(f"A user named {username!r} already exists.")
    user = User(username=username, role=role, password_hash=hash_password(password), active=True)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", f"user:{user.id}", {"role": role})
    return user


def set_password(session: Session, user: User, password: str, actor: str) -> None:
    """A new password ends every session of the account (a copied cookie dies with the old one)."""
    check_password_strength(password, user.username)
    user.password_hash = hash_password(password)
    revoke_sessions(session, user.id)
    audit.record(session, actor, "user.password", f"user:{user.id}")


def set_active(session: Session, user: User, active: bool, actor: str) -> None:
    user.active = active
    if not active:
        revoke_sessions(session, user.id)
    audit.record(session, actor, "user.activate" if active else "user.deactivate", f"user:{user.id}")


# --- server-side sessions ------------------------------------------------------------------


def start_session(session: Session, user: User) -> str:
    """A new sign-in session; the returned id goes into the (signed) cookie, its hash into the table."""
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(hours=SESSION_HOURS)
    session.add(UserSession(id=_token_digest(sid), user_id=user.id, created_at=now, expires_at=expires))
    return sid


def end_session(session: Session, sid: str) -> None:
    session.execute(delete(UserSession).where(UserSession.id == _token_digest(sid)))


def revoke_sessions(session: Session, user_id: int) -> int:
    result = session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def _user_for_session(session: Session, sid: str) -> User | None:
    row = session.get(UserSession, _token_digest(sid))
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


class LoginThrottled(HeroesError):
    def __init__(self, minutes: int) -> None:
        super().__init__(f"Too many failed sign-ins for this account. Try again in {minutes} minutes.", status_code=429)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Check a password; failures and successes are audited and failures throttled.

    Throttling is per account and overall, never per address (no address is ever kept): an account
    is blocked after `login_max_failures` failures in the window; when the whole server sees more
    than `login_max_failures_overall` failures (password spraying across accounts), any account
    with a recent failure gets no second try until the window passes, while accounts nobody has
    mistyped still sign in.
    """
    settings = get_settings()
    username = username.strip()[:80]
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    failures = audit.count(session, "auth.login_failed", f"username:{username}", since)
    spraying = failures > 0 and audit.count(session, "auth.login_failed", None, since) >= (
        settings.login_max_failures_overall
    )
    if failures >= settings.login_max_failures or spraying:
        audit.record(session, username or "unknown", "auth.login_throttled", f"username:{username}")
        raise LoginThrottled(max(1, settings.login_window_seconds // 60))
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    verified = False
    try:
        verified = _hasher.verify(user.password_hash if user else _dummy_hash(), password) and user is not None
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified or user is None or not user.active:
        audit.record(session, username or "unknown", "auth.login_failed", f"username:{username}")
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, user.username, "auth.login", f"user:{user.id}")
    return user


# --- API tokens ----------------------------------------------------------------------------


def _token_digest(token: str) -> str:
    # Tokens are 256-bit random strings, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(session: Session, user: User, name: str) -> str:
    token = "hrs_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name[:100], token_hash=_token_digest(token)))
    audit.record(session, user.username, "token.create", f"user:{user.id}", {"name": name[:100]})
    return token


def _user_for_token(session: Session, token: str) -> User | None:
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_digest(token), ApiToken.revoked.is_(False))
    ).scalar_one_or_none()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


# --- web: who is asking, and may they? ------------------------------------------------------


class LoginRequired(Exception):
    """Raised for anonymous requests to protected routes; pages redirect, the API answers 401."""


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def principal_from_request(request: Request) -> Principal:
    """Who is asking. Blocking (a database read): call it from a worker thread, as Require does."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    principal = ANONYMOUS
    header = request.headers.get("authorization", "")
    bearer = header.lower().startswith("bearer ")
    sid = request.session.get("sid") if "session" in request.scope else None
    if not bearer and not sid:
        # Most public visitors carry no credentials: no database round trip.
        request.state.principal = principal
        return principal
    with read_scope() as session:  # a read: never waits for (or holds) SQLite's write lock
        if bearer:
            user = _user_for_token(session, header[7:].strip())
            if user is None:
                raise HTTPException(401, "Invalid or revoked API token.", {"WWW-Authenticate": "Bearer"})
            principal = Principal(user.role, user.username, user.id, "token")
        else:
            user = _user_for_session(session, str(sid))
            if user is not None:
                principal = Principal(user.role, user.username, user.id, "session")
            else:  # signed out, password changed, deactivated or expired: the cookie is dead
                lang = request.session.get("lang")
                request.session.clear()
                if lang:
                    request.session["lang"] = lang
    request.state.principal = principal
    return principal


def form_csrf_ok(request: Request, given: str) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and given and hmac.compare_digest(str(expected), given))


async def _check_csrf(request: Request, principal: Principal) -> None:
    if request.method in SAFE_METHODS or principal.via == "token":
        return
    if SESSION_COOKIE not in request.cookies:
        return  # no ambient credentials to abuse: public API clients without a session
    expected = request.session.get("csrf")
    given = request.headers.get("x-csrf-token")
    if not given and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not expected or not given or not hmac.compare_digest(str(expected), given):
        raise HTTPException(
            403, "The form expired or came from another site (CSRF check failed). Reload the page and try again."
        )


class Require:
    """Route guard: `Depends(Require("reports:read"))` resolves the caller and checks the table."""

    def __init__(self, permission: str) -> None:
        self.permission = permission

    def __repr__(self) -> str:
        return f"Require({self.permission!r})"

    async def __call__(self, request: Request) -> Principal:
        # The lookup blocks on the database: in the thread pool, never on the event loop (a
        # writer holding SQLite's lock may need the loop to finish and commit).
        principal = await run_in_threadpool(principal_from_request, request)
        await _check_csrf(request, principal)
        if principal.can(self.permission):
            return principal
        if not principal.is_authenticated:
            raise LoginRequired()
        raise HTTPException(403, "Your role does not allow this.", {DENIED_HEADER: self.permission})


# Route guards are spelled once per permission, as an alias: `def page(user: Public)`. Tools define
# theirs beside their routes the same way (`Reader = Annotated[Principal, Depends(Require(READ))]`).
Public = Annotated[Principal, Depends(Require(PUBLIC))]


# --- CLI -------------------------------------------------------------------------------------

_cli_user: contextvars.ContextVar[str | None] = contextvars.ContextVar("heroes_cli_user", default=None)


def set_cli_user(username: str | None) -> None:
    _cli_user.set(username)


def cli_principal(permission: str) -> Principal:
    """The staff account a CLI command acts as (--user / HEROES_USER), checked against the table.

    Someone who can run the CLI on the server can already read its database file, so the CLI
    names the account (for the audit trail and the role check) without asking for its password.
    """
    import os

    username = _cli_user.get() or os.environ.get("HEROES_USER")
    if not username:
        raise HeroesError(
            "This command needs a staff account: pass --user NAME before the command (or set HEROES_USER)."
        )
    with session_scope() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None or not user.active:
            raise HeroesError(f"No active account named {username!r}. Create one with `heroes users add`.")
        principal = Principal(user.role, user.username, user.id, "cli")
    if not principal.can(permission):
        raise PermissionDenied(f"The role {principal.role!r} of {username!r} does not allow this ({permission}).")
    return principal
