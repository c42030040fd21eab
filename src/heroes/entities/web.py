"""E-mail addresses, URLs and domain names.

Nothing here raises on malformed input (``http://x.example:99999/``, ``https://[::1``, a label of
300 characters): a value that cannot be read is not an entity, and ``parse`` returns None.
Normalised forms are made for comparison: lower case, IDNA (punycode) hosts, no tracking parameters.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from heroes.entities.base import VALID, Entity, EntityKind, Status, register

MAX_URL = 2048
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


@lru_cache(maxsize=1 << 16)  # pure, and the same hosts recur in text after text
def normalize_domain(domain: str) -> str | None:
    """Lower-case IDNA form without the root dot; None when it is not a domain name."""
    text = domain.strip().rstrip(".").lower()
    if not text or len(text) > 253 or "." not in text:
        return None
    try:
        ascii_form = text.encode("idna").decode("ascii") if not text.isascii() else text
    except (UnicodeError, ValueError):
        return None
    labels = ascii_form.split(".")
    if not all(_LABEL.match(label) for label in labels) or not _TLD.match(labels[-1]):
        return None
    return ascii_form


def _host(host: str) -> str | None:
    """A URL's host: a domain name or an IP address (bracketless), normalised."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return normalize_domain(host)


# --- e-mail ----------------------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.[^\W\d_]{2,}(?![\w-])")
_LOCAL = re.compile(r"^[\w.+-]{1,64}$")


def normalize_email(address: str, strip_tag: bool = True) -> str | None:
    """Lower case, the domain in IDNA form, and (``strip_tag``) without a "+tag": name+anything@
    reaches the same mailbox. None when it is not an address."""
    local, at, domain = address.strip().lower().rpartition("@")
    if not at or not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    if strip_tag:
        local = local.split("+", 1)[0] or local
    host = normalize_domain(domain)
    return f"{local}@{host}" if host else None


@register
class Email(EntityKind):
    name = "email"

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        value = normalize_email(raw)
        return (value, VALID) if value else None

    def find(self, text: str, region: str | None = None) -> Iterator[Entity]:
        for m in EMAIL.finditer(text):
            found = self.entity(text, m.start(), m.end(), region, detail=m.group(0).rpartition("@")[2].lower())
            if found:
                yield found


# --- URLs ------------------------------------------------------------------------------------

# Top-level domains a bare "name.tld" in a text is read as a website for (with a scheme, any is).
BARE_TLDS = "com|net|org|info|biz|io|me|co|app|xyz|tv|es|uk|de|fr|it|pt|nl|be|mx|ar|cl|pe|br|us|ca|au|ru|eu|onion"
URL = re.compile(
    r"(?i)(?<![\w@/.-])(?:https?://[^\s<>\"'()]+|(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:" + BARE_TLDS + r")"
    r"(?:/[^\s<>\"'()]*)?(?![\w@-]))"
)
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|igshid|igsh|si|ref|ref_src|s|t)$")
HOST_PREFIXES = ("www.", "m.", "mobile.")
_SCHEME = re.compile(r"(?i)^[a-z][a-z0-9+.-]*://")
TRAILING = ".,;:!?"


def split_url(url: str) -> tuple[str, int | None, str, str] | None:
    """(host, port, path, query) of a URL with or without its scheme; None when unreadable."""
    text = url.strip().rstrip(TRAILING)
    if not text or len(text) > MAX_URL or any(c.isspace() for c in text):
        return None
    if not _SCHEME.match(text):
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError when out of range or not a number
        hostname = parts.hostname or ""
    except ValueError:
        return None
    host = _host(hostname)
    if host is None:
        return None
    return host, port, parts.path, parts.query


@lru_cache(maxsize=1 << 16)  # pure, and the same links recur in text after text
def normalize_url(url: str) -> str | None:
    """Host without www./m., path without trailing slash, tracking parameters and fragment
    dropped; http and https are the same page. None when the URL cannot be read."""
    parts = split_url(url)
    if parts is None:
        return None
    host, port, path, query_text = parts
    # "www.", "m." ... come off while a registrable name stays ("m.m.com" -> "m.com", never "com"), so
    # normalising twice gives the same value.
    stripped = True
    while stripped:
        stripped = False
        for prefix in HOST_PREFIXES:
            if host.startswith(prefix) and "." in host[len(prefix) :]:
                host, stripped = host[len(prefix) :], True
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = re.sub(r"/+", "/", path).rstrip("/" + TRAILING)  # "a.ac/." and "a.ac" are one page
    query = [(k, v) for k, v in parse_qsl(query_text, keep_blank_values=True) if not TRACKING.match(k)]
    value = host + path
    if query:
        value += "?" + urlencode(sorted(query))
    return value


@register
class Url(EntityKind):
    name = "url"

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        value = normalize_url(raw)
        return (value, VALID) if value else None

    def find(self, text: str, region: str | None = None) -> Iterator[Entity]:
        yield from _urls(text)


@lru_cache(maxsize=8)
def _urls(text: str) -> tuple[Entity, ...]:
    """The URLs of a text. Kept for the last few texts: the domain and handle kinds read the URLs of
    the text just searched for URLs again, and the scan is the slow part (a URL reads the same in
    any region)."""
    found = []
    for m in URL.finditer(text):
        raw = m.group(0).rstrip(TRAILING)
        value = normalize_url(raw)
        if value:
            host = value.split("/", 1)[0].split("?", 1)[0]
            found.append(Entity("url", value, raw, m.start(), m.start() + len(raw), VALID, host))
    return tuple(found)


@register
class Domain(EntityKind):
    """Domain names: the hosts of the URLs and e-mail addresses in a text, or a name typed alone."""

    name = "domain"

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        value = normalize_domain(raw)
        return (value, VALID) if value else None

    def find(self, text: str, region: str | None = None) -> Iterator[Entity]:
        for url in Url().find(text, region):
            parts = split_url(url.raw)
            if parts is None or normalize_domain(parts[0]) is None:
                continue  # an IP address
            raw_host = urlsplit(url.raw if _SCHEME.match(url.raw) else "http://" + url.raw).netloc
            raw_host = raw_host.rpartition("@")[2].split(":", 1)[0]
            offset = url.raw.find(raw_host)
            if raw_host and offset >= 0:
                yield Entity(self.name, parts[0], raw_host, url.start + offset, url.start + offset + len(raw_host))
        for mail in Email().find(text, region):
            at = mail.raw.rfind("@") + 1
            value = normalize_domain(mail.raw[at:])
            if value:
                yield Entity(self.name, value, mail.raw[at:], mail.start + at, mail.end)
