"""Contact-detail checks. Each check is one small class registered in CHECKS under the name the
indicator file uses (`check: free_mail`); it returns the spans of the ad that triggered it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import phonenumbers
import yaml
from babel import Locale

from heroes.entities import phones, web
from heroes.fakejobs.ad import Ad
from heroes.fakejobs.gate import Gate, finditer, gate_for, tokens_of

DATA = Path(__file__).parent / "data" / "contacts.yaml"
# An international number ("+44 ...", "0044 ..."): a national number is read as the job's own
# country, so only these can disagree with it. phonenumbers validates the candidates.
INTERNATIONAL_PHONE = re.compile(r"(?:\+|\b00)\s?\d[\d\s().-]{6,}\d")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ContactRules:
    free_mail: tuple[str, ...]
    messaging: re.Pattern[str]
    messaging_gate: Gate | None


@cache
def rules() -> ContactRules:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    messaging = re.compile(r"\b(" + "|".join(data["messaging_apps"]) + r")\b", re.IGNORECASE)
    free = tuple(d.lower() for d in data["free_mail_domains"])
    return ContactRules(free, messaging, gate_for(messaging))


def is_free_mail(domain: str) -> bool:
    domain = domain.lower()
    labels = domain.split(".")
    for free in rules().free_mail:
        if "." in free:
            if domain == free or domain.endswith("." + free):
                return True
        elif free in labels[:-1]:  # "yahoo" matches yahoo.com, yahoo.co.uk, mail.yahoo.es
            return True
    return False


def _emails(text: str) -> list[tuple[Span, str]]:
    """Each e-mail address of the ad with its domain (heroes.entities finds and checks them)."""
    return [(Span(e.start, e.end, e.raw), e.detail) for e in web.Email().find(text)]


def _website_hosts(text: str) -> list[str]:
    """Hosts of the web addresses written as such (with http(s):// or www.), not bare names."""
    explicit = ("http://", "https://", "www.")
    return [e.detail for e in web.Url().find(text) if e.raw.lower().startswith(explicit)]


class Check(Protocol):
    def __call__(self, ad: Ad, text: str) -> list[Span]: ...


class FreeMail:
    def __call__(self, ad: Ad, text: str) -> list[Span]:
        if "@" not in text:
            return []
        return [span for span, domain in _emails(text) if is_free_mail(domain)]


class MessagingOnly:
    """A messaging app or a phone number is the only way to reply: no company e-mail or website."""

    def __call__(self, ad: Ad, text: str) -> list[Span]:
        words = tokens_of(text)
        matches = finditer(rules().messaging, rules().messaging_gate, text, words)
        apps = [Span(m.start(), m.end(), m.group(0)) for m in matches]
        if not apps:
            return []
        company_mail = any(not is_free_mail(domain) for _span, domain in _emails(text))
        website = any(not rules().messaging.search(host) for host in _website_hosts(text))
        return [] if company_mail or website else apps


def _territory_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for lang in ("en", "es"):
        for code, name in Locale(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(name.lower(), code)
    names.update({"usa": "US", "uk": "GB", "england": "GB", "eeuu": "US", "ee. uu.": "US"})
    return names


@cache
def _country_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    names = _territory_names()
    alternatives = sorted(names, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in alternatives) + r")\b", re.IGNORECASE), names


def job_country(ad: Ad, text: str) -> str | None:
    """ISO country of the job: EMSCAD's "US, NY, New York" form, else a country named in the
    location, else the first country named in the ad."""
    location = ad.location.strip()
    head = location.split(",")[0].strip()
    if len(head) == 2 and head.upper() in phonenumbers.SUPPORTED_REGIONS:
        return head.upper()
    pattern, names = _country_pattern()
    for source in (location, text):
        found = pattern.search(source)
        if found:
            return names[found.group(1).lower()]
    return None


class PhoneCountry:
    """Phone numbers registered in another country than the job's."""

    def __call__(self, ad: Ad, text: str) -> list[Span]:
        if not INTERNATIONAL_PHONE.search(text):
            return []
        country = job_country(ad, text)
        if country is None:
            return []
        return [
            Span(found.start, found.end, found.raw)
            for found in phones.Phone().find(text, country, strict=True)
            if found.detail and found.detail != country
        ]


class MissingCompany:
    """Only for structured ads: a plain-text ad has no company field to be missing."""

    def __call__(self, ad: Ad, text: str) -> list[Span]:
        if ad.structured and not ad.text and not ad.company.strip():
            return [Span(0, 0, "")]
        return []


CHECKS: dict[str, Check] = {
    "free_mail": FreeMail(),
    "messaging_only": MessagingOnly(),
    "phone_country": PhoneCountry(),
    "missing_company": MissingCompany(),
}
