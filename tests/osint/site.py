"""A small local web site for the crawler tests and benchmark: robots.txt, pagination, broken HTML,
a redirect, a slow page, a failing page, a page that fails once, and a page robots.txt forbids."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def listing(n: int, pages: int) -> str:
    ads = "".join(
        f'<article class="ad" data-id="site-{n}-{k}"><h2 class="title">Cleaner {n}-{k}</h2>'
        f'<span class="location">Toledo</span><span class="age">3{k}</span><span class="price">90 euros</span>'
        f'<p class="body">Honest cleaner, new in town, call +34 612 345 67{k}.</p></article>'
        for k in range(2)
    )
    more = f'<a href="/list/{n + 1}">next</a>' if n < pages else ""
    return f"<html><head><title>List {n}</title></head><body>{ads}{more}<a href='/private/x'>x</a></body></html>"


class Site:
    def __init__(self, pages: int = 3, slow: float = 0.2) -> None:
        self.pages = pages
        self.slow = slow
        self.hits: Counter[str] = Counter()
        self.agents: set[str] = set()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def send(
                self, status: int, body: str, kind: str = "text/html", headers: dict[str, str] | None = None
            ) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = self.path
                site.hits[path] += 1
                site.agents.add(self.headers.get("User-Agent", ""))
                if path == "/robots.txt":
                    return self.send(200, "User-agent: *\nDisallow: /private/\n", "text/plain")
                if path == "/":
                    links = "".join(
                        f'<a href="{p}">{p}</a>' for p in ("/list/1", "/broken", "/old", "/slow", "/fail", "/flaky")
                    )
                    return self.send(200, f"<html><title>Home</title><body>{links}</body></html>")
                if path.startswith("/list/"):
                    n = int(path.rsplit("/", 1)[1])
                    return self.send(200, listing(n, site.pages)) if n <= site.pages else self.send(404, "no")
                if path == "/broken":
                    return self.send(200, "<html><body><p>Open <b>tags <a href='/list/2'>two<div></html")
                if path == "/old":
                    return self.send(301, "", headers={"Location": "/moved"})
                if path == "/moved":
                    return self.send(200, "<html><title>Moved</title><body><p>The page moved here.</p></body></html>")
                if path == "/slow":
                    time.sleep(site.slow)
                    return self.send(200, "<html><title>Slow</title><body><p>A slow page.</p></body></html>")
                if path == "/fail":
                    return self.send(500, "broken")
                if path == "/flaky":
                    if site.hits[path] == 1:
                        return self.send(503, "busy")
                    return self.send(200, "<html><title>Flaky</title><body><p>Fine now.</p></body></html>")
                return self.send(404, "not here")

        return Handler


@contextmanager
def serve(site: Site) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), site.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
