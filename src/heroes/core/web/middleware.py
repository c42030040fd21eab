"""Pure ASGI middleware: security headers and the request language."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from heroes.core import i18n
from heroes.text import MAX_JSON_DEPTH, DepthScanner

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI sets style attributes from its own bundled script; only its page is relaxed.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = DOCS_CSP if path == "/api/docs" else CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if not path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ForgetClientAddress:
    """Drops the client's address from every request before anything can log or store it.

    Reporters must stay anonymous: no route, log handler or error report ever sees an IP address.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["client"] = None
        await self.app(scope, receive, send)


class LanguageMiddleware:
    """Language from ?lang=, then the session's choice, then the browser's Accept-Language."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        session: dict[str, Any] = scope.get("session", {})
        query_lang = None
        for pair in scope.get("query_string", b"").decode("latin-1").split("&"):
            if pair.startswith("lang="):
                query_lang = pair[5:]
        headers = Headers(scope=scope)
        chosen = query_lang or session.get("lang") or i18n.from_accept_language(headers.get("accept-language"))
        lang = i18n.normalize(chosen)
        scope.setdefault("state", {})["lang"] = lang
        token = i18n.set_language(lang)
        try:
            await self.app(scope, receive, send)
        finally:
            i18n._current.reset(token)


# Request bodies: the default, and larger allowances for the few routes that take big uploads.
# Checked against Content-Length before a byte is read, and counted while streaming (chunked
# bodies), so an oversized upload is refused with 413 instead of being spooled to disk first.
DEFAULT_BODY_LIMIT = 2 * 1024 * 1024
BODY_LIMITS: list[tuple[str, int]] = []  # (path prefix, bytes), longest prefix wins


def body_limit(prefix: str, limit: int) -> None:
    """Allow bodies up to `limit` bytes on paths starting with `prefix` (tools call this for uploads)."""
    BODY_LIMITS.append((prefix, limit))
    BODY_LIMITS.sort(key=lambda item: len(item[0]), reverse=True)


def limit_for(path: str) -> int:
    for prefix, limit in BODY_LIMITS:
        if path.startswith(prefix):
            return limit
    return DEFAULT_BODY_LIMIT


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        megabytes = max(1, limit // (1024 * 1024))
        super().__init__(413, i18n.gettext("The request is too large (at most %(n)d MB).", n=megabytes))


class BodyTooDeep(HTTPException):
    def __init__(self) -> None:
        detail = i18n.gettext("The JSON sent is nested too deeply (at most %(n)d levels).", n=MAX_JSON_DEPTH)
        super().__init__(400, detail)


def _is_json(headers: Headers) -> bool:
    kind = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


class BodyLimit:
    """413 for a body over the route's limit: announced too large (Content-Length) means refused at
    the first read, before a byte is taken in; a chunked body is counted as it arrives.

    A JSON body is also measured for nesting as it arrives (heroes.text.DepthScanner): 400 for
    one nested too deeply, before any parser recurses into it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope.get("path", ""))
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        depth = DepthScanner() if _is_json(headers) else None
        refused = declared is not None and (not declared.isdigit() or int(declared) > limit)
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            if refused:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
                if depth is not None:
                    depth.feed(message.get("body", b""))
                    if depth.deepest > MAX_JSON_DEPTH:
                        raise BodyTooDeep()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except (BodyTooLarge, BodyTooDeep) as exc:  # read outside a route (no handler saw it)
            if started:
                raise
            from starlette.responses import JSONResponse

            await JSONResponse({"detail": exc.detail}, status_code=exc.status_code)(scope, receive, send)
