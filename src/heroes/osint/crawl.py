"""A polite crawler for the sites an analyst names; everything it fetches lands in a WARC file.

Polite: robots.txt is obeyed unless the analyst records a legal basis to override it (the basis is
written into the capture's warcinfo record), one request per domain every ``delay`` seconds, a user
agent that names the tool and a contact, retries with exponential back-off on timeouts, connection
errors, 429 and 5xx. Only the allowed domains are fetched; links are followed to ``depth``.

Each fetch is stored as a WARC request record and a response record (warcio), so pywb or
webrecorder can replay the capture; the caller hashes the finished file and records custody.
"""

from __future__ import annotations

import contextlib
import io
import time
import urllib.robotparser
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from heroes import __version__

USER_AGENT = f"HEROES-OSINT/{__version__} (+https://github.com/heroes-toolkit; research crawler)"
RETRY_STATUS = {429, 500, 502, 503, 504}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.links.append(value)


def links_of(html: str, base: str) -> list[str]:
    """Absolute http(s) links of a page, in order; broken HTML yields what can be read."""
    parser = _Links()
    with contextlib.suppress(Exception):  # html.parser is lenient; what it found before a failure stands
        parser.feed(html)
        parser.close()
    out = []
    for href in parser.links:
        url = urldefrag(urljoin(base, href.strip()))[0]
        if urlsplit(url).scheme in ("http", "https") and url not in out:
            out.append(url)
    return out


@dataclass
class CrawlConfig:
    seeds: list[str]
    domains: list[str]
    max_pages: int = 100
    depth: int = 3
    delay: float = 1.0  # seconds between two requests to one domain
    retries: int = 3
    backoff: float = 0.5  # first wait before a retry; doubles each time
    timeout: float = 20.0
    legal_basis: str = ""  # when set, robots.txt is recorded but not obeyed
    user_agent: str = USER_AGENT


@dataclass
class CrawlResult:
    fetched: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    refused_by_robots: list[str] = field(default_factory=list)
    records: int = 0


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def allowed(url: str, domains: list[str]) -> bool:
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)


class Crawler:
    def __init__(self, config: CrawlConfig, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.sleep = sleep
        self.last_request: dict[str, float] = {}
        self.robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self.domains = [d.lower().lstrip(".") for d in config.domains]

    def _wait_turn(self, url: str) -> None:
        key = urlsplit(url).netloc
        last = self.last_request.get(key)
        if last is not None:
            wait = self.config.delay - (time.monotonic() - last)
            if wait > 0:
                self.sleep(wait)
        self.last_request[key] = time.monotonic()

    def _fetch(self, client: httpx.Client, url: str, writer: WARCWriter, result: CrawlResult) -> httpx.Response | None:
        error = ""
        for attempt in range(self.config.retries + 1):
            if attempt:
                self.sleep(self.config.backoff * 2 ** (attempt - 1))
            self._wait_turn(url)
            try:
                response = client.get(url)
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
                continue
            self._write(writer, response)
            result.records += 2
            if response.status_code in RETRY_STATUS:
                error = f"HTTP {response.status_code}"
                continue
            return response
        result.failed[url] = error
        return None

    def _write(self, writer: WARCWriter, response: httpx.Response) -> None:
        request = response.request
        target = request.url.raw_path.decode("ascii", "replace")
        req_headers = StatusAndHeaders(f"GET {target} HTTP/1.1", list(request.headers.items()), is_http_request=True)
        writer.write_record(
            writer.create_warc_record(str(request.url), "request", payload=io.BytesIO(b""), http_headers=req_headers)
        )
        headers = [
            (k, v) for k, v in response.headers.items() if k.lower() not in ("content-encoding", "transfer-encoding")
        ]
        headers = [(k, v) if k.lower() != "content-length" else (k, str(len(response.content))) for k, v in headers]
        status = StatusAndHeaders(f"{response.status_code} {response.reason_phrase}", headers, protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                str(request.url), "response", payload=io.BytesIO(response.content), http_headers=status
            )
        )

    def _robots(
        self, client: httpx.Client, url: str, writer: WARCWriter, result: CrawlResult
    ) -> urllib.robotparser.RobotFileParser:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self.robots:
            parser = urllib.robotparser.RobotFileParser(key + "/robots.txt")
            response = self._fetch(client, key + "/robots.txt", writer, result)
            result.failed.pop(key + "/robots.txt", None)
            if response is None or response.status_code >= 500:
                parser.parse(["User-agent: *", "Disallow: /"])  # unknown rules: be careful (RFC 9309 2.3.1.4)
            elif response.status_code >= 400:
                parser.parse([])  # no robots.txt: everything allowed
            else:
                parser.parse(response.text.splitlines())
            self.robots[key] = parser
        return self.robots[key]

    def run(self, output: Path, progress: Callable[[int, int], None] | None = None) -> CrawlResult:
        config = self.config
        result = CrawlResult()
        queue: deque[tuple[str, int]] = deque((s, 0) for s in config.seeds)
        seen = set(config.seeds)
        with (
            output.open("wb") as raw,
            httpx.Client(
                headers={"User-Agent": config.user_agent}, timeout=config.timeout, follow_redirects=False
            ) as client,
        ):
            writer = WARCWriter(raw, gzip=output.name.endswith(".gz"))
            info = {"software": config.user_agent, "format": "WARC File Format 1.1", "seeds": " ".join(config.seeds)}
            if config.legal_basis:
                info["legal-basis-robots-override"] = config.legal_basis
            writer.write_record(writer.create_warcinfo_record(output.name, info))
            while queue and len(result.fetched) < config.max_pages:
                url, depth = queue.popleft()
                if not allowed(url, self.domains):
                    continue
                robots = self._robots(client, url, writer, result)
                if not config.legal_basis and not robots.can_fetch(config.user_agent, url):
                    result.refused_by_robots.append(url)
                    continue
                response = self._fetch(client, url, writer, result)
                if response is None:
                    continue
                result.fetched.append(url)
                if progress:
                    progress(len(result.fetched), config.max_pages)
                follow: list[str] = []
                if response.is_redirect and "location" in response.headers:
                    follow = [urljoin(url, response.headers["location"])]
                elif depth < config.depth and "html" in response.headers.get("content-type", ""):
                    follow = links_of(response.text, url)
                for link in follow:
                    if link not in seen and allowed(link, self.domains):
                        seen.add(link)
                        queue.append((link, depth + (0 if response.is_redirect else 1)))
        return result


def read_warc(path: Path) -> list[tuple[str, str, int, bytes]]:
    """(record type, target URI, HTTP status or 0, payload) of every record, in order."""
    from warcio.archiveiterator import ArchiveIterator

    out = []
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            status = (
                int(record.http_headers.get_statuscode() or 0)
                if record.http_headers and record.rec_type == "response"
                else 0
            )
            out.append((record.rec_type, uri, status, record.content_stream().read()))
    return out
