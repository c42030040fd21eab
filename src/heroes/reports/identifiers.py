"""Identifiers in a report (phones, e-mails, usernames, URLs, addresses, vehicle plates),
normalised so that two reports that mention the same one can be linked.

Each kind is one small class in `KINDS`; a new kind is a new class registered there. A kind finds
its identifiers in free text (`find`) and normalises what a reporter typed in a dedicated field
(`from_field`). Normalised values are what linking compares, so they are deliberately coarse:
"+34 612 34 56 78", "612345678" (with country ES) and "0034-612-345-678" are the same phone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

import phonenumbers

from heroes.reports.phrases import fold

if TYPE_CHECKING:
    from heroes.reports.triage import ReportInput


@dataclass(frozen=True)
class Identifier:
    kind: str  # one of KINDS
    value: str  # normalised: what linking compares
    raw: str  # as the reporter wrote it
    source: str  # "field" (typed in a dedicated field) or "text" (found in the narrative)
    detail: str = ""  # e.g. the platform of a username, "unverified" for a phone we cannot parse


class Kind:
    name: ClassVar[str]

    def find(self, text: str, region: str | None) -> Iterator[Identifier]:
        return iter(())

    def from_field(self, raw: str, region: str | None) -> Iterator[Identifier]:
        return self.find(raw, region)


# --- phones ---------------------------------------------------------------------------------


class Phone(Kind):
    name = "phone"

    def find(self, text: str, region: str | None) -> Iterator[Identifier]:
        matcher = phonenumbers.PhoneNumberMatcher(text, region or "ZZ", leniency=phonenumbers.Leniency.VALID)
        for match in matcher:
            value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            yield Identifier(self.name, value, match.raw_string, "text")

    def from_field(self, raw: str, region: str | None) -> Iterator[Identifier]:
        raw = raw.strip()
        if not raw:
            return
        try:
            number = phonenumbers.parse(raw, region or "ZZ")
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_number(number):
            value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            yield Identifier(self.name, value, raw, "field")
            return
        digits = re.sub(r"\D", "", raw)
        if len(digits) >= 5:  # keep what we cannot verify: a partial number still links reports
            prefix = "+" if raw.lstrip().startswith("+") else ""
            yield Identifier(self.name, prefix + digits, raw, "field", "unverified")


# --- e-mail ---------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")


def normalize_email(address: str) -> str:
    """Lower case, and without a "+tag" (name+anything@ reaches the same mailbox)."""
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    return f"{local}@{domain}"


class Email(Kind):
    name = "email"

    def find(self, text: str, region: str | None) -> Iterator[Identifier]:
        for m in _EMAIL.finditer(text):
            yield Identifier(self.name, normalize_email(m.group(0)), m.group(0), "text")

    def from_field(self, raw: str, region: str | None) -> Iterator[Identifier]:
        for ident in self.find(raw, region):
            yield Identifier(ident.kind, ident.value, ident.raw, "field")


# --- URLs and usernames ---------------------------------------------------------------------

_TLDS = "com|net|org|info|biz|io|me|co|app|xyz|tv|es|uk|de|fr|it|pt|nl|be|mx|ar|cl|pe|br|us|ca|au|ru|eu|onion"
_URL = re.compile(
    r"(?i)(?<![\w@/.-])(?:https?://[^\s<>\"'()]+|(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:" + _TLDS + r")"
    r"(?:/[^\s<>\"'()]*)?(?![\w@-]))"
)
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|igshid|igsh|si|ref|ref_src|s|t)$")
_HOST_PREFIXES = ("www.", "m.", "mobile.")

# Profile URLs: the first path segment is the user, except these words.
_SOCIAL_HOSTS = {
    "instagram.com": "instagram",
    "tiktok.com": "tiktok",
    "twitter.com": "x",
    "x.com": "x",
    "facebook.com": "facebook",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "snapchat.com": "snapchat",
    "youtube.com": "youtube",
    "twitch.tv": "twitch",
    "reddit.com": "reddit",
}
_NOT_USERS = frozenset(
    [
        "p",
        "reel",
        "reels",
        "tv",
        "stories",
        "explore",
        "share",
        "status",
        "i",
        "video",
        "videos",
        "watch",
        "channel",
        "c",
        "user",
        "u",
        "add",
        "r",
        "hashtag",
        "search",
        "home",
        "login",
        "signup",
        "profile.php",
        "groups",
        "events",
        "pages",
        "intent",
    ]
)


_SCHEME = re.compile(r"(?i)^[a-z][a-z0-9+.-]*://")


def normalize_url(url: str) -> str:
    """Host without www./m., path without trailing slash, tracking parameters and fragment
    dropped; http and https are the same page for linking."""
    text = url.strip().rstrip(".,;:!?")
    if not re.match(r"(?i)^[a-z][a-z0-9+.-]*://", text):
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower().strip()
        port = parts.port
    except ValueError:
        # Not a well-formed URL (a port out of range, an unclosed IPv6 bracket): still evidence, so
        # kept as written (without the scheme, lower-cased) rather than losing the report.
        return _SCHEME.sub("", text).lower().strip()
    for prefix in _HOST_PREFIXES:
        host = host.removeprefix(prefix)
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = re.sub(r"/+", "/", parts.path).rstrip("/.,;:!?")  # "a.ac/." and "a.ac" are one page
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    value = host + path
    if query:
        value += "?" + urlencode(sorted(query))
    return value


def username_from_url(normalized: str) -> tuple[str, str] | None:
    """(platform, user) for a profile URL such as instagram.com/someone or tiktok.com/@someone."""
    host, _, path = normalized.partition("/")
    platform = _SOCIAL_HOSTS.get(host)
    if not platform or not path:
        return None
    first = path.split("/", 1)[0].split("?", 1)[0]
    if platform == "snapchat" and first == "add":
        first = path.split("/")[1] if path.count("/") >= 1 else ""
    user = first.lstrip("@")
    if not user or user.lower() in _NOT_USERS or not re.fullmatch(r"[\w.-]{2,40}", user):
        return None
    return platform, normalize_username(user)


def normalize_username(name: str) -> str:
    return name.strip().lstrip("@").rstrip(".").lower()


class Url(Kind):
    name = "url"

    def find(self, text: str, region: str | None) -> Iterator[Identifier]:
        for m in _URL.finditer(text):
            raw = m.group(0).rstrip(".,;:!?")
            yield Identifier(self.name, normalize_url(raw), raw, "text")

    def from_field(self, raw: str, region: str | None) -> Iterator[Identifier]:
        raw = raw.strip()
        if raw:
            yield Identifier(self.name, normalize_url(raw), raw, "field")


_HANDLE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_][A-Za-z0-9_.]{1,39})")
_PLATFORM_PREFIX = re.compile(r"^\s*([A-Za-z ]{2,20})\s*[:=]\s*(.+)$")


class Username(Kind):
    name = "username"

    def find(self, text: str, region: str | None) -> Iterator[Identifier]:
        for m in _HANDLE.finditer(text):
            yield Identifier(self.name, normalize_username(m.group(1)), m.group(0), "text")
        for url in Url().find(text, region):
            profile = username_from_url(url.value)
            if profile:
                yield Identifier(self.name, profile[1], url.raw, "text", profile[0])

    def from_field(self, raw: str, region: str | None) -> Iterator[Identifier]:
        raw = raw.strip()
        if not raw:
            return
        if "/" in raw or raw.lower().startswith("www."):
            profile = username_from_url(normalize_url(raw))
            if profile:
                yield Identifier(self.name, profile[1], raw, "field", profile[0])
            return
        platform = ""
        name = raw
        prefixed = _PLATFORM_PREFIX.match(raw)
        if prefixed:
            platform, name = prefixed.group(1).strip().lower(), prefixed.group(2)
        name = normalize_username(name.split()[0]) if name.split() else ""
        if name:
            yield Identifier(self.name, name, raw, "field", platform)


# --- addresses ------------------------------------------------------------------------------

_STREET_EN = re.compile(
    r"\b\d{1,5}[a-zA-Z]?\s+(?:[A-Z][\w'-]*\s+){1,4}"
    r"(?i:street|st|road|rd|avenue|ave|lane|ln|drive|dr|way|close|court|ct|place|pl|square|sq|terrace)\b\.?"
)
_STREET_ES = re.compile(
    r"(?i:\b(?:calle|c/|avenida|avda\.?|av\.|plaza|pza\.?|paseo|p\xba|camino|carretera|ctra\.?|ronda|"
    r"traves\xeda|travesia|glorieta|pasaje)\s*)"
    r"(?:(?i:de\s+la|de\s+los|de\s+las|del|de)\s+)?(?:[A-Z\xc1\xc9\xcd\xd3\xda\xd1\xdc][\w'-]*\s*){1,4},?\s*"
    r"(?i:n[\xbao\xb0]\.?\s*|n\xfam\.?\s*|numero\s*|n\xfamero\s*)?\d{1,4}\b"
)
_ABBREVIATIONS = {
    "st": "street",
    "rd": "road",
    "ave": "avenue",
    "ln": "lane",
    "dr": "drive",
    "ct": "court",
    "pl": "place",
    "sq": "square",
    "c": "calle",
    "avda": "avenida",
    "av": "avenida",
    "pza": "plaza",
    "po": "paseo",
    "ctra": "carretera",
}
_NUMBER_WORDS = frozenset({"n", "no", "num", "numero", "nº"})


def normalize_address(address: str) -> str:
    """Folded, punctuation gone, common abbreviations written out ("C/ Mayor, nº 5" and
    "calle mayor 5" are the same)."""
    words = re.findall(r"\w+", fold(address.replace("º", " ").replace("°", " ").replace("ª", " ")))
    out = []
    for i, word in enumerate(words):
        if word in _NUMBER_WORDS and i + 1 < len(words) and words[i + 1].isdigit():
            continue
        out.append(_ABBREVIATIONS.get(word, word) if i == 0 or not word.isdigit() else word)
    return " ".join(out)


class Address(Kind):
    name = "address"

    def find(self, text: str, region: str | None) -> Iterator[Identifier]:
        for pattern in (_STREET_EN, _STREET_ES):
            for m in pattern.finditer(text):
                raw = m.group(0).strip().rstrip(",")
                yield Identifier(self.name, normalize_address(raw), raw, "text")

    def from_field(self, raw: str, region: str | None) -> Iterator[Identifier]:
        raw = raw.strip()
        if not raw:
            return
        yield Identifier(self.name, normalize_address(raw), raw, "field")
        for street in self.find(raw, region):  # "Calle Mayor 5, Madrid" also links to "calle mayor 5"
            yield Identifier(street.kind, street.value, street.raw, "field")


# --- vehicle plates -------------------------------------------------------------------------

_PLATE_AFTER_WORD = re.compile(
    r"(?i:\b(?:number plate|licen[cs]e plate|plate|registration|reg\.?|matr[i\xed]cula|placa|patente)"
    r"(?:\s+(?:number|no\.?|n[\xbao]\.?))?\s*:?\s*)"
    r"([A-Za-z0-9]{1,4}(?:[ -]?[A-Za-z0-9]{1,4}){1,2})\b"
)
_PLATE_FORMATS = (
    re.compile(r"\b\d{4}[ -]?[BCDFGHJKLMNPRSTVWXYZ]{3}\b"),  # Spain since 2000
    re.compile(r"\b[A-Z]{2}\d{2}[ -]?[A-Z]{3}\b"),  # Great Britain since 2001
    re.compile(r"\b[A-Z]{2}-\d{3}-[A-Z]{2}\b"),  # France SIV
)


def normalize_plate(plate: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", fold(plate).upper())


def _looks_like_plate(value: str) -> bool:
    return 4 <= len(value) <= 9 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


class Plate(Kind):
    name = "plate"

    def find(self, text: str, region: str | None) -> Iterator[Identifier]:
        for m in _PLATE_AFTER_WORD.finditer(text):
            value = normalize_plate(m.group(1))
            if _looks_like_plate(value):
                yield Identifier(self.name, value, m.group(1), "text")
        for pattern in _PLATE_FORMATS:
            for m in pattern.finditer(text):
                yield Identifier(self.name, normalize_plate(m.group(0)), m.group(0), "text")

    def from_field(self, raw: str, region: str | None) -> Iterator[Identifier]:
        found = [Identifier(i.kind, i.value, i.raw, "field") for i in self.find(raw, region)]
        if not found:
            value = normalize_plate(raw)
            if _looks_like_plate(value) and len(raw.split()) <= 3:
                found.append(Identifier(self.name, value, raw.strip(), "field"))
        yield from found


# --- the registry and the entry points ------------------------------------------------------

KINDS: dict[str, Kind] = {kind.name: kind for kind in (Phone(), Email(), Url(), Username(), Address(), Plate())}


def _unique(identifiers: Iterable[Identifier]) -> list[Identifier]:
    """One identifier per (kind, value); a typed field wins over a mention in the text."""
    best: dict[tuple[str, str], Identifier] = {}
    for ident in identifiers:
        key = (ident.kind, ident.value)
        if key not in best or (best[key].source == "text" and ident.source == "field"):
            best[key] = ident
    return list(best.values())


def find_in_text(text: str, region: str | None = None) -> list[Identifier]:
    """Every identifier of every kind in a free text."""
    return _unique(ident for kind in KINDS.values() for ident in kind.find(text, region))


def extract_identifiers(report: ReportInput) -> list[Identifier]:
    """The identifiers of a report: its dedicated fields, then whatever its narrative mentions."""
    region = (report.country or "").upper() or None
    fields = {
        "phone": report.phones,
        "email": report.emails,
        "username": report.usernames,
        "url": report.urls,
        "plate": report.vehicles,
        "address": [report.location] if report.location else [],
    }
    found: list[Identifier] = []
    for kind_name, values in fields.items():
        kind = KINDS[kind_name]
        for raw in values:
            found.extend(kind.from_field(raw, region))
            if kind_name == "url":  # a profile URL is also a username
                found.extend(
                    Identifier("username", p[1], raw, "field", p[0])
                    for p in [username_from_url(normalize_url(raw))]
                    if p
                )
    found.extend(find_in_text(report.free_text(), region))
    # vehicles field may hold free text ("white van, plate 1234 BCD"): plates were tried above.
    return _unique(found)
