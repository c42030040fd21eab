"""Identifiers in a report (phones, e-mails, usernames, URLs, addresses, vehicle plates),
normalised so that two reports that mention the same one can be linked.

Finding, validating and normalising phones, e-mails, URLs, handles and plates is the shared
`heroes.entities` library's work; this module adds what is particular to reports: what a reporter
types in the dedicated fields ("discord: Night.Owl", a partial phone number), street addresses,
and one `Identifier` per (kind, value). Each kind is one small class in `KINDS`.
Normalised values are what linking compares, so they are deliberately coarse: "+34 612 34 56 78",
"612345678" (with country ES) and "0034-612-345-678" are the same phone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from heroes.entities import handles, phones, plates, web
from heroes.text import fold


class ReportFields(Protocol):
    """What identifier extraction reads of a report (triage.ReportInput has it)."""

    @property
    def phones(self) -> Sequence[str]: ...

    @property
    def emails(self) -> Sequence[str]: ...

    @property
    def usernames(self) -> Sequence[str]: ...

    @property
    def urls(self) -> Sequence[str]: ...

    @property
    def vehicles(self) -> Sequence[str]: ...

    @property
    def location(self) -> str: ...

    @property
    def country(self) -> str | None: ...

    def free_text(self) -> str: ...


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
        for found in phones.Phone().find(text, region, strict=True):  # a narrative is noisy: valid numbers only
            yield Identifier(self.name, found.value, found.raw, "text")

    def from_field(self, raw: str, region: str | None) -> Iterator[Identifier]:
        raw = raw.strip()
        if not raw:
            return
        parsed = phones.Phone().parse(raw, region)
        if parsed is not None:
            value, status = parsed
            yield Identifier(self.name, value, raw, "field", "" if status == "valid" else status)
            return
        digits = re.sub(r"\D", "", raw)
        if len(digits) >= 5:  # keep what we cannot verify: a partial number still links reports
            prefix = "+" if raw.lstrip().startswith("+") else ""
            yield Identifier(self.name, prefix + digits, raw, "field", "unverified")


# --- e-mail ---------------------------------------------------------------------------------


def normalize_email(address: str) -> str:
    """Lower case, and without a "+tag" (name+anything@ reaches the same mailbox)."""
    value = web.normalize_email(address)
    if value is not None:
        return value
    local, _, domain = address.strip().lower().rpartition("@")  # not an address: compare it as typed
    return f"{local.split('+', 1)[0]}@{domain}"


class Email(Kind):
    name = "email"

    def find(self, text: str, region: str | None) -> Iterator[Identifier]:
        for found in web.Email().find(text, region):
            yield Identifier(self.name, found.value, found.raw, "text")

    def from_field(self, raw: str, region: str | None) -> Iterator[Identifier]:
        for ident in self.find(raw, region):
            yield Identifier(ident.kind, ident.value, ident.raw, "field")


# --- URLs and usernames ---------------------------------------------------------------------


def normalize_url(url: str) -> str:
    """Host without www./m., path without trailing slash, tracking parameters and fragment
    dropped; http and https are the same page for linking. Never raises: a URL that cannot be
    read (a bad port, a broken IPv6 host) is compared as typed, without its scheme, its host in
    lower case: still evidence, so kept rather than losing the report."""
    value = web.normalize_url(url)
    if value is not None:
        return value
    text = _SCHEME.sub("", url.strip().rstrip(web.TRAILING)).strip()
    host, slash, rest = text.partition("/")
    return host.lower() + slash + rest


_SCHEME = re.compile(r"(?i)^(?:[a-z][a-z0-9+.-]*:)?//")


def username_from_url(normalized: str) -> tuple[str, str] | None:
    """(platform, user) for a profile URL such as instagram.com/someone or tiktok.com/@someone."""
    return handles.handle_from_url(normalized)


def normalize_username(name: str) -> str:
    return name.strip().lstrip("@").rstrip(".").lower()


class Url(Kind):
    name = "url"

    def find(self, text: str, region: str | None) -> Iterator[Identifier]:
        for found in web.Url().find(text, region):
            yield Identifier(self.name, found.value, found.raw, "text")

    def from_field(self, raw: str, region: str | None) -> Iterator[Identifier]:
        raw = raw.strip()
        if raw:
            yield Identifier(self.name, normalize_url(raw), raw, "field")


_PLATFORM_PREFIX = re.compile(r"^\s*([A-Za-z ]{2,20})\s*[:=]\s*(.+)$")


class Username(Kind):
    name = "username"

    def find(self, text: str, region: str | None) -> Iterator[Identifier]:
        for found in handles.Handle().find(text, region):
            yield Identifier(self.name, found.value, found.raw, "text", found.detail)

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

normalize_plate = plates.normalize_plate


class Plate(Kind):
    name = "plate"

    def find(self, text: str, region: str | None) -> Iterator[Identifier]:
        for found in plates.Plate().find(text, region):
            yield Identifier(self.name, found.value, found.raw, "text")

    def from_field(self, raw: str, region: str | None) -> Iterator[Identifier]:
        found = [Identifier(i.kind, i.value, i.raw, "field") for i in self.find(raw, region)]
        if not found:
            value = normalize_plate(raw)
            if plates.looks_like_plate(value) and len(raw.split()) <= 3:
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


def extract_identifiers(report: ReportFields) -> list[Identifier]:
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
