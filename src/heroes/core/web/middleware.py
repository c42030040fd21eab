"""Pure ASGI middleware: security headers and the request language."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from heroes.core import i18n

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
